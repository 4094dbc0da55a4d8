'use strict';
// batchNormalization and layerNormalization against @tensorflow/tfjs 4.22: the same initial
// weights (TF.js's shapes, set in both), then inference, training steps (batch statistics and
// moving-statistics updates), multi-epoch fits, trainOnBatch, fitDataset and model files both
// ways. Values agree within 1e-4 (relative, or absolute below 1).
const fs = require('fs');
const path = require('path');
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const TOLERANCE = 1e-4;
const FEATURES = 4;
const X = Array.from({ length: 10 }, (_, i) => seededValues(FEATURES, 11 + i, -2, 3));
const Y = X.map(([a, b, c, d]) => [a * b - c, Math.sin(d) + 0.5 * a]);

/**
 * dense → batchNormalization → dense(tanh) → layerNormalization → dense: both layers in one net.
 * `bn` and `ln` are options, or functions of the library giving them.
 */
function buildNet(lib, { bn = {}, ln = {}, optimizer = l => l.train.adam(0.05), compile = true } = {}) {
  const of = (opts) => (typeof opts === 'function' ? opts(lib) : opts);
  const m = lib.sequential();
  m.add(lib.layers.dense({ units: 5, activation: 'relu', inputShape: [FEATURES], name: 'd1' }));
  m.add(lib.layers.batchNormalization({ name: 'bn', momentum: 0.9, ...of(bn) }));
  m.add(lib.layers.dense({ units: 4, activation: 'tanh', name: 'd2' }));
  m.add(lib.layers.layerNormalization({ name: 'ln', ...of(ln) }));
  m.add(lib.layers.dense({ units: 2, name: 'out' }));
  if (compile) m.compile({ optimizer: optimizer(lib), loss: 'meanSquaredError', metrics: ['mae'] });
  return m;
}

/** A weight's name without the `_<n>` TF.js appends when a name is reused in another model. */
const baseName = (name) => name.replace(/_\d+$/, '');

/** Fixed pseudo-random weights in both models; variances positive, gammas near 1. */
function setSameWeights(theirs, ours) {
  const values = theirs.weights.map((w, i) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const kind = baseName(w.name).split('/').pop();
    if (kind === 'moving_variance') return seededValues(n, 200 + i, 0.5, 2);
    if (kind === 'gamma') return seededValues(n, 200 + i, 0.7, 1.3);
    return seededValues(n, 200 + i, -0.6, 0.6);
  });
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, theirs.weights[i].shape)));
  ours.setWeights(values.map((v, i) => tf.tensor(v, theirs.weights[i].shape)));
}

function twins(options) {
  const theirs = buildNet(tfjs, options);
  const ours = buildNet(tf, options);
  expect(ours.weights.map(w => w.name)).toEqual(theirs.weights.map(w => baseName(w.name)));
  // TF.js flags a frozen layer's weights trainable (dense-mtl: false, they do not train).
  const frozen = (w) => /^bn\/(gamma|beta)$/.test(w.name) && options?.bn?.trainable === false;
  expect(ours.weights.map(w => w.trainable || frozen(w))).toEqual(theirs.weights.map(w => w.trainable));
  setSameWeights(theirs, ours);
  return { theirs, ours };
}

const values = (t) => Array.from(t.dataSync());

function expectSameWeights({ ours, theirs }) {
  const [o, t] = [ours.getWeights(), theirs.getWeights()];
  expect(o.map(w => w.shape)).toEqual(t.map(w => w.shape));
  t.forEach((w, i) => expect({ weight: ours.weights[i].name, error: maxRelativeError(values(o[i]), values(w)) })
    .toEqual({ weight: ours.weights[i].name, error: expect.toBeWithin(0, TOLERANCE) }));
}

function expectSamePredictions(ours, theirs, x = X) {
  const error = maxRelativeError(values(ours.predict(tf.tensor2d(x))), values(theirs.predict(tfjs.tensor2d(x))));
  expect(error).toBeLessThanOrEqual(TOLERANCE);
}

expect.extend({
  toBeWithin(received, lo, hi) {
    const pass = received >= lo && received <= hi;
    return { pass, message: () => `expected ${received} to be within [${lo}, ${hi}]` };
  },
});

const weightByName = (model, name) => values(model.getWeights()[model.weights.findIndex(w => baseName(w.name) === name)]);

