'use strict';
// `npm run keras-roundtrip`: the way out when a model outgrows one machine, run end to end.
//   1. trains a three-head model here and saves it (file://, with includeOptimizer);
//   2. scripts/keras-roundtrip.py converts it to .h5 (tensorflowjs_converter), continues training
//      in Keras under tf.distribute.MirroredStrategy over 2 logical CPU devices, saves .h5 and
//      converts it back to a TF.js layers model, recording Keras's predictions;
//   3. loads that model here and checks its predictions against Keras's.
// Needs the Python environment of scripts/make-keras-fixtures.sh (`--venv-only` makes just it).
// `npm run keras-roundtrip -- --keep` keeps the files (the .h5 files and both TF.js models).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const tf = require('..');

const ROOT = path.join(__dirname, '..');
const PYTHON = process.env.KERAS_PYTHON || path.join(ROOT, '.venv-keras', 'bin', 'python');
const ROWS = 2048;
const FEATURES = 8;
const TOLERANCE = 1e-5;

function needPython() {
  const probe = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import tensorflowjs'], { stdio: 'ignore', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (!probe || probe.status !== 0) {
    console.error(`keras-roundtrip needs Python with TensorFlow 2.19, Keras 3 and tensorflowjs 4.22 (${PYTHON}).\n`
      + 'Make it once (about 1.5 GB, a few minutes) with:\n\n    bash scripts/make-keras-fixtures.sh --venv-only\n\n'
      + 'or point KERAS_PYTHON at a python that has `pip install tensorflowjs==4.22.0 ydf==0.13.0`.');
    process.exit(2);
  }
}

/** A seeded pseudo-random stream (an LCG: repeatable data, not quality). */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 * 2 - 1;
  };
}

/** Features and three targets: a regression, 3 classes (one-hot) and a binary label. */
function makeData(rows, seed) {
  const r = random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: FEATURES }, r));
  const reg = x.map(v => [v[0] * 0.5 - v[1] + 0.25 * v[2] * v[3]]);
  const cls = x.map((v) => {
    const k = [v[4], v[5], v[6]].indexOf(Math.max(v[4], v[5], v[6]));
    return [0, 1, 2].map(i => (i === k ? 1 : 0));
  });
  const bin = x.map(v => [v[7] + v[0] > 0 ? 1 : 0]);
  return { x, y: { reg, cls, bin } };
}

function buildModel() {
  const input = tf.input({ shape: [FEATURES], name: 'features' });
  const trunk = tf.layers.dense({ units: 32, activation: 'relu', name: 'trunk' }).apply(input);
  const shared = tf.layers.dense({ units: 16, activation: 'relu', name: 'shared' }).apply(trunk);
  const reg = tf.layers.dense({ units: 1, name: 'reg' }).apply(shared);
  const cls = tf.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(shared);
  const bin = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'bin' }).apply(shared);
  const model = tf.model({ inputs: input, outputs: [reg, cls, bin], name: 'multitask' });
  model.compile({
    optimizer: tf.train.adam(0.005),
    loss: { reg: 'mse', cls: 'categoricalCrossentropy', bin: 'binaryCrossentropy' },
    lossWeights: { reg: 1, cls: 0.5, bin: 2 },
    metrics: { cls: ['accuracy'], bin: ['accuracy'] },
  });
  return model;
}

const seconds = (start) => Number(((Date.now() - start) / 1000).toFixed(1));
const lossOf = (model, data) => model.evaluate(tf.tensor2d(data.x), ['reg', 'cls', 'bin'].map(k => tf.tensor2d(data.y[k])), { batchSize: data.x.length })[0].dataSync()[0];

async function main() {
  needPython();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-keras-roundtrip-'));
  const train = makeData(ROWS, 1);
  const check = makeData(64, 2);
  fs.writeFileSync(path.join(work, 'data.json'), JSON.stringify({ train, check }));

  let start = Date.now();
  const model = buildModel();
  const initialLoss = lossOf(model, train);
  await model.fit(tf.tensor2d(train.x), ['reg', 'cls', 'bin'].map(k => tf.tensor2d(train.y[k])), { epochs: 10, batchSize: 64, verbose: 0 });
  const lossHere = lossOf(model, train);
  await model.save(`file://${path.join(work, 'dense-mtl')}`, { includeOptimizer: true });
  const trainedHere = seconds(start);

  start = Date.now();
  const python = spawnSync(PYTHON, [path.join(__dirname, 'keras-roundtrip.py'), work], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (python.status !== 0) {
    process.stderr.write(python.stderr);
    throw new Error(`scripts/keras-roundtrip.py failed (exit ${python.status})`);
  }
  const keras = JSON.parse(fs.readFileSync(path.join(work, 'keras.json'), 'utf8'));
  const inKeras = seconds(start);

  const back = await tf.loadLayersModel(`file://${path.join(work, 'back', 'model.json')}`);
  const ours = back.predict(tf.tensor2d(check.x)).map(t => Array.from(t.dataSync()));
  const theirs = keras.predictions.map(p => p.flat());
  let maxDiff = 0;
  ours.forEach((o, i) => o.forEach((v, k) => { maxDiff = Math.max(maxDiff, Math.abs(v - theirs[i][k])); }));
  const lossBack = back.compiled ? lossOf(back, train) : null;

  const report = {
    rows: ROWS,
    lossBeforeTraining: initialLoss,
    lossAfter10EpochsHere: lossHere,
    kerasLossOnLoad: keras.lossOnLoad,
    kerasDevices: keras.devices,
    kerasLossAfterMirroredTraining: keras.lossAfter,
    lossHereAfterLoadingBack: lossBack,
    maxPredictionDifference: maxDiff,
    seconds: { trainHere: trainedHere, convertTrainInKerasConvertBack: inKeras },
  };
  console.log(JSON.stringify(report, null, 2));
  if (process.argv.includes('--keep')) console.log(`files kept in ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
  if (!(maxDiff <= TOLERANCE)) throw new Error(`predictions after the round trip differ from Keras's by ${maxDiff} (more than ${TOLERANCE})`);
  console.log(`keras-roundtrip: OK, predictions within ${maxDiff.toExponential(2)} of Keras`);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
