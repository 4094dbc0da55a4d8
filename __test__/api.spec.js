'use strict';
// The rest of the TF.js surface: names, structure, metric/loss functions, initializers,
// dropout, progress output and the environment functions, compared with @tensorflow/tfjs.
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();

describe('names and structure', () => {
  // Both libraries number layers and models per process; this file starts both counters fresh.
  test('layer, model, input and weight names follow TF.js', () => {
    const describeModel = (lib) => {
      const seq = lib.sequential();
      seq.add(lib.layers.dense({ units: 4, inputShape: [3] }));
      seq.add(lib.layers.dropout({ rate: 0.1 }));
      seq.add(lib.layers.dense({ units: 2, activation: 'softmax' }));
      const input = lib.input({ shape: [5] });
      const hidden = lib.layers.dense({ units: 3 }).apply(input);
      const a = lib.layers.dense({ units: 1 }).apply(hidden);
      const b = lib.layers.activation({ activation: 'relu' }).apply(hidden);
      const fn = lib.model({ inputs: input, outputs: [a, b] });
      seq.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); // TF.js names a Sequential's inputs once built
      return {
        seqName: seq.name, seqLayers: seq.layers.map(l => l.name), seqInputs: seq.inputNames, seqOutputs: seq.outputNames,
        seqWeights: seq.weights.map(w => w.name), fnName: fn.name, fnLayers: fn.layers.map(l => l.name),
        fnInputs: fn.inputNames, fnOutputs: fn.outputNames, inputShape: seq.inputs[0].shape, outputShapes: fn.outputs.map(o => o.shape),
        symbolicName: hidden.name, params: [seq.countParams(), fn.countParams()],
      };
    };
    expect(describeModel(tf)).toEqual(describeModel(tfjs));
  });

  test('getLayer by name and index', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], name: 'first' }), tf.layers.dense({ units: 1, name: 'second' })] });
    expect(model.getLayer('second').name).toBe('second');
    expect(model.getLayer(undefined, 0).name).toBe('first');
    expect(() => model.getLayer('third')).toThrow(/getLayer: no layer named 'third'; the layers are first, second/);
    expect(model.getLayer('first').getWeights().map(w => w.shape)).toEqual([[2, 2], [2]]);
  });

  test('a layer setWeights changes only that layer', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], name: 'l1' }), tf.layers.dense({ units: 1, name: 'l2' })] });
    const before = model.getWeights().map(w => w.arraySync());
    model.getLayer('l2').setWeights([tf.tensor2d([[1], [2]]), tf.tensor1d([3])]);
    const after = model.getWeights().map(w => w.arraySync());
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after.slice(2)).toEqual([[[1], [2]], [3]]);
  });

  test('adding a layer keeps the weights already there', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, inputShape: [2] }));
    const first = model.getWeights().map(w => w.arraySync());
    model.add(tf.layers.dense({ units: 1 }));
    expect(model.getWeights().slice(0, 2).map(w => w.arraySync())).toEqual(first);
  });
});

