'use strict';
// The activation layers (leakyReLU, prelu, elu, thresholdedReLU, softmax) and the noise layers
// (gaussianNoise, gaussianDropout, alphaDropout) against @tensorflow/tfjs 4.22: forward passes,
// training histories and weights from the same initial weights, saved files read both ways,
// summaries; the noise layers' training-time effect on the loss against its expectation.
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const TOLERANCE = 1e-4;
const ROWS = 10; // with batchSize 4: batches of 4, 4 and 2

/**
 * TF.js cannot train through its thresholdedReLU (its `greater` has no gradient), so the training
 * reference computes the same forward pass as `x · step(x − theta)`, whose gradient is the one
 * dense-mtl uses (`dy` where x > theta, 0 elsewhere; step's own gradient is 0).
 */
class SteppedThreshold extends tfjs.layers.Layer {
  constructor(args) {
    super(args);
    this.theta = args.theta;
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tfjs.mul(x, tfjs.step(tfjs.sub(x, this.theta)));
  }
  static get className() { return 'SteppedThreshold'; }
}

// [title, layer in dense-mtl (lib = tf), layer in TF.js for training (lib = tfjs)]
const DETERMINISTIC = [
  ['leakyReLU (default alpha 0.3)', (lib) => lib.layers.leakyReLU()],
  ['leakyReLU (alpha -0.2)', (lib) => lib.layers.leakyReLU({ alpha: -0.2 })],
  ['prelu (one alpha per feature, l2 regularizer)', (lib) => lib.layers.prelu({ alphaRegularizer: lib.regularizers.l2({ l2: 0.05 }) })],
  ['prelu (sharedAxes 1)', (lib) => lib.layers.prelu({ sharedAxes: 1, alphaInitializer: 'ones' })],
  ['elu', (lib) => lib.layers.elu()],
  ['thresholdedReLU (theta 0.1)', (lib) => lib.layers.thresholdedReLU({ theta: 0.1 }), () => new SteppedThreshold({ theta: 0.1 })],
  ['softmax (TF.js default axis 1)', (lib) => lib.layers.softmax()],
  ['softmax (axis -1)', (lib) => lib.layers.softmax({ axis: -1 })],
];

/** dense(5) → layer → dense(2), the same weights in both libraries. */
function twinModels(makeLayer, makeReference = makeLayer, optimizer = (lib) => lib.train.sgd(0.2)) {
  const build = (lib, layer) => {
    const m = lib.sequential();
    m.add(lib.layers.dense({ units: 5, inputShape: [4] }));
    m.add(layer);
    m.add(lib.layers.dense({ units: 2 }));
    m.compile({ loss: 'meanSquaredError', optimizer: optimizer(lib) });
    return m;
  };
  const theirs = build(tfjs, makeReference(tfjs));
  const ours = build(tf, makeLayer(tf));
  const values = theirs.getWeights().map((w, i) => seededValues(w.size, 300 + i, -0.9, 0.9));
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, theirs.getWeights()[i].shape)));
  ours.setWeights(values.map((v, i) => tf.tensor(v, theirs.getWeights()[i].shape)));
  return { ours, theirs };
}

const data = (lib, rows = ROWS) => ({
  x: lib.tensor2d(Array.from({ length: rows }, (_, r) => seededValues(4, 10 + r, -2, 2))),
  y: lib.tensor2d(Array.from({ length: rows }, (_, r) => seededValues(2, 50 + r))),
});

const predictionsOf = (model, lib) => Array.from(model.predict(data(lib).x).dataSync());