describe('inference (moving statistics)', () => {
  test('predict equals TF.js with non-default moving statistics, gamma and beta', () => {
    const models = twins();
    expectSamePredictions(models.ours, models.theirs);
  });

  test('center: false and scale: false drop beta and gamma as TF.js does (names, order, predictions)', () => {
    for (const opts of [{ center: false }, { scale: false }, { center: false, scale: false }]) {
      const models = twins({ bn: opts, ln: opts });
      expect(models.ours.weights.map(w => w.name)).toEqual(models.theirs.weights.map(w => baseName(w.name)));
      expectSamePredictions(models.ours, models.theirs);
    }
  });

  test('summary rows count every weight; the moving statistics are non-trainable', () => {
    const lines = [];
    buildNet(tf).summary(undefined, undefined, l => lines.push(l));
    const theirLines = [];
    buildNet(tfjs).summary(undefined, undefined, l => theirLines.push(l));
    const rows = (ls) => ls.join('\n').split('\n').filter(l => /^(bn|ln) |params/.test(l));
    expect(rows(lines)).toEqual(rows(theirLines));
    expect(rows(lines)).toContain('Non-trainable params: 10');
  });
});

describe('training (batch statistics, moving-statistics updates)', () => {
  test('trainOnBatch: the training-mode loss and every weight, moving statistics included, equal TF.js', async () => {
    const models = twins({ optimizer: l => l.train.sgd(0.1) });
    for (const rows of [X.slice(0, 6), X.slice(6), X.slice(2, 9)]) {
      const ys = Y.slice(0, rows.length);
      const theirs = await models.theirs.trainOnBatch(tfjs.tensor2d(rows), tfjs.tensor2d(ys));
      const ours = await models.ours.trainOnBatch(tf.tensor2d(rows), tf.tensor2d(ys));
      expect(maxRelativeError(ours, theirs)).toBeLessThanOrEqual(TOLERANCE);
    }
    expectSameWeights(models);
    // The steps moved the moving statistics away from where they started.
    const start = twins().ours;
    expect(maxRelativeError(weightByName(models.ours, 'bn/moving_mean'), weightByName(start, 'bn/moving_mean'))).toBeGreaterThan(1e-3);
  });

  // SGD with a last batch of 2 rows, and Adam with batches of 5: with 2 rows, x̂ is ±1 up to
  // epsilon, so the gradient below batch normalization is tiny and made of cancelling terms,
  // and Adam (which divides by its own size) would turn rounding differences into full steps.
  test.each([
    ['SGD, batches of 4, 4 and 2', l => l.train.sgd(0.1), 4],
    ['Adam, batches of 5', l => l.train.adam(0.05), 5],
  ])('a 3-epoch fit (%s) with validation: history and final weights equal TF.js', async (_, optimizer, batchSize) => {
    const models = twins({ optimizer });
    const args = { epochs: 3, batchSize, shuffle: false, verbose: 0, validationData: [X.slice(0, 5), Y.slice(0, 5)] };
    const run = (lib, model) => model.fit(lib.tensor2d(X), lib.tensor2d(Y),
      { ...args, validationData: [lib.tensor2d(args.validationData[0]), lib.tensor2d(args.validationData[1])] });
    const theirs = await run(tfjs, models.theirs);
    const ours = await run(tf, models.ours);
    expect(Object.keys(ours.history)).toEqual(Object.keys(theirs.history));
    for (const key of Object.keys(theirs.history)) {
      expect({ key, error: maxRelativeError(ours.history[key], theirs.history[key]) }).toEqual({ key, error: expect.toBeWithin(0, TOLERANCE) });
    }
    expectSameWeights(models);
    expectSamePredictions(models.ours, models.theirs);
  });

  test('a frozen batchNormalization keeps gamma and beta but, as in TF.js 4.22, updates its moving statistics', async () => {
    const models = twins({ bn: { trainable: false }, optimizer: l => l.train.sgd(0.1) });
    const gamma = weightByName(models.ours, 'bn/gamma');
    const mean = weightByName(models.ours, 'bn/moving_mean');
    const args = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 };
    await models.theirs.fit(tfjs.tensor2d(X), tfjs.tensor2d(Y), args);
    await models.ours.fit(tf.tensor2d(X), tf.tensor2d(Y), args);
    expectSameWeights(models);
    expect(weightByName(models.ours, 'bn/gamma')).toEqual(gamma);
    expect(maxRelativeError(weightByName(models.ours, 'bn/moving_mean'), mean)).toBeGreaterThan(1e-3);
  });

  test('fitDataset trains as fit does and as TF.js does', async () => {
    const models = twins({ optimizer: l => l.train.sgd(0.1) });
    const data = lib => lib.data.zip({ xs: lib.data.array(X), ys: lib.data.array(Y) }).batch(3);
    const theirs = await models.theirs.fitDataset(data(tfjs), { epochs: 2, verbose: 0 });
    const ours = await models.ours.fitDataset(data(tf), { epochs: 2, verbose: 0 });
    expect(maxRelativeError(ours.history.loss, theirs.history.loss)).toBeLessThanOrEqual(TOLERANCE);
    expectSameWeights(models);
  });

  test('a fit handed back to JavaScript every batch (onBatchEnd) updates the moving statistics once per step', async () => {
    const models = twins({ optimizer: l => l.train.sgd(0.1) });
    const args = { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 };
    let batches = 0;
    await models.theirs.fit(tfjs.tensor2d(X), tfjs.tensor2d(Y), args);
    await models.ours.fit(tf.tensor2d(X), tf.tensor2d(Y), { ...args, callbacks: { onBatchEnd: async () => { batches += 1; } } });
    expect(batches).toBe(8);
    expectSameWeights(models);
  });

  test('predict after fit uses the moving statistics, not the statistics of the rows it is given', async () => {
    const models = twins();
    await models.ours.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: 2, batchSize: 5, verbose: 0, shuffle: false });
    // One row predicted alone and within a batch gives the same output: no batch statistics.
    const alone = values(models.ours.predict(tf.tensor2d([X[3]])));
    const inBatch = values(models.ours.predict(tf.tensor2d(X))).slice(6, 8);
    expect(maxRelativeError(alone, inBatch)).toBeLessThan(1e-6);
    // And it equals TF.js with the weights (moving statistics included) copied over.
    models.theirs.setWeights(models.ours.getWeights().map(w => tfjs.tensor(values(w), w.shape)));
    expectSamePredictions(models.ours, models.theirs);
  });

  test('rows without a label (NaN targets of one output) still count in the batch statistics', async () => {
    // The moving statistics after one step depend on the inputs and the weights before it only.
    const twoHeads = () => {
      const input = tf.input({ shape: [FEATURES] });
      const trunk = tf.layers.batchNormalization({ name: 'bn' }).apply(tf.layers.dense({ units: 5, activation: 'relu', name: 'd1' }).apply(input));
      const model = tf.model({ inputs: input, outputs: [tf.layers.dense({ units: 1, name: 'a' }).apply(trunk), tf.layers.dense({ units: 1, name: 'b' }).apply(trunk)] });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      return model;
    };
    const [all, masked, fewer] = [twoHeads(), twoHeads(), twoHeads()];
    masked.setWeights(all.getWeights());
    fewer.setWeights(all.getWeights());
    const ya = Y.map(y => [y[0]]);
    const yb = Y.map((y, i) => [i % 3 === 0 ? NaN : y[1]]);
    await all.trainOnBatch(tf.tensor2d(X), [tf.tensor2d(ya), tf.tensor2d(Y.map(y => [y[1]]))]);
    await masked.trainOnBatch(tf.tensor2d(X), [tf.tensor2d(ya), tf.tensor2d(yb)]);
    await fewer.trainOnBatch(tf.tensor2d(X.slice(1)), [tf.tensor2d(ya.slice(1)), tf.tensor2d(Y.slice(1).map(y => [y[1]]))]);
    expect(weightByName(masked, 'bn/moving_mean')).toEqual(weightByName(all, 'bn/moving_mean'));
    expect(weightByName(masked, 'bn/moving_variance')).toEqual(weightByName(all, 'bn/moving_variance'));
    expect(maxRelativeError(weightByName(fewer, 'bn/moving_mean'), weightByName(all, 'bn/moving_mean'))).toBeGreaterThan(1e-4);
    expect(maxRelativeError(weightByName(masked, 'b/kernel'), weightByName(all, 'b/kernel'))).toBeGreaterThan(1e-4);
  });
});

