'use strict';
// Numeric parity with @tensorflow/tfjs 4.22: the same initial weights (copied from TF.js with
// setWeights), no shuffling, several epochs with a smaller last batch. Every weight and every
// history value must agree within 1e-4 (relative, or absolute below 1).
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const ROWS = 10; // with batchSize 4: batches of 4, 4 and 2
const FEATURES = 4;
const TOLERANCE = 1e-4;

/** Builds the same Sequential model in both libraries and copies TF.js's weights into ours. */
function twinModels({ hidden = 'tanh', output = 'linear', units = 3, loss, optimizer, metrics }) {
  const build = (lib) => {
    const m = lib.sequential();
    m.add(lib.layers.dense({ units: 5, activation: hidden, inputShape: [FEATURES] }));
    m.add(lib.layers.dense({ units, activation: output }));
    m.compile({ loss, optimizer: optimizer(lib), metrics });
    return m;
  };
  const theirs = build(tfjs);
  const ours = build(tf);
  setSameWeights(theirs, ours);
  return { ours, theirs };
}

/** The same fixed pseudo-random weights in both models, so that every run checks the same numbers. */
function setSameWeights(theirs, ours) {
  const values = theirs.getWeights().map((w, i) => seededValues(w.size, 100 + i, -0.6, 0.6));
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, theirs.getWeights()[i].shape)));
  ours.setWeights(values.map((v, i) => tf.tensor(v, theirs.getWeights()[i].shape)));
}

async function fitBoth(models, x, y, options = {}) {
  const args = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, ...options };
  const theirs = await models.theirs.fit(tfjs.tensor2d(x), tfjs.tensor2d(y), args);
  const ours = await models.ours.fit(tf.tensor2d(x), tf.tensor2d(y), args);
  return { ours, theirs };
}

function expectSameHistory(histories) {
  expect(Object.keys(histories.ours.history)).toEqual(Object.keys(histories.theirs.history));
  for (const key of Object.keys(histories.theirs.history)) {
    expect({ key, error: maxRelativeError(histories.ours.history[key], histories.theirs.history[key]) })
      .toEqual({ key, error: expect.toBeWithin(0, TOLERANCE) });
  }
}

function expectSameWeights(models) {
  const theirs = models.theirs.getWeights();
  const ours = models.ours.getWeights();
  expect(ours.map(w => w.shape)).toEqual(theirs.map(w => w.shape));
  theirs.forEach((w, i) => {
    expect({ weight: i, error: maxRelativeError(ours[i].dataSync(), w.dataSync()) }).toEqual({ weight: i, error: expect.toBeWithin(0, TOLERANCE) });
  });
}

expect.extend({
  toBeWithin(received, lo, hi) {
    const pass = received >= lo && received <= hi;
    return { pass, message: () => `expected ${received} to be within [${lo}, ${hi}]` };
  },
});

const x = [];
const xs = seededValues(ROWS * FEATURES, 7);
for (let r = 0; r < ROWS; r++) x.push(xs.slice(r * FEATURES, (r + 1) * FEATURES));

/** Targets suited to each loss, and the output activation that keeps predictions in its domain. */
function taskFor(loss) {
  const u = seededValues(ROWS * 3, 11, 0, 1);
  const classes = u.slice(0, ROWS).map(v => Math.floor(v * 3));
  const oneHot = classes.map(c => [0, 1, 2].map(k => (k === c ? 1 : 0)));
  const rows = (f) => Array.from({ length: ROWS }, (_, r) => f(r));
  switch (loss) {
    case 'categoricalCrossentropy': return { output: 'softmax', y: oneHot };
    case 'sparseCategoricalCrossentropy': return { output: 'softmax', y: classes.map(c => [c]) };
    case 'kullbackLeiblerDivergence': return { output: 'softmax', y: rows(r => { const v = u.slice(r * 3, r * 3 + 3); const s = v.reduce((a, b) => a + b); return v.map(q => q / s); }) };
    case 'binaryCrossentropy': return { output: 'sigmoid', y: rows(r => u.slice(r * 3, r * 3 + 3).map(v => (v > 0.5 ? 1 : 0))) };
    case 'hinge': case 'squaredHinge': return { output: 'linear', y: rows(r => u.slice(r * 3, r * 3 + 3).map(v => (v > 0.5 ? 1 : -1))) };
    case 'categoricalHinge': return { output: 'linear', y: oneHot };
    case 'poisson': case 'meanSquaredLogarithmicError': return { output: 'softplus', y: rows(r => u.slice(r * 3, r * 3 + 3).map(v => 3 * v)) };
    case 'meanAbsolutePercentageError': return { output: 'linear', y: rows(r => u.slice(r * 3, r * 3 + 3).map(v => 1 + v)) };
    default: return { output: 'linear', y: rows(r => u.slice(r * 3, r * 3 + 3).map(v => 2 * v - 1)) };
  }
}