describe('forward passes equal TF.js', () => {
  test.each(DETERMINISTIC.map(([title, make]) => [title, make]))('%s', (_, make) => {
    const { ours, theirs } = twinModels(make);
    expect(maxRelativeError(predictionsOf(ours, tf), predictionsOf(theirs, tfjs))).toBeLessThan(1e-6);
  });

  test('thresholdedReLU: TF.js\'s own layer and the training reference compute the same forward pass', () => {
    const own = twinModels((lib) => lib.layers.thresholdedReLU({ theta: 0.1 })).theirs;
    const reference = twinModels((lib) => lib.layers.thresholdedReLU({ theta: 0.1 }), () => new SteppedThreshold({ theta: 0.1 })).theirs;
    expect(predictionsOf(reference, tfjs)).toEqual(predictionsOf(own, tfjs));
  });

  test.each([
    ['gaussianNoise', (lib) => lib.layers.gaussianNoise({ stddev: 3 })],
    ['gaussianDropout', (lib) => lib.layers.gaussianDropout({ rate: 0.4 })],
    ['alphaDropout', (lib) => lib.layers.alphaDropout({ rate: 0.4 })],
  ])('%s is the identity at inference (predict and evaluate), as in TF.js', async (_, make) => {
    const { ours, theirs } = twinModels(make);
    expect(maxRelativeError(predictionsOf(ours, tf), predictionsOf(theirs, tfjs))).toBeLessThan(1e-6);
    const a = data(tf);
    const b = data(tfjs);
    const lossOurs = ours.evaluate(a.x, a.y).dataSync()[0];
    const lossTheirs = (await theirs.evaluate(b.x, b.y)).dataSync()[0];
    expect(Math.abs(lossOurs - lossTheirs) / lossTheirs).toBeLessThan(1e-6);
  });
});

describe('training equals TF.js (3 epochs of SGD: loss history and final weights)', () => {
  // Rows of three, so that jest does not take the test for one with a `done` callback.
  test.each(DETERMINISTIC.map(([title, make, reference]) => [title, make, reference ?? make]))('%s', async (_, make, reference) => {
    const { ours, theirs } = twinModels(make, reference);
    const args = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 };
    const a = data(tfjs);
    const b = data(tf);
    const theirHistory = (await theirs.fit(a.x, a.y, args)).history.loss;
    const ourHistory = (await ours.fit(b.x, b.y, args)).history.loss;
    expect(maxRelativeError(ourHistory, theirHistory)).toBeLessThan(TOLERANCE);
    const theirWeights = theirs.getWeights();
    const ourWeights = ours.getWeights();
    expect(ourWeights.map(w => w.shape)).toEqual(theirWeights.map(w => w.shape));
    ourWeights.forEach((w, i) => expect(maxRelativeError(w.dataSync(), theirWeights[i].dataSync())).toBeLessThan(TOLERANCE));
    // The weights moved, so the comparison says something about training.
    const initial = twinModels(make, reference).ours.getWeights();
    expect(ourWeights.some((w, i) => maxRelativeError(w.dataSync(), initial[i].dataSync()) > 1e-3)).toBe(true);
  });

  test('prelu learns alpha as TF.js does (Adam, 5 epochs)', async () => {
    const make = (lib) => lib.layers.prelu({ name: 'slopes' });
    const { ours, theirs } = twinModels(make, make, (lib) => lib.train.adam(0.05));
    const args = { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 };
    const a = data(tfjs);
    const b = data(tf);
    await theirs.fit(a.x, a.y, args);
    const before = Array.from(ours.getLayer('slopes').getWeights()[0].dataSync());
    await ours.fit(b.x, b.y, args);
    const alpha = Array.from(ours.getLayer('slopes').getWeights()[0].dataSync());
    expect(maxRelativeError(alpha, theirs.getLayer('slopes').getWeights()[0].dataSync())).toBeLessThan(TOLERANCE);
    expect(maxRelativeError(alpha, before)).toBeGreaterThan(1e-2);
  });

  test('TF.js itself cannot train through thresholdedReLU (hence the reference above)', async () => {
    const { theirs } = twinModels((lib) => lib.layers.thresholdedReLU({ theta: 0.1 }));
    const a = data(tfjs);
    await expect(theirs.fit(a.x, a.y, { epochs: 1, verbose: 0 })).rejects.toThrow('gradient function not found for Greater');
  });
});

