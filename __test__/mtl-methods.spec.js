'use strict';
// Balancing methods beyond the first four (RLW and the gradient aggregators over per-task shared
// gradients), seeded reproducibility of the random ones, and uncertainty weighting's
// log-variances on batches without labels. Reference values of each aggregator's weights are in
// crates/core/tests/aggregators.rs.
const tf = require('..');
const { seededValues } = require('./helpers/tfjs');

const N = 16;
const rows = (n, width, seed) => {
  const v = seededValues(n * width, seed, -1, 1);
  return Array.from({ length: n }, (_, r) => v.slice(r * width, (r + 1) * width));
};
const X = rows(N, 4, 3);
// Three regression tasks on a shared trunk; the third has labels on every other row only.
const Y = [X.map(r => [r[0] - r[1]]), X.map(r => [r[2] * 2 + r[3]]), X.map((r, i) => [i % 2 ? NaN : r[0] * r[3]])];

function threeHeads() {
  const input = tf.input({ shape: [4] });
  const init = seed => tf.initializers.glorotUniform({ seed });
  const trunk = tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: init(1), name: 'trunk' }).apply(input);
  const heads = ['a', 'b', 'c'].map((name, i) => tf.layers.dense({ units: 1, kernelInitializer: init(10 + i), name }).apply(trunk));
  return tf.model({ inputs: input, outputs: heads });
}

const weightsOf = model => model.getWeights().map(w => Array.from(w.dataSync()));
const fit = (model, extra = {}) => model.fit(tf.tensor2d(X), Y.map(y => tf.tensor2d(y)), { epochs: 3, batchSize: 4, verbose: 0, ...extra });

describe('seeded random balancing', () => {
  test.each([
    ['pcgrad', { gradientSurgery: 'pcgrad' }],
    ['rlw', { taskWeighting: 'rlw' }],
  ])('two fits with %s on 3 heads and the same seed give identical weights', async (_, args) => {
    const run = async seed => {
      const model = threeHeads();
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError', ...args });
      await fit(model, { seed, shuffle: true });
      return weightsOf(model);
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    // The seed matters: another one draws another order / other weights.
    expect(await run(8)).not.toEqual(first);
  });
});

describe('gradient aggregators', () => {
  test.each(['cagrad', 'nash-mtl', 'aligned-mtl', 'imtl-g', 'mgda-ub'])('%s trains 3 heads with a task missing from some rows', async method => {
    const model = threeHeads();
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError', gradientSurgery: method });
    const before = weightsOf(model);
    const h = await fit(model, { epochs: 30, seed: 1 });
    const losses = h.history.loss;
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(weightsOf(model)).not.toEqual(before);
  });
});

test('famo trains 3 heads with a task missing from some rows, and its logits move', async () => {
  const model = threeHeads();
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError', taskWeighting: 'famo' });
  const h = await fit(model, { epochs: 30, seed: 1 });
  expect(h.history.objective.every(Number.isFinite)).toBe(true);
  expect(h.history.objective[29]).toBeLessThan(h.history.objective[0]);
  const { famo } = model._model().taskState();
  expect(famo.logits.every(l => Number.isFinite(l) && l !== 0)).toBe(true);
  // Logged weights are z_i / (c·L_i) of the last batch: finite, >= 0.
  expect(['a_weight', 'b_weight', 'c_weight'].every(k => h.history[k].every(w => w >= 0 && Number.isFinite(w)))).toBe(true);
});

test('mgda-ub needs a layer every output depends on (its Z), and says so at compile', () => {
  const input = tf.input({ shape: [4] });
  const a = tf.layers.dense({ units: 1, name: 'a' }).apply(input);
  const b = tf.layers.dense({ units: 1, name: 'b' }).apply(input);
  const model = tf.model({ inputs: input, outputs: [a, b] });
  expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', gradientSurgery: 'mgda-ub' })).toThrow(
    "compile: gradientSurgery 'mgda-ub' needs a layer every output depends on (the shared representation Z of the paper), and this model has none",
  );
  expect(model.compiled).toBeFalsy();
});

describe('uncertainty weighting on batches without labels', () => {
  test('under Adam, a task without labels in a batch keeps its log-variance (no drift from momentum)', async () => {
    const model = threeHeads();
    model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError', taskWeighting: 'uncertainty' });
    const x = tf.tensor2d(X.slice(0, 4));
    const labelled = Y.map(y => tf.tensor2d(y.slice(0, 4).map(r => [Number.isNaN(r[0]) ? 0 : r[0]])));
    await model.trainOnBatch(x, labelled); // every task labelled: all log-variances move
    const s0 = model._model().taskState().logVariances;
    expect(s0.every(s => s !== 0)).toBe(true);
    const missingC = [labelled[0], labelled[1], tf.tensor2d([[NaN], [NaN], [NaN], [NaN]])];
    for (let k = 0; k < 5; k++) await model.trainOnBatch(x, missingC);
    const s1 = model._model().taskState().logVariances;
    expect(s1[2]).toBe(s0[2]); // Adam's momentum from the first step would have moved it
    expect(s1[0]).not.toBe(s0[0]);
  });
});

describe('uncertainty weighting: the gradient reaching the network', () => {
  test('under lossWeights != 1 and a masked batch, one SGD step follows finite differences of Σ w_i·c·e^{-s}·L_i', async () => {
    const model = threeHeads();
    const lossWeights = [0.5, 2, 1.5];
    const lr = 1;
    model.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError', lossWeights, taskWeighting: 'uncertainty' });
    const x = tf.tensor2d(X.slice(0, 8));
    const ys = Y.map(y => tf.tensor2d(y.slice(0, 8))); // task c: labels on every other row only
    const start = model.getWeights().map(w => Float32Array.from(w.dataSync()));
    const shapes = model.getWeights().map(w => w.shape);
    // s = 0 before the step; regression c = 1/2: J = Σ_i w_i · ½ · L_i (L_i over labelled rows), + Σ s/2 (constant in the weights).
    const objective = async values => {
      model.setWeights(values.map((v, i) => tf.tensor(v, shapes[i])));
      const losses = (await model.evaluate(x, ys, { batchSize: 8 })).map(t => t.dataSync()[0]);
      return lossWeights.reduce((s, w, i) => s + w * 0.5 * losses[1 + i], 0);
    };
    const probes = [[0, 0], [0, 7], [1, 2], [2, 0], [4, 0], [6, 3]]; // trunk kernel and bias, heads' kernels (c: masked rows)
    const eps = 1e-2;
    const numeric = [];
    for (const [p, k] of probes) {
      const up = start.map(v => v.slice());
      const down = start.map(v => v.slice());
      up[p][k] += eps;
      down[p][k] -= eps;
      numeric.push(((await objective(up)) - (await objective(down))) / (2 * eps));
    }
    model.setWeights(start.map((v, i) => tf.tensor(v, shapes[i])));
    await model.trainOnBatch(x, ys);
    const after = model.getWeights().map(w => w.dataSync());
    probes.forEach(([p, k], j) => {
      const analytic = (start[p][k] - after[p][k]) / lr;
      expect(Math.abs(analytic - numeric[j])).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric[j]));
    });
  });
});