describe('model files', () => {
  /** The artifacts `model.save` hands to a save handler. */
  async function artifactsOf(model, lib) {
    let saved;
    await model.save(lib.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    return saved;
  }

  test('our save → TF.js load: same topology config, weights (moving statistics included) and predictions', async () => {
    const models = twins({ bn: lib => ({ epsilon: 0.01, gammaRegularizer: lib.regularizers.l2() }), ln: { epsilon: 1e-5, center: false } });
    await models.ours.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: 2, batchSize: 4, verbose: 0 });
    const ours = await artifactsOf(models.ours, tf);
    const theirsSaved = await artifactsOf(models.theirs, tfjs);
    const layers = (a) => a.modelTopology.config.layers.filter(l => /Normalization/.test(l.class_name));
    expect(layers(ours)).toEqual(layers(theirsSaved));
    expect(ours.weightSpecs.map(s => s.name)).toEqual(theirsSaved.weightSpecs.map(s => baseName(s.name)));
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(ours));
    expect(maxRelativeError(values(loaded.predict(tfjs.tensor2d(X))), values(models.ours.predict(tf.tensor2d(X))))).toBeLessThanOrEqual(TOLERANCE);
  });

  test('TF.js save after a fit → our load: same weights and predictions', async () => {
    const theirs = buildNet(tfjs, { bn: { center: false }, ln: { scale: false } });
    await theirs.fit(tfjs.tensor2d(X), tfjs.tensor2d(Y), { epochs: 2, batchSize: 4, verbose: 0 }).catch(() => {});
    // TF.js 4.22 cannot train batchNormalization without center (it reads the missing beta), so
    // the moving statistics come from setWeights instead.
    theirs.setWeights(theirs.weights.map((w, i) => tfjs.tensor(seededValues(w.shape.reduce((a, b) => a * b, 1), 300 + i, 0.5, 1.5), w.shape)));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs)));
    expect(loaded.weights.map(w => w.name)).toEqual(theirs.weights.map(w => baseName(w.name)));
    expect(loaded.getLayer('bn').getConfig()).toMatchObject({ center: false, scale: true, momentum: 0.9, epsilon: 1e-3 });
    expectSamePredictions(loaded, theirs);
  });

  test('a TF.js-trained model with both layers loads with its moving statistics', async () => {
    const theirs = buildNet(tfjs);
    await theirs.fit(tfjs.tensor2d(X), tfjs.tensor2d(Y), { epochs: 2, batchSize: 4, verbose: 0 });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs)));
    expectSamePredictions(loaded, theirs);
    expect(maxRelativeError(weightByName(loaded, 'bn/moving_variance'), values(theirs.getLayer('bn').getWeights()[3]))).toBe(0);
  });
});