describe('noise layers are active in fit: the training loss has its expected value', () => {
  // in(3) → noise → dense(1) with fixed weights w, b (learning rate 0): for MSE the expected
  // training loss is (w·E[out] + b − y)² + Σ wᵢ² Var[outᵢ] per row, averaged over the rows.
  const N = 100000;
  const W = [1.0, -1.5, 2.5]; // summing to 2, so that a shift of every input's mean shows in the loss
  const B = 0.25;
  const x = Array.from({ length: N }, (_, r) => seededValues(3, 7 + r, -1, 1));
  const y = x.map((row, r) => [seededValues(1, 9000 + r)[0]]);

  async function trainingLoss(noise) {
    const input = tf.input({ shape: [3] });
    const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(noise.apply(input)) });
    m.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0) });
    m.setWeights([tf.tensor2d(W.map(w => [w])), tf.tensor1d([B])]);
    const history = await m.fit(tf.tensor2d(x), tf.tensor2d(y), { epochs: 1, batchSize: 5000, verbose: 0 });
    const evaluated = m.evaluate(tf.tensor2d(x), tf.tensor2d(y)).dataSync()[0];
    return { training: history.history.loss[0], evaluated };
  }

  /** Mean over rows of (w·mean(row) + b − y)² + Σ wᵢ² var(row)ᵢ. */
  function expectedLoss(meanOf, varianceOf) {
    let total = 0;
    x.forEach((row, r) => {
      const pred = row.reduce((s, v, i) => s + W[i] * meanOf(v), B);
      total += (pred - y[r][0]) ** 2 + row.reduce((s, v, i) => s + W[i] ** 2 * varianceOf(v), 0);
    });
    return total / N;
  }

  test('gaussianNoise adds variance stddev² to each input', async () => {
    const { training, evaluated } = await trainingLoss(tf.layers.gaussianNoise({ stddev: 0.8 }));
    expect(Math.abs(evaluated / expectedLoss(v => v, () => 0) - 1)).toBeLessThan(1e-5);
    expect(Math.abs(training / expectedLoss(v => v, () => 0.64) - 1)).toBeLessThan(0.03);
  });

  test('gaussianDropout multiplies each input by noise of mean 1 and variance rate / (1 − rate)', async () => {
    const rate = 0.3;
    const { training } = await trainingLoss(tf.layers.gaussianDropout({ rate }));
    expect(Math.abs(training / expectedLoss(v => v, v => v * v * rate / (1 - rate)) - 1)).toBeLessThan(0.03);
  });

  test('alphaDropout applies TF.js\'s affine correction (dropped values at −α\', its quirk)', async () => {
    const rate = 0.2;
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * rate;
    const q = 1 - rate;
    // A kept value is x, a dropped one −α' (TF.js's `(kept − 1)·α'`); then a·(·) + b.
    const { training } = await trainingLoss(tf.layers.alphaDropout({ rate }));
    const expected = expectedLoss(v => a * (q * v + (1 - q) * -alphaP) + b, v => a * a * q * (1 - q) * (v + alphaP) ** 2);
    expect(Math.abs(training / expected - 1)).toBeLessThan(0.03);
    // Keras's version (dropped values at α') predicts a clearly different loss.
    const keras = expectedLoss(v => a * (q * v + (1 - q) * alphaP) + b, v => a * a * q * (1 - q) * (v - alphaP) ** 2);
    expect(Math.abs(training / keras - 1)).toBeGreaterThan(0.1);
  });
});