const LOSSES = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError',
  'squaredHinge', 'hinge', 'categoricalHinge', 'logcosh', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
  'binaryCrossentropy', 'kullbackLeiblerDivergence', 'poisson', 'cosineProximity'];

describe('each loss trains as in TF.js', () => {
  test.each(LOSSES)('%s', async (loss) => {
    const { output, y } = taskFor(loss);
    const models = twinModels({ output, loss, optimizer: lib => lib.train.sgd(0.1) });
    expectSameHistory(await fitBoth(models, x, y));
    expectSameWeights(models);
  });
});

const ACTIVATIONS = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus',
  'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new'];

describe('each activation trains as in TF.js', () => {
  test.each(ACTIVATIONS)('%s', async (activation) => {
    const { y } = taskFor('meanSquaredError');
    const models = twinModels({ hidden: activation, loss: 'meanSquaredError', optimizer: lib => lib.train.sgd(0.2) });
    expectSameHistory(await fitBoth(models, x, y));
    expectSameWeights(models);
  });
});

const OPTIMIZERS = {
  'sgd (string)': () => 'sgd',
  'adam (string)': () => 'adam',
  'adamax (string)': () => 'adamax',
  'rmsprop (string)': () => 'rmsprop',
  'adagrad (string)': () => 'adagrad',
  'adadelta (string)': () => 'adadelta',
  'train.sgd': lib => lib.train.sgd(0.05),
  'train.momentum': lib => lib.train.momentum(0.05, 0.9),
  'train.momentum nesterov': lib => lib.train.momentum(0.05, 0.9, true),
  'train.adam': lib => lib.train.adam(0.01, 0.8, 0.99),
  'train.adamax': lib => lib.train.adamax(0.01, 0.9, 0.999, undefined, 0.01),
  'train.rmsprop': lib => lib.train.rmsprop(0.01, 0.9, 0.5),
  'train.rmsprop centered': lib => lib.train.rmsprop(0.01, 0.9, 0.5, 1e-10, true),
  'train.adagrad': lib => lib.train.adagrad(0.05, 0.2),
  'train.adadelta': lib => lib.train.adadelta(1, 0.9),
};

describe('each optimizer trains as in TF.js', () => {
  test.each(Object.keys(OPTIMIZERS))('%s', async (name) => {
    const { output, y } = taskFor('categoricalCrossentropy');
    const models = twinModels({ output, loss: 'categoricalCrossentropy', optimizer: OPTIMIZERS[name], metrics: ['accuracy'] });
    expectSameHistory(await fitBoth(models, x, y, { epochs: 4 }));
    expectSameWeights(models);
  });
});