// Made by scripts/make-normalization-fixtures.py with Keras 3 and tensorflowjs_converter 4.22.
describe('Keras 3 files, and ours read by the Keras converter', () => {
  const DIR = path.join(__dirname, 'fixtures', 'keras', 'normalization');
  const record = (name) => JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8'));
  const predict = (model, rec) => values(model.predict(tf.tensor2d(rec.x)));

  test.each([['the .keras file itself', 'keras3.keras'], ['.h5 through the converter', 'keras3-from-h5/model.json']])(
    'a trained Keras 3 model (%s) predicts as Keras does, with its moving statistics', async (_, file) => {
      const rec = record('keras3.json');
      const model = await tf.loadLayersModel(`file://${path.join(DIR, file)}`);
      expect(model.layers.map(l => l.className)).toEqual(['Dense', 'BatchNormalization', 'Dense', 'LayerNormalization', 'Dense']);
      expect(maxRelativeError(predict(model, rec), rec.predictions.flat())).toBeLessThanOrEqual(1e-5);
    });

  test('a model we saved, converted to .h5 and loaded by Keras 3, predicts as we do', async () => {
    const rec = record('ours-in-keras.json');
    const model = await tf.loadLayersModel(`file://${path.join(DIR, 'ours', 'model.json')}`);
    expect(maxRelativeError(predict(model, rec), rec.predictions.flat())).toBeLessThanOrEqual(1e-5);
    // Keras read the moving statistics we trained (not its initial zeros and ones).
    const keras = Object.entries(rec.weights).find(([name]) => name.endsWith('moving_variance'))[1];
    expect(maxRelativeError(weightByName(model, 'batch_normalization/moving_variance'), keras)).toBeLessThanOrEqual(1e-7);
    expect(keras.some(v => Math.abs(v - 1) > 1e-3)).toBe(true);
  });
});