describe('fit({seed}) and fitDataset({seed}) repeat the noise layers\' draws', () => {
  function noisyModel() {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 6, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    m.add(tf.layers.gaussianNoise({ stddev: 0.5 }));
    m.add(tf.layers.gaussianDropout({ rate: 0.3 }));
    m.add(tf.layers.alphaDropout({ rate: 0.2 }));
    m.add(tf.layers.dropout({ rate: 0.2 }));
    m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    m.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.1) });
    return m;
  }
  const outcome = (m, history) => ({ loss: history.history.loss, weights: m.getWeights().map(w => Array.from(w.dataSync())) });

  async function fitOnce(seed) {
    const m = noisyModel();
    const { x, y } = data(tf, 24);
    return outcome(m, await m.fit(x, y, { epochs: 3, batchSize: 5, seed, verbose: 0 }));
  }

  async function fitDatasetOnce(seed) {
    const m = noisyModel();
    const { x, y } = data(tf, 24);
    const rows = tf.data.zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) }).batch(5);
    return outcome(m, await m.fitDataset(rows, { epochs: 3, seed, verbose: 0 }));
  }

  test.each([['fit', fitOnce], ['fitDataset', fitDatasetOnce]])('%s: the same seed gives the same history and weights, another seed others', async (name, once) => {
    const first = await once(42);
    expect(await once(42)).toEqual(first);
    expect((await once(43)).loss).not.toEqual(first.loss);
  });

  test.each([-1, 1.5, '7', 2 ** 53 + 2])('seed %p is refused by fit and fitDataset, naming it as JavaScript writes it', async (seed) => {
    const messageOf = promise => promise.then(() => null, e => e.message);
    for (const [name, once] of [['fit', fitOnce], ['fitDataset', fitDatasetOnce]]) {
      expect(await messageOf(once(seed))).toBe(`${name}: seed must be a non-negative integer (at most 2^53) but got ${JSON.stringify(seed)}`);
    }
  });

  test.each([['fit', fitOnce], ['fitDataset', fitDatasetOnce]])('%s takes seeds past 32 bits up to 2^53: each repeats, the next integer differs', async (name, once) => {
    for (const seed of [2 ** 32, 2 ** 53 - 1]) {
      const first = await once(seed);
      expect(await once(seed)).toEqual(first);
      expect((await once(seed - 1)).loss).not.toEqual(first.loss);
    }
    expect((await once(2 ** 53)).loss).toHaveLength(3);
  });
});

