'use strict';
// Time per epoch of an MMoE model (tf.layers.mixtureOfExperts) against (a) a shared-bottom model of
// about the same size on dense-mtl and (b) the same MMoE written with @tensorflow/tfjs ops
// (tf.matMul, tf.softmax, ...) trained by its optimizer, on the cpu backend: TF.js has no MMoE
// layer, so that is what a TF.js user would write.
// Usage: node bench/mmoe.js [rows=4096] [epochs=3]
const tf = require('..');
const { nowMs, median } = require('./common');

const ROWS = Number(process.argv[2] || 4096);
const EPOCHS = Number(process.argv[3] || 3);
const [IN, EXPERTS, UNITS, TASKS, TOWER, BATCH] = [100, 8, 16, 2, 8, 128];

function data(lib) {
  const x = lib.randomNormal([ROWS, IN], 0, 1, 'float32', 1);
  const ys = Array.from({ length: TASKS }, (_, k) => lib.randomNormal([ROWS, 1], 0, 1, 'float32', 2 + k));
  return { x, ys };
}

function towers(lib, tensors) {
  return tensors.map(t => lib.layers.dense({ units: 1 }).apply(lib.layers.dense({ units: TOWER, activation: 'relu' }).apply(t)));
}

function mmoeModel() {
  const x = tf.input({ shape: [IN] });
  const tasks = tf.layers.mixtureOfExperts({ numExperts: EXPERTS, expertUnits: UNITS, numTasks: TASKS }).apply(x);
  return tf.model({ inputs: x, outputs: towers(tf, tasks) });
}

/** A shared dense bottom with the MMoE's parameter count (experts + gates), then the same towers. */
function sharedBottomModel() {
  const x = tf.input({ shape: [IN] });
  const units = Math.round((IN * EXPERTS * UNITS + TASKS * IN * EXPERTS) / IN);
  const bottom = tf.layers.dense({ units, activation: 'relu' }).apply(x);
  return tf.model({ inputs: x, outputs: towers(tf, Array(TASKS).fill(bottom)) });
}

async function epochTimes(model) {
  model.compile({ optimizer: tf.train.adam(0.001), loss: Array(TASKS).fill('meanSquaredError') });
  const { x, ys } = data(tf);
  await model.fit(x, ys, { epochs: 1, batchSize: BATCH, verbose: 0 }); // warm-up: builds the native model and its buffers
  const times = [];
  for (let e = 0; e < EPOCHS; e++) {
    const start = nowMs();
    await model.fit(x, ys, { epochs: 1, batchSize: BATCH, verbose: 0 });
    times.push(nowMs() - start);
  }
  return times;
}

/** The same MMoE in TF.js ops, one optimizer.minimize per batch. */
function tfjsEpochTimes() {
  const tfjs = require('@tensorflow/tfjs');
  tfjs.setBackend('cpu');
  const v = (shape) => tfjs.variable(tfjs.randomNormal(shape, 0, 0.1));
  const W = {
    ek: v([IN, EXPERTS * UNITS]), eb: v([EXPERTS * UNITS]),
    gk: Array.from({ length: TASKS }, () => v([IN, EXPERTS])), gb: Array.from({ length: TASKS }, () => v([EXPERTS])),
    t1: Array.from({ length: TASKS }, () => [v([UNITS, TOWER]), v([TOWER])]), t2: Array.from({ length: TASKS }, () => [v([TOWER, 1]), v([1])]),
  };
  const optimizer = tfjs.train.adam(0.001);
  const { x, ys } = data(tfjs);
  const loss = (xb, yb) => {
    const experts = tfjs.relu(tfjs.add(tfjs.matMul(xb, W.ek), W.eb)).reshape([-1, EXPERTS, UNITS]);
    return W.gk.map((gk, k) => {
      const gate = tfjs.softmax(tfjs.add(tfjs.matMul(xb, gk), W.gb[k])).expandDims(2);
      const mixed = tfjs.sum(tfjs.mul(gate, experts), 1);
      const hidden = tfjs.relu(tfjs.add(tfjs.matMul(mixed, W.t1[k][0]), W.t1[k][1]));
      return tfjs.losses.meanSquaredError(yb[k], tfjs.add(tfjs.matMul(hidden, W.t2[k][0]), W.t2[k][1]));
    }).reduce((a, b) => tfjs.add(a, b));
  };
  const times = [];
  for (let e = 0; e < EPOCHS; e++) {
    const start = nowMs();
    for (let b = 0; b < ROWS; b += BATCH) {
      const n = Math.min(BATCH, ROWS - b);
      tfjs.tidy(() => optimizer.minimize(() => loss(x.slice([b, 0], [n, IN]), ys.map(y => y.slice([b, 0], [n, 1])))));
    }
    times.push(nowMs() - start);
  }
  return times;
}

(async () => {
  const mmoe = mmoeModel();
  const shared = sharedBottomModel();
  const rows = [
    ['dense-mtl MMoE', mmoe.countParams(), await epochTimes(mmoe)],
    ['dense-mtl shared bottom', shared.countParams(), await epochTimes(shared)],
    ['@tensorflow/tfjs ops MMoE (cpu)', mmoe.countParams(), tfjsEpochTimes()],
  ];
  console.log(`${ROWS} rows × ${IN} features, ${TASKS} tasks, ${EXPERTS} experts × ${UNITS} units, towers ${TOWER}, batch ${BATCH}, Adam; median of ${EPOCHS} epochs`);
  for (const [name, params, times] of rows) console.log(`${name.padEnd(34)} ${String(params).padStart(7)} params  ${median(times).toFixed(1).padStart(8)} ms/epoch`);
})();
