'use strict';
// Shared helpers for the benchmark: timing, statistics, data and the workload definitions.
// Every workload is written against the TF.js Layers API only, so the very same code runs on
// dense-mtl and on @tensorflow/tfjs (whichever `tf` is passed in).
const fs = require('node:fs');
const path = require('node:path');

// ---- timing and statistics ----

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Runs `fn` (sync or async) `warmup` times untimed, then `reps` times timed; returns the times in ms.
async function timeRuns(fn, { reps, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = nowMs();
    await fn(i);
    times.push(nowMs() - start);
  }
  return times;
}

// ---- data ----

// Small deterministic PRNG (LCG) so that every process builds the same random data.
function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function loadIris() {
  const SPECIES = ['setosa', 'versicolor', 'virginica'];
  const file = path.join(__dirname, '..', 'data', 'iris.csv');
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map(line => line.split(','));
  return {
    features: rows.map(r => r.slice(0, 4).map(Number)),
    species: rows.map(r => SPECIES.indexOf(r[4])),
    petalWidth: rows.map(r => [Number(r[3])]),
  };
}

// `rows` random feature rows in [0, 1) and random one-hot labels over `classes` classes.
function randomClassification(tf, rows, cols, classes, seed = 1) {
  const rand = lcg(seed);
  const x = new Float32Array(rows * cols).map(rand);
  const labels = Int32Array.from({ length: rows }, () => Math.floor(rand() * classes));
  return { xs: tf.tensor2d(x, [rows, cols]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() };
}

// ---- models ----

// A Sequential MLP: units[0] inputs, then dense layers of units[1..], relu except a softmax output.
function mlp(tf, units, optimizer) {
  const model = tf.sequential();
  for (let i = 1; i < units.length; i++) {
    const last = i === units.length - 1;
    model.add(tf.layers.dense({
      units: units[i], activation: last ? 'softmax' : 'relu', ...(i === 1 ? { inputShape: [units[0]] } : {}),
    }));
  }
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

// Two-head Iris MTL: 4 → 16 relu → 16 relu → {species: 3 softmax, petal width: 1 linear}.
function irisMtl(tf) {
  const input = tf.input({ shape: [4] });
  const h1 = tf.layers.dense({ units: 16, activation: 'relu' }).apply(input);
  const h2 = tf.layers.dense({ units: 16, activation: 'relu' }).apply(h1);
  const species = tf.layers.dense({ units: 3, activation: 'softmax', name: 'species' }).apply(h2);
  const width = tf.layers.dense({ units: 1, name: 'petal_width' }).apply(h2);
  const model = tf.model({ inputs: input, outputs: [species, width] });
  model.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
  return model;
}

// Multiply-accumulates of one forward pass per row; training costs 6× that in FLOPs
// (2 per MAC forward, 4 per MAC backward: input and weight gradients).
const macsPerRow = (units) => units.slice(1).reduce((sum, out, i) => sum + units[i] * out, 0);

// ---- workloads ----
// Each takes (tf, plan) and resolves with a plain JSON-able result. `plan` holds the sizes and
// repetitions chosen by run.js for that backend (slow baselines get fewer rows and repetitions).

const IRIS_UNITS = [4, 10, 10, 3];
const W3_UNITS = [784, 256, 128, 10];
const W4_UNITS = [1024, 1024, 1024, 10];

async function irisFitTimes(tf, buildModel, targets, plan) {
  const iris = loadIris();
  const xs = tf.tensor2d(iris.features);
  const species = tf.oneHot(tf.tensor1d(iris.species, 'int32'), 3).toFloat();
  const ys = targets(tf, species, iris);
  const times = await timeRuns(async () => {
    const model = buildModel(tf); // fresh model each run
    await model.fit(xs, ys, { epochs: 100, batchSize: 32, verbose: 0 });
    model.dispose();
  }, { reps: plan.reps });
  return { rows: iris.features.length, epochs: 100, times, medianMs: median(times) };
}

const w1 = (tf, plan) => irisFitTimes(tf, t => mlp(t, IRIS_UNITS, 'sgd'), (t, species) => species, plan);

const w2 = (tf, plan) => irisFitTimes(tf, irisMtl, (t, species, iris) => [species, t.tensor2d(iris.petalWidth)], plan);

// Training throughput of one MLP: time `plan.reps` fits of `plan.epochs` epochs over `plan.rows` rows.
async function trainThroughput(tf, units, optimizer, batchSize, plan) {
  const { xs, ys } = randomClassification(tf, plan.rows, units[0], units[units.length - 1]);
  const model = mlp(tf, units, optimizer);
  // Warm-up: one (possibly partial) batch, so that first-call costs stay out of the timing.
  const warm = randomClassification(tf, plan.warmupRows ?? batchSize, units[0], units[units.length - 1], 2);
  await model.fit(warm.xs, warm.ys, { epochs: 1, batchSize, verbose: 0 });
  const times = await timeRuns(() => model.fit(xs, ys, { epochs: plan.epochs, batchSize, verbose: 0 }),
    { reps: plan.reps, warmup: 0 });
  const rowsPerSec = (plan.rows * plan.epochs) / (median(times) / 1000);
  const gflops = (6 * macsPerRow(units) * rowsPerSec) / 1e9;
  return { model, result: { rows: plan.rows, epochs: plan.epochs, times, medianMs: median(times), rowsPerSec, gflops } };
}

// Single-row predict latency: predict + read the values back + dispose, timed call by call.
async function predictLatency(tf, model, cols, calls) {
  const x = tf.tensor2d(new Float32Array(cols).map(lcg(3)), [1, cols]);
  const once = () => { const y = model.predict(x); y.dataSync(); y.dispose(); };
  const times = await timeRuns(once, { reps: calls, warmup: 20 });
  return { calls, medianUs: median(times) * 1000 };
}

async function w3(tf, plan) {
  const { model, result } = await trainThroughput(tf, W3_UNITS, 'adam', 128, plan);
  return { ...result, predict: await predictLatency(tf, model, W3_UNITS[0], plan.predictCalls) };
}

async function w4(tf, plan) {
  return (await trainThroughput(tf, W4_UNITS, 'sgd', 256, plan)).result;
}

const WORKLOADS = { w1, w2, w3, w4 };

/** dense-mtl, or TF.js on its cpu backend with its one-time banner silenced, for child-process runs. */
function loadLibrary(which) {
  if (which === 'ours') return require('..');
  const warn = console.warn;
  console.warn = () => {};
  const tf = require('@tensorflow/tfjs');
  tf.setBackend('cpu');
  tf.tensor([0]).dataSync(); // the one-time banner, silenced
  console.warn = warn;
  return tf;
}

module.exports = { nowMs, median, loadLibrary, timeRuns, WORKLOADS, IRIS_UNITS, W3_UNITS, W4_UNITS, macsPerRow };