describe('saved files', () => {
  /** Every new layer in one model, named, so both libraries write the same file. */
  function everyLayer(lib) {
    const m = lib.sequential({ name: 'every_layer' });
    m.add(lib.layers.dense({ units: 6, inputShape: [4], name: 'd1' }));
    m.add(lib.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }));
    m.add(lib.layers.prelu({ name: 'prelu', alphaInitializer: lib.initializers.constant({ value: 0.2 }), alphaRegularizer: lib.regularizers.l1({ l1: 0.01 }) }));
    m.add(lib.layers.prelu({ name: 'prelu_shared', sharedAxes: [1] }));
    m.add(lib.layers.elu({ name: 'elu' }));
    m.add(lib.layers.gaussianNoise({ stddev: 0.3, name: 'noise' }));
    m.add(lib.layers.thresholdedReLU({ theta: 0.05, name: 'thresholded' }));
    m.add(lib.layers.gaussianDropout({ rate: 0.2, name: 'gdrop' }));
    m.add(lib.layers.alphaDropout({ rate: 0.1, name: 'adrop' }));
    m.add(lib.layers.dense({ units: 3, name: 'd2' }));
    m.add(lib.layers.softmax({ name: 'softmax' }));
    const values = m.getWeights().map((w, i) => seededValues(w.size, 700 + i, -0.8, 0.8));
    m.setWeights(values.map((v, i) => lib.tensor(v, m.getWeights()[i].shape)));
    return m;
  }

  async function artifactsOf(model, lib) {
    let saved;
    await model.save(lib.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    return saved;
  }

  test('dense-mtl writes the topology and weight names TF.js writes', async () => {
    const ours = await artifactsOf(everyLayer(tf), tf);
    const theirs = await artifactsOf(everyLayer(tfjs), tfjs);
    expect(ours.modelTopology.config.layers).toEqual(theirs.modelTopology.config.layers);
    expect(ours.weightSpecs).toEqual(theirs.weightSpecs);
  });

  test('TF.js loads what dense-mtl saves and predicts the same', async () => {
    const ours = everyLayer(tf);
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(await artifactsOf(ours, tf)));
    expect(loaded.layers.map(l => l.getClassName())).toEqual(ours.layers.map(l => l.getClassName()));
    expect(maxRelativeError(predictionsOf(ours, tf), predictionsOf(loaded, tfjs))).toBeLessThan(1e-6);
  });

  test('dense-mtl loads what TF.js saves and predicts the same', async () => {
    const theirs = everyLayer(tfjs);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs)));
    expect(loaded.layers.map(l => l.getClassName())).toEqual(theirs.layers.map(l => l.getClassName()));
    expect(loaded.getLayer('prelu_shared').getWeights()[0].shape).toEqual([1]);
    expect(maxRelativeError(predictionsOf(loaded, tf), predictionsOf(theirs, tfjs))).toBeLessThan(1e-6);
  });

  test('alphaDropout\'s noiseShape is written when set, and TF.js reads it back', async () => {
    const m = tf.sequential();
    m.add(tf.layers.alphaDropout({ rate: 0.3, noiseShape: [1, 4], inputShape: [4], name: 'a' }));
    const saved = await artifactsOf(m, tf);
    expect(saved.modelTopology.config.layers[0].config.noise_shape).toEqual([1, 4]);
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(saved));
    expect(loaded.layers[0].noiseShape).toEqual([1, 4]);
    const back = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(back.layers[0].noiseShape).toEqual([1, 4]);
  });

  test('a Keras 3 LeakyReLU (negative_slope) loads with its slope', async () => {
    const theirs = tfjs.sequential();
    theirs.add(tfjs.layers.leakyReLU({ alpha: 0.05, inputShape: [3], name: 'k' }));
    const saved = await artifactsOf(theirs, tfjs);
    const config = saved.modelTopology.config.layers[0].config;
    delete config.alpha;
    config.negative_slope = 0.05;
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(loaded.layers[0].alpha).toBe(0.05);
    expect(Array.from(loaded.predict(tf.tensor2d([[-2, 0, 3]])).dataSync())).toEqual([-0.1, 0, 3].map(Math.fround));
  });

  test('a file with a bad value is refused naming the layer and the argument', async () => {
    const saved = await artifactsOf(everyLayer(tfjs), tfjs);
    saved.modelTopology.config.layers.find(l => l.config.name === 'noise').config.stddev = -1;
    await expect(tf.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow("layer 'noise' (GaussianNoise): gaussianNoise 'noise': stddev must be a finite number >= 0 but got -1");
  });
});

test('summary prints the rows TF.js prints', () => {
  const lines = (model) => {
    const out = [];
    model.summary(undefined, undefined, (line) => out.push(line));
    return out;
  };
  const build = (lib) => {
    const input = lib.input({ shape: [4], name: 'x' });
    const h = lib.layers.dense({ units: 5, name: 'h' }).apply(input);
    const p = lib.layers.prelu({ name: 'p' }).apply(h);
    const s = lib.layers.prelu({ name: 'ps', sharedAxes: 1 }).apply(p);
    const n = lib.layers.gaussianNoise({ stddev: 1, name: 'n' }).apply(s);
    const out = lib.layers.softmax({ name: 'out' }).apply(lib.layers.leakyReLU({ name: 'l' }).apply(n));
    return lib.model({ inputs: input, outputs: out, name: 'm' });
  };
  expect(lines(build(tf))).toEqual(lines(build(tfjs)));
});