describe('fit options and logs as in TF.js', () => {
  test('validationSplit, metrics and regularizers give the same history keys and values', async () => {
    const build = (lib) => {
      const m = lib.sequential();
      m.add(lib.layers.dense({ units: 6, activation: 'relu', inputShape: [FEATURES], kernelRegularizer: lib.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }));
      m.add(lib.layers.dense({ units: 1, activation: 'sigmoid', biasRegularizer: lib.regularizers.l2({ l2: 0.1 }) }));
      m.compile({ loss: 'binaryCrossentropy', optimizer: lib.train.adam(0.02), metrics: ['accuracy', 'mse'] });
      return m;
    };
    const models = { theirs: build(tfjs), ours: build(tf) };
    setSameWeights(models.theirs, models.ours);
    const y = x.map(r => [r[0] + r[1] > 0 ? 1 : 0]);
    const histories = await fitBoth(models, x, y, { epochs: 5, validationSplit: 0.3 });
    expect(Object.keys(histories.ours.history)).toEqual(['val_loss', 'val_acc', 'val_mse', 'loss', 'acc', 'mse']);
    expectSameHistory(histories);
    expectSameWeights(models);
  });

  test('validationData, classWeight and initialEpoch', async () => {
    const { output, y } = taskFor('categoricalCrossentropy');
    const models = twinModels({ output, loss: 'categoricalCrossentropy', optimizer: lib => lib.train.sgd(0.3), metrics: ['acc'] });
    const theirs = await models.theirs.fit(tfjs.tensor2d(x), tfjs.tensor2d(y), {
      epochs: 4, initialEpoch: 1, batchSize: 3, shuffle: false, verbose: 0, classWeight: { 0: 2, 1: 0.5, 2: 1 },
      validationData: [tfjs.tensor2d(x.slice(0, 4)), tfjs.tensor2d(y.slice(0, 4))],
    });
    const ours = await models.ours.fit(tf.tensor2d(x), tf.tensor2d(y), {
      epochs: 4, initialEpoch: 1, batchSize: 3, shuffle: false, verbose: 0, classWeight: { 0: 2, 1: 0.5, 2: 1 },
      validationData: [tf.tensor2d(x.slice(0, 4)), tf.tensor2d(y.slice(0, 4))],
    });
    expect(ours.epoch).toEqual(theirs.epoch);
    expectSameHistory({ ours, theirs });
    expectSameWeights(models);
  });

  test('stopTraining set mid-epoch ends that epoch with the means of the batches run, as in TF.js', async () => {
    const run = async (lib) => {
      const m = lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones' })] });
      m.compile({ optimizer: lib.train.sgd(0.01), loss: 'meanSquaredError' });
      const events = [];
      const h = await m.fit(lib.tensor2d([[1], [2], [3], [4], [5]]), lib.tensor2d([[2], [4], [6], [8], [10]]), {
        epochs: 3, batchSize: 2, shuffle: false, verbose: 0,
        callbacks: { onBatchEnd: (b) => { events.push(`batch ${b}`); if (b === 1) m.stopTraining = true; }, onEpochEnd: (e, l) => events.push(`epoch ${e} ${Object.keys(l)}`) },
      });
      return { events, epochs: h.epoch, loss: h.history.loss };
    };
    const [theirs, ours] = [await run(tfjs), await run(tf)];
    expect(ours.events).toEqual(theirs.events);
    expect(ours.epochs).toEqual(theirs.epochs);
    expect(maxRelativeError(ours.loss, theirs.loss)).toBeLessThan(TOLERANCE);
  });

  test('evaluate and predict agree', async () => {
    const { output, y } = taskFor('categoricalCrossentropy');
    const models = twinModels({ output, loss: 'categoricalCrossentropy', optimizer: lib => lib.train.sgd(0.1), metrics: ['accuracy'] });
    const theirs = models.theirs.evaluate(tfjs.tensor2d(x), tfjs.tensor2d(y), { batchSize: 3 }).map(t => t.dataSync()[0]);
    const ours = models.ours.evaluate(tf.tensor2d(x), tf.tensor2d(y), { batchSize: 3 }).map(t => t.dataSync()[0]);
    expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-6);
    const p1 = models.theirs.predict(tfjs.tensor2d(x)).dataSync();
    const p2 = models.ours.predict(tf.tensor2d(x)).dataSync();
    expect(maxRelativeError(p2, p1)).toBeLessThan(1e-6);
  });

  test('trainOnBatch returns the same values', async () => {
    const { output, y } = taskFor('categoricalCrossentropy');
    const models = twinModels({ output, loss: 'categoricalCrossentropy', optimizer: lib => lib.train.adam(0.01), metrics: ['accuracy'] });
    for (let i = 0; i < 3; i++) {
      const theirs = await models.theirs.trainOnBatch(tfjs.tensor2d(x), tfjs.tensor2d(y));
      const ours = await models.ours.trainOnBatch(tf.tensor2d(x), tf.tensor2d(y));
      expect(maxRelativeError(ours, theirs)).toBeLessThan(TOLERANCE);
    }
    expectSameWeights(models);
  });
});

describe('names and structure as in TF.js', () => {
  test('summary prints the same table', () => {
    const lines = { ours: [], theirs: [] };
    const build = (lib) => {
      const m = lib.sequential({ name: 'parity_summary' });
      m.add(lib.layers.dense({ units: 10, activation: 'relu', inputShape: [4], name: 'hidden_a' }));
      m.add(lib.layers.dropout({ rate: 0.2, name: 'drop' }));
      m.add(lib.layers.dense({ units: 3, activation: 'softmax', name: 'probs', trainable: false }));
      return m;
    };
    build(tfjs).summary(undefined, undefined, l => lines.theirs.push(l));
    build(tf).summary(undefined, undefined, l => lines.ours.push(l));
    expect(lines.ours).toEqual(lines.theirs);
  });

  test('weights are listed trainable first, with TF.js names', () => {
    const build = (lib) => {
      const m = lib.sequential();
      m.add(lib.layers.dense({ units: 3, inputShape: [2], name: 'a', trainable: false }));
      m.add(lib.layers.dense({ units: 2, name: 'b' }));
      return m;
    };
    const names = (m) => m.weights.map(w => w.name);
    expect(names(build(tf))).toEqual(names(build(tfjs)));
  });
});