describe('tf.metrics and tf.losses functions match TF.js', () => {
  const yTrue = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]];
  const probs = [[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]];
  const binaryTrue = [[1], [0], [1], [0]];
  const binaryPred = [[0.8], [0.3], [0.4], [1]];
  const cases = {
    binaryAccuracy: [binaryTrue, binaryPred], categoricalAccuracy: [yTrue, probs], binaryCrossentropy: [binaryTrue, binaryPred],
    categoricalCrossentropy: [yTrue, probs], cosineProximity: [yTrue, probs], meanSquaredError: [yTrue, probs],
    meanAbsoluteError: [yTrue, probs], meanAbsolutePercentageError: [[[1, 2], [3, 4]], [[1.5, 2], [2, 5]]], mse: [yTrue, probs],
    precision: [binaryTrue, [[1], [1], [0], [0]]], recall: [binaryTrue, [[1], [1], [0], [0]]],
    sparseCategoricalAccuracy: [[[0], [1], [2], [0]], probs],
  };
  test.each(Object.keys(cases))('tf.metrics.%s', (name) => {
    const [t, p] = cases[name];
    const ours = tf.metrics[name](tf.tensor2d(t), tf.tensor2d(p));
    const theirs = tfjs.metrics[name](tfjs.tensor2d(t), tfjs.tensor2d(p));
    expect(ours.shape).toEqual(theirs.shape);
    expect(maxRelativeError(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-6);
  });
  test.each(['meanSquaredError', 'absoluteDifference', 'hingeLoss', 'logLoss', 'huberLoss', 'sigmoidCrossEntropy'])('tf.losses.%s', (name) => {
    const t = [[1, 0], [0, 1]];
    const p = [[0.8, 0.3], [0.2, 0.6]];
    const ours = tf.losses[name](tf.tensor2d(t), tf.tensor2d(p)).dataSync()[0];
    const theirs = tfjs.losses[name](tfjs.tensor2d(t), tfjs.tensor2d(p)).dataSync()[0];
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-6);
  });
  test('tf.losses.logLoss and sigmoidCrossEntropy take TF.js\'s epsilon, labelSmoothing and reduction', () => {
    const t = [[1, 0], [0, 1]];
    const p = [[0.8, 0.3], [0.2, 0.6]];
    const ours = tf.losses.logLoss(tf.tensor2d(t), tf.tensor2d(p), undefined, 0.01, tf.losses.Reduction.SUM).dataSync()[0];
    const theirs = tfjs.losses.logLoss(tfjs.tensor2d(t), tfjs.tensor2d(p), undefined, 0.01, tfjs.Reduction.SUM).dataSync()[0];
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
    const s1 = tf.losses.sigmoidCrossEntropy(tf.tensor2d(t), tf.tensor2d(p), undefined, 0.2, tf.losses.Reduction.MEAN).dataSync()[0];
    const s2 = tfjs.losses.sigmoidCrossEntropy(tfjs.tensor2d(t), tfjs.tensor2d(p), undefined, 0.2, tfjs.Reduction.MEAN).dataSync()[0];
    expect(Math.abs(s1 - s2)).toBeLessThan(1e-6);
  });
  test('tf.losses.computeWeightedLoss: weights (one or per element) under every reduction, and weighted losses', () => {
    const losses = [[0.5, 1.5, 2], [3, 0.25, 1]];
    const perElement = [[1, 0, 2], [0.5, 1, 0]];
    for (const reduction of [0, 1, 2, 3]) {
      for (const weights of [undefined, 0.5, perElement]) {
        const w = (lib) => (Array.isArray(weights) ? lib.tensor2d(weights) : weights);
        const ours = tf.losses.computeWeightedLoss(tf.tensor2d(losses), w(tf), reduction);
        const theirs = tfjs.losses.computeWeightedLoss(tfjs.tensor2d(losses), w(tfjs), reduction);
        expect(ours.shape).toEqual(theirs.shape);
        expect(maxRelativeError(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-6);
      }
    }
    const t = [[1, 0], [0, 1]];
    const p = [[0.8, 0.3], [0.2, 0.6]];
    const ours = tf.losses.huberLoss(tf.tensor2d(t), tf.tensor2d(p), tf.tensor2d([[1, 2], [0, 1]]), 0.25, tf.losses.Reduction.MEAN).dataSync()[0];
    const theirs = tfjs.losses.huberLoss(tfjs.tensor2d(t), tfjs.tensor2d(p), tfjs.tensor2d([[1, 2], [0, 1]]), 0.25, tfjs.Reduction.MEAN).dataSync()[0];
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-6);
    expect(() => tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 2]))).toThrow('computeWeightedLoss: weights: expected 1 value or 3 (one per loss) but got 2 values');
  });
  test('tf.metrics.r2Score', () => {
    const t = [[3], [-0.5], [2], [7]];
    const p = [[2.5], [0], [2], [8]];
    const ours = tf.metrics.r2Score(tf.tensor2d(t), tf.tensor2d(p)).dataSync()[0];
    const theirs = tfjs.metrics.r2Score(tfjs.tensor2d(t), tfjs.tensor2d(p)).dataSync()[0];
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-6);
  });
  test('a tf.metrics function is accepted in compile and logged under its TF.js name', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: tf.losses.meanSquaredError, metrics: [tf.metrics.meanAbsoluteError, 'mse'] });
    expect(model.metricsNames).toEqual(['loss', 'meanAbsoluteError', 'mse']);
    expect(() => model.compile({ optimizer: 'sgd', loss: (a, _b) => a })).toThrow(/custom JavaScript loss functions are not supported/);
  });
  test("'accuracy' resolves by output width and loss, as TF.js does", () => {
    const names = (lib, units, loss) => {
      const m = lib.sequential({ layers: [lib.layers.dense({ units, inputShape: [2], activation: units === 1 ? 'sigmoid' : 'softmax' })] });
      m.compile({ optimizer: 'sgd', loss, metrics: ['accuracy', 'crossentropy'] });
      return m.metricsNames;
    };
    expect(names(tf, 1, 'meanSquaredError')).toEqual(names(tfjs, 1, 'meanSquaredError'));
    expect(names(tf, 3, 'sparseCategoricalCrossentropy')).toEqual(names(tfjs, 3, 'sparseCategoricalCrossentropy'));
  });
});