describe('bad arguments: a clear message naming the argument, and the model unchanged', () => {
  test.each([
    ['leakyReLU alpha', () => tf.layers.leakyReLU({ alpha: 'big', name: 'l' }), "leakyReLU 'l': alpha must be a finite number but got 'big'"],
    ['elu alpha', () => tf.layers.elu({ alpha: NaN, name: 'e' }), "elu 'e': alpha must be a finite number but got NaN"],
    ['thresholdedReLU theta', () => tf.layers.thresholdedReLU({ theta: Infinity, name: 't' }), "thresholdedReLU 't': theta must be a finite number but got Infinity"],
    ['softmax axis', () => tf.layers.softmax({ axis: 0, name: 's' }), "softmax 's': axis must be 1 or -1 (the features axis of [batch, features] data) but got 0"],
    ['gaussianNoise stddev', () => tf.layers.gaussianNoise({ stddev: -0.5, name: 'g' }), "gaussianNoise 'g': stddev must be a finite number >= 0 but got -0.5"],
    ['gaussianNoise without stddev', () => tf.layers.gaussianNoise({ name: 'g' }), "gaussianNoise 'g': stddev must be a finite number >= 0 but got undefined"],
    ['gaussianDropout rate', () => tf.layers.gaussianDropout({ rate: 1, name: 'g' }), "gaussianDropout 'g': rate must be a number in [0, 1) but got 1"],
    ['alphaDropout rate', () => tf.layers.alphaDropout({ rate: -0.1, name: 'a' }), "alphaDropout 'a': rate must be a number in [0, 1) but got -0.1"],
    ['alphaDropout noiseShape', () => tf.layers.alphaDropout({ rate: 0.1, noiseShape: [1], name: 'a' }), "alphaDropout 'a': noiseShape must be [batch, features], each null, 1 or the input's size, but got [1]"],
    ['prelu sharedAxes type', () => tf.layers.prelu({ sharedAxes: 'all', name: 'p' }), "prelu 'p': Expected sharedAxes to be a number or an array of numbers, but got 'all'"],
    ['prelu alphaConstraint', () => tf.layers.prelu({ alphaConstraint: 'nonNeg', name: 'p' }), "prelu 'p': alphaConstraint is not supported by dense-mtl"],
    ['prelu alphaInitializer', () => tf.layers.prelu({ alphaInitializer: 'fancy', name: 'p' }), "prelu 'p': alphaInitializer"],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  test.each([
    ['prelu sharedAxes beyond the features axis', () => tf.layers.prelu({ sharedAxes: [2], name: 'p' }),
      "prelu 'p': sharedAxes must list axes of the input other than the batch axis (only 1, the features axis, for [batch, features] data) but got 2"],
    ['alphaDropout noiseShape of another width', () => tf.layers.alphaDropout({ rate: 0.1, noiseShape: [1, 7], name: 'a' }),
      "alphaDropout 'a': noiseShape must be [batch, features] with batch null or 1 and features null, 1 or 5 (the input's width) but got [1,7]"],
    ['alphaDropout noiseShape with a batch size', () => tf.layers.alphaDropout({ rate: 0.1, noiseShape: [32, 5], name: 'a' }),
      "alphaDropout 'a': noiseShape must be [batch, features] with batch null or 1 and features null, 1 or 5 (the input's width) but got [32,5]"],
  ])('%s: refused when added, the model unchanged', (_, make, message) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 5, inputShape: [3] }));
    const before = Array.from(m.predict(tf.ones([2, 3])).dataSync());
    expect(() => m.add(make())).toThrow(message);
    expect(m.layers.length).toBe(1);
    expect(Array.from(m.predict(tf.ones([2, 3])).dataSync())).toEqual(before);
    m.add(tf.layers.dense({ units: 2 }));
    expect(m.predict(tf.ones([2, 3])).shape).toEqual([2, 2]);
  });
});