describe('bad arguments', () => {
  test.each([
    ['batchNormalization', { axis: 0 }, "axis must be -1 (the feature axis; dense-mtl works on [batch, features] data) but got 0"],
    ['batchNormalization', { axis: [1, 2] }, 'axis must be -1 (the feature axis; dense-mtl works on [batch, features] data) but got [1,2]'],
    ['batchNormalization', { momentum: 1.5 }, 'momentum must be a number in [0, 1] but got 1.5'],
    ['batchNormalization', { momentum: '0.9' }, "momentum must be a number in [0, 1] but got '0.9'"],
    ['batchNormalization', { epsilon: 0 }, 'epsilon must be a finite number > 0 but got 0'],
    ['batchNormalization', { epsilon: NaN }, 'epsilon must be a finite number but got NaN'],
    ['batchNormalization', { center: 1 }, 'center must be true or false but got 1'],
    ['batchNormalization', { gammaInitializer: 'bogus' }, "gammaInitializer: Unknown initializer 'bogus'"],
    ['batchNormalization', { movingVarianceInitializer: 7 }, 'movingVarianceInitializer must be an initializer name'],
    ['batchNormalization', { betaRegularizer: 'l3' }, "betaRegularizer: Unknown regularizer 'l3'"],
    ['batchNormalization', { gammaConstraint: 'nonNeg' }, 'gammaConstraint is not supported (dense-mtl has no weight constraints)'],
    ['layerNormalization', { axis: 2 }, 'axis must be -1 (the feature axis; dense-mtl works on [batch, features] data) but got 2'],
    ['layerNormalization', { epsilon: -1 }, 'epsilon must be a finite number > 0 but got -1'],
    ['layerNormalization', { scale: 'yes' }, "scale must be true or false but got 'yes'"],
  ])('%s(%j) is refused naming the argument', (factory, args, message) => {
    expect(() => tf.layers[factory]({ name: 'n', ...args })).toThrow(`${factory} 'n': ${message}`);
  });

  test('an invalid initializer parameter is refused when the layer is made (the core builds it), and the model is unchanged', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, inputShape: [2], name: 'd' }));
    const before = model.getWeights().map(values);
    const bad = () => tf.layers.batchNormalization({ name: 'bad', gammaInitializer: tf.initializers.randomUniform({ minval: 1, maxval: 0 }) });
    expect(bad).toThrow("batchNormalization 'bad': gammaInitializer: expected minval <= maxval");
    expect(model.layers.map(l => l.name)).toEqual(['d']);
    expect(model.getWeights().map(values)).toEqual(before);
  });

  test('a file with a constraint or another axis is refused naming the layer and the option', async () => {
    const saved = await artifactsOfPlain(buildNet(tfjs, { compile: false }));
    const bn = saved.modelTopology.config.layers.find(l => l.class_name === 'BatchNormalization');
    bn.config.gamma_constraint = { class_name: 'NonNeg', config: {} };
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow("layer 'bn' (BatchNormalization)");
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow('gammaConstraint is not supported');
    bn.config.gamma_constraint = null;
    const ln = saved.modelTopology.config.layers.find(l => l.class_name === 'LayerNormalization');
    ln.config.axis = [0];
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow('axis must be -1');
  });

  test('Keras config forms: axis lists, Keras 3 keys; options that compute something else are refused', async () => {
    const saved = await artifactsOfPlain(buildNet(tfjs, { compile: false }));
    const bn = saved.modelTopology.config.layers.find(l => l.class_name === 'BatchNormalization');
    const ln = saved.modelTopology.config.layers.find(l => l.class_name === 'LayerNormalization');
    // What Keras 3 writes: an int or a list for the axis, `synchronized`, `rms_scaling`, dtype policies.
    Object.assign(bn.config, { axis: [-1], synchronized: false, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } });
    Object.assign(ln.config, { axis: -1, rms_scaling: false });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(loaded.getLayer('bn').axis).toBe(-1);
    expect(loaded.weights.map(w => w.name)).toEqual(['d1/kernel', 'd1/bias', 'bn/gamma', 'bn/beta', 'd2/kernel', 'd2/bias', 'ln/gamma', 'ln/beta',
      'out/kernel', 'out/bias', 'bn/moving_mean', 'bn/moving_variance']);
    ln.config.rms_scaling = true;
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow("layer 'ln' (LayerNormalization): rms_scaling true is not supported");
    ln.config.rms_scaling = false;
    bn.config.renorm = true;
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow("layer 'bn' (BatchNormalization): renorm true is not supported");
  });
});

async function artifactsOfPlain(model) {
  let saved;
  await model.save(tfjs.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return saved;
}