describe('initializers', () => {
  const kernelOf = (init) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 200, inputShape: [300], kernelInitializer: init, biasInitializer: 'ones' })] });
    return { kernel: Array.from(model.getWeights()[0].dataSync()), bias: Array.from(model.getWeights()[1].dataSync()) };
  };
  const stats = (v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length, max: Math.max(...v.map(Math.abs)) };
  };
  // Variance of each distribution with the fans of a [300, 200] kernel (TF.js formulas).
  const truncated = 0.7737; // variance of a standard normal truncated at ±2
  test.each([
    ['glorotNormal', truncated * 1 / 250], ['glorotUniform', 1 / 250], ['heNormal', truncated * 2 / 300], ['heUniform', 2 / 300],
    ['leCunNormal', truncated * 1 / 300], ['leCunUniform', 1 / 300],
  ])('%s has the variance TF.js gives it', (name, variance) => {
    const s = stats(kernelOf(name).kernel);
    expect(Math.abs(s.mean)).toBeLessThan(0.003);
    expect(s.variance / variance).toBeGreaterThan(0.95);
    expect(s.variance / variance).toBeLessThan(1.05);
  });
  test('seeded initializers repeat, unseeded ones do not; constants are exact', () => {
    const a = kernelOf(tf.initializers.randomNormal({ mean: 1, stddev: 0.5, seed: 7 }));
    const b = kernelOf(tf.initializers.randomNormal({ mean: 1, stddev: 0.5, seed: 7 }));
    expect(a.kernel).toEqual(b.kernel);
    expect(stats(a.kernel).mean).toBeCloseTo(1, 1);
    expect(kernelOf('glorotUniform').kernel).not.toEqual(kernelOf('glorotUniform').kernel);
    expect(new Set(kernelOf(tf.initializers.constant({ value: 0.25 })).kernel)).toEqual(new Set([0.25]));
    expect(new Set(a.bias)).toEqual(new Set([1]));
    const u = stats(kernelOf(tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 3 })).kernel);
    expect(u.max).toBeLessThanOrEqual(0.2);
    const t = stats(kernelOf(tf.initializers.truncatedNormal({ stddev: 0.1, seed: 3 })).kernel);
    expect(t.max).toBeLessThanOrEqual(0.2);
  });
});

describe('dropout', () => {
  test('is active in training only, with inverted scaling', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 50, inputShape: [10], kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }),
    ] });
    const x = tf.ones([4, 10]);
    expect(Array.from(model.predict(x).dataSync())).toEqual([500, 500, 500, 500]); // no dropout in predict
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const losses = [];
    for (let i = 0; i < 5; i++) losses.push(await model.trainOnBatch(x, tf.tensor2d([[500], [500], [500], [500]])));
    // Random masks make the training loss nonzero and different from step to step; the mean of a masked sum stays near 500.
    expect(losses.every(l => l > 0)).toBe(true);
    expect(new Set(losses).size).toBeGreaterThan(1);
  });
});

describe('progress output (verbose 1)', () => {
  test('prints an epoch header and a summary line per epoch, as tfjs-node does', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    const lines = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((l) => lines.push(String(l)));
    try {
      await model.fit(tf.tensor2d([[1], [2]]), tf.tensor2d([[1], [2]]), { epochs: 2, verbose: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(lines[0]).toBe('Epoch 1 / 2');
    expect(lines[1]).toMatch(/^\d+ms \d+us\/step - loss=\S+ mae=\S+ $/);
    expect(lines[2]).toBe('Epoch 2 / 2');
  });
});

describe('tensors and environment', () => {
  test('print writes TF.js text', () => {
    const lines = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((l) => lines.push(l));
    tf.tensor2d([[0.1, -2.5], [3, 4]]).print();
    spy.mockRestore();
    expect(lines).toEqual([tfjs.tensor2d([[0.1, -2.5], [3, 4]]).toString()]);
  });
  test('backend functions exist so TF.js programs run unchanged', async () => {
    await expect(tf.ready()).resolves.toBeUndefined();
    await expect(tf.setBackend('cpu')).resolves.toBe(true);
    expect(tf.getBackend()).toBe('dense-mtl');
    expect(tf.version.tfjs).toBe('4.22.0');
  });
  test('predict and getWeights results need no dispose: memory counts only live tensors', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const start = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      for (let i = 0; i < 20; i++) model.predict(tf.ones([5, 3]));
      return model.predict(tf.ones([1, 3]));
    });
    expect(tf.memory().numTensors).toBe(start + 1);
    expect(kept.shape).toEqual([1, 2]);
  });
  test('CustomCallback instances work like callback objects', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const seen = [];
    await model.fit(tf.tensor2d([[1]]), tf.tensor2d([[1]]), { epochs: 2, verbose: 0, callbacks: [new tf.CustomCallback({ onEpochEnd: (e) => seen.push(e) })] });
    expect(seen).toEqual([0, 1]);
  });
  test('seededValues helper is deterministic', () => {
    expect(seededValues(3, 1)).toEqual(seededValues(3, 1));
  });
});

describe('layers shared between models', () => {
  test('a model built from another model\'s layers starts from their trained weights', async () => {
    const input = tf.input({ shape: [2] });
    const hiddenLayer = tf.layers.dense({ units: 3, name: 'shared_hidden' });
    const hidden = hiddenLayer.apply(input);
    const full = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(hidden) });
    full.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await full.fit(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [0]]), { epochs: 3, verbose: 0 });
    const trained = full.getLayer('shared_hidden').getWeights().map(w => w.arraySync());
    const encoder = tf.model({ inputs: input, outputs: hidden });
    expect(encoder.getLayer('shared_hidden').getWeights().map(w => w.arraySync())).toEqual(trained);
  });
});
