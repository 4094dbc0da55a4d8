'use strict';
// Multi-task models: functional graphs with several heads, Keras semantics for lossWeights and
// evaluate, masking of missing labels, sample/class weights per output, adaptive balancing.
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const ROWS = 12;
const rows = (n, width, seed, lo = -1, hi = 1) => {
  const v = seededValues(n * width, seed, lo, hi);
  return Array.from({ length: n }, (_, r) => v.slice(r * width, (r + 1) * width));
};
const X = rows(ROWS, 4, 1);
const Y_CLASS = X.map(r => [0, 1, 2].map(k => (k === ((r[0] + r[1] > 0 ? 1 : 0) + (r[2] > 0.3 ? 1 : 0)) ? 1 : 0)));
const Y_REG = X.map(r => [r[0] * 2 - r[3]]);

/** Trunk (dense + a concatenated skip branch) with a classification and a regression head. */
function twoHead(lib) {
  const input = lib.input({ shape: [4], name: 'features' });
  const trunk = lib.layers.dense({ units: 6, activation: 'tanh', name: 'trunk' }).apply(input);
  const side = lib.layers.dense({ units: 3, activation: 'relu', name: 'side' }).apply(input);
  const merged = lib.layers.concatenate({ name: 'merged' }).apply([trunk, side]);
  const species = lib.layers.dense({ units: 3, activation: 'softmax', name: 'species' }).apply(merged);
  const width = lib.layers.dense({ units: 1, name: 'width' }).apply(trunk);
  return lib.model({ inputs: input, outputs: [species, width], name: 'two_head' });
}

function twins(compileArgs) {
  const theirs = twoHead(tfjs);
  const ours = twoHead(tf);
  // Fixed pseudo-random weights in both, so that every run checks the same numbers.
  const shapes = theirs.getWeights().map(w => w.shape);
  const values = shapes.map((shape, i) => seededValues(shape.reduce((a, b) => a * b, 1), 200 + i, -0.6, 0.6));
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, shapes[i])));
  ours.setWeights(values.map((v, i) => tf.tensor(v, shapes[i])));
  theirs.compile(compileArgs(tfjs));
  ours.compile(compileArgs(tf));
  return { ours, theirs };
}

const expectClose = (actual, expected, tol = 1e-4) => expect(maxRelativeError(actual, expected)).toBeLessThan(tol);

describe('functional models match TF.js where TF.js is right', () => {
  test('two heads, shared trunk and a merge layer: weights, history and keys', async () => {
    const m = twins(lib => ({ optimizer: lib.train.adam(0.02), loss: ['categoricalCrossentropy', 'meanSquaredError'], metrics: ['accuracy', 'mae'] }));
    const fitArgs = { epochs: 4, batchSize: 5, shuffle: false, verbose: 0 };
    const h1 = await m.theirs.fit(tfjs.tensor2d(X), [tfjs.tensor2d(Y_CLASS), tfjs.tensor2d(Y_REG)], fitArgs);
    const h2 = await m.ours.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], fitArgs);
    expect(Object.keys(h2.history)).toEqual(Object.keys(h1.history));
    for (const key of Object.keys(h1.history)) expectClose(h2.history[key], h1.history[key]);
    m.theirs.getWeights().forEach((w, i) => expectClose(m.ours.getWeights()[i].dataSync(), w.dataSync()));
    expect(m.ours.layers.map(l => l.name)).toEqual(m.theirs.layers.map(l => l.name));
  });

  test('ys and losses keyed by output name, and predict returns one tensor per output', async () => {
    const m = twins(_lib => ({ optimizer: 'sgd', loss: { width: 'meanSquaredError', species: 'categoricalCrossentropy' } }));
    const ys = (lib) => ({ species: lib.tensor2d(Y_CLASS), width: lib.tensor2d(Y_REG) });
    const h1 = await m.theirs.fit(tfjs.tensor2d(X), ys(tfjs), { epochs: 2, shuffle: false, verbose: 0 });
    const h2 = await m.ours.fit(tf.tensor2d(X), ys(tf), { epochs: 2, shuffle: false, verbose: 0 });
    expectClose(h2.history.loss, h1.history.loss);
    const p1 = m.theirs.predict(tfjs.tensor2d(X));
    const p2 = m.ours.predict(tf.tensor2d(X));
    expect(p2.map(t => t.shape)).toEqual(p1.map(t => t.shape));
    p1.forEach((t, i) => expectClose(p2[i].dataSync(), t.dataSync(), 1e-5));
  });

  test('summary prints the functional table as TF.js does', () => {
    const lines = { ours: [], theirs: [] };
    twoHead(tfjs).summary(undefined, undefined, l => lines.theirs.push(l));
    twoHead(tf).summary(undefined, undefined, l => lines.ours.push(l));
    expect(lines.ours).toEqual(lines.theirs);
  });
});

describe('Keras semantics where TF.js is wrong', () => {
  test('lossWeights are applied: loss = Σ wᵢ·lossᵢ', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'meanSquaredError'], lossWeights: [0.3, 2] });
    const h = await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 3, verbose: 0 });
    h.history.loss.forEach((loss, e) => expect(loss).toBeCloseTo(0.3 * h.history.species_loss[e] + 2 * h.history.width_loss[e], 5));
  });

  test('a head with loss weight 0 does not change its own weights', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'meanSquaredError'], lossWeights: { species: 1, width: 0 } });
    const before = model.getLayer('width').getWeights().map(w => w.arraySync());
    const trunkBefore = model.getLayer('trunk').getWeights()[0].arraySync();
    await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 3, verbose: 0 });
    expect(model.getLayer('width').getWeights().map(w => w.arraySync())).toEqual(before);
    expect(model.getLayer('trunk').getWeights()[0].arraySync()).not.toEqual(trunkBefore);
  });

  test('evaluate returns [total, each output loss, each metric] in Keras order, and val_ logs equal evaluate', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: tf.train.sgd(0), loss: ['categoricalCrossentropy', 'meanSquaredError'], metrics: { species: 'accuracy', width: ['mae', 'mse'] }, lossWeights: [1, 0.5] });
    expect(model.metricsNames).toEqual(['loss', 'species_loss', 'width_loss', 'species_acc', 'width_mae', 'width_mse']);
    const result = model.evaluate(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)]).map(t => t.dataSync()[0]);
    const [probs, width] = model.predict(tf.tensor2d(X));
    const ce = tf.metrics.categoricalCrossentropy(tf.tensor2d(Y_CLASS), probs).dataSync().reduce((a, b) => a + b) / ROWS;
    const mse = tf.metrics.meanSquaredError(tf.tensor2d(Y_REG), width).dataSync().reduce((a, b) => a + b) / ROWS;
    const mae = tf.metrics.meanAbsoluteError(tf.tensor2d(Y_REG), width).dataSync().reduce((a, b) => a + b) / ROWS;
    const acc = tf.metrics.categoricalAccuracy(tf.tensor2d(Y_CLASS), probs).dataSync().reduce((a, b) => a + b) / ROWS;
    expectClose(result, [ce + 0.5 * mse, ce, mse, acc, mae, mse], 1e-5);
    // With a learning rate of 0 the validation logs must be exactly evaluate's values (TF.js mislabels them, tfjs#5941).
    const h = await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 1, verbose: 0, validationData: [tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)]] });
    model.metricsNames.forEach((name, i) => expect(h.history[`val_${name}`][0]).toBeCloseTo(result[i], 5));
  });
});

describe('missing labels', () => {
  test('a head with NaN labels trains exactly as that head alone would on its labelled rows', async () => {
    const missing = new Set([1, 4, 7, 8]);
    const yReg = Y_REG.map((r, i) => (missing.has(i) ? [NaN] : r));
    const build = () => {
      const input = tf.input({ shape: [4] });
      const trunk = tf.layers.dense({ units: 5, activation: 'tanh', name: 'mask_trunk' }).apply(input);
      return { input, trunk, reg: tf.layers.dense({ units: 1, name: 'mask_reg' }) };
    };
    const a = build();
    const both = tf.model({ inputs: a.input, outputs: [tf.layers.dense({ units: 3, activation: 'softmax', name: 'mask_cls' }).apply(a.trunk), a.reg.apply(a.trunk)] });
    both.compile({ optimizer: tf.train.sgd(0.2), loss: ['categoricalCrossentropy', 'meanSquaredError'], lossWeights: [0, 1], metrics: ['mae'] });
    const b = build();
    const alone = tf.model({ inputs: b.input, outputs: b.reg.apply(b.trunk) });
    alone.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError', metrics: ['mae'] });
    const w = both.getWeights();
    alone.setWeights([w[0], w[1], w[4], w[5]]);
    const h = await both.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(yReg)], { epochs: 5, batchSize: ROWS, verbose: 0 });
    const kept = X.filter((_, i) => !missing.has(i));
    const hAlone = await alone.fit(tf.tensor2d(kept), tf.tensor2d(Y_REG.filter((_, i) => !missing.has(i))), { epochs: 5, batchSize: ROWS, verbose: 0 });
    expectClose(h.history.mask_reg_loss, hAlone.history.loss, 1e-5);
    expectClose(h.history.mask_reg_mae, hAlone.history.mae, 1e-5);
    const after = both.getWeights();
    [after[0], after[1], after[4], after[5]].forEach((t, i) => expectClose(t.dataSync(), alone.getWeights()[i].dataSync(), 1e-5));
  });

  test('NaN targets are rejected for single-output models, and a task without any label is an error', async () => {
    const single = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    single.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(single.fit(tf.tensor2d(X), tf.tensor2d(Y_REG.map((r, i) => (i === 3 ? [NaN] : r))), { verbose: 0 })).rejects.toThrow('fit: y must hold finite numbers, but row 3, column 0 is NaN');
    const model = twoHead(tf);
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    await expect(model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG.map(() => [NaN]))], { verbose: 0 }))
      .rejects.toThrow("fit: output 'width' has no label at all in the training data");
  });

  test('sampleWeight per output scales each row (the mean divides by all labelled rows)', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: tf.train.sgd(0), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    const weights = X.map((_, i) => (i % 2 ? 2 : 0.5));
    const h = await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 1, batchSize: ROWS, verbose: 0, sampleWeight: { width: tf.tensor1d(weights) } });
    const [, width] = model.predict(tf.tensor2d(X));
    const perRow = tf.metrics.meanSquaredError(tf.tensor2d(Y_REG), width).dataSync();
    expect(h.history.width_loss[0]).toBeCloseTo(perRow.reduce((s, v, i) => s + v * weights[i], 0) / ROWS, 5);
    await expect(model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { verbose: 0, sampleWeight: { height: tf.ones([ROWS]) } }))
      .rejects.toThrow("fit: sampleWeight names 'height', which is not an output; the outputs are species, width");
  });

  test('a sample weight of 0 is NOT like a missing label: the row still counts in the mean', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: tf.train.sgd(0), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    const zeroed = X.map((_, i) => (i < 4 ? 0 : 1));
    const data = [tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)]];
    const hZero = await model.fit(...data, { epochs: 1, batchSize: ROWS, verbose: 0, sampleWeight: { width: tf.tensor1d(zeroed) } });
    const missing = Y_REG.map((r, i) => (i < 4 ? [NaN] : r));
    const hMissing = await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(missing)], { epochs: 1, batchSize: ROWS, verbose: 0 });
    const [, width] = model.predict(tf.tensor2d(X));
    const perRow = Array.from(tf.metrics.meanSquaredError(tf.tensor2d(Y_REG), width).dataSync());
    const kept = perRow.slice(4).reduce((a, b) => a + b, 0);
    expect(hZero.history.width_loss[0]).toBeCloseTo(kept / ROWS, 5); // divided by all 12 rows
    expect(hMissing.history.width_loss[0]).toBeCloseTo(kept / (ROWS - 4), 5); // by the 8 labelled rows
    expect(hZero.history.width_loss[0]).toBeLessThan(hMissing.history.width_loss[0] * 0.9);
  });
});

test('classWeight per output weights that output\'s rows only', async () => {
  const model = twoHead(tf);
  model.compile({ optimizer: tf.train.sgd(0), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
  const cw = { 0: 3, 1: 1, 2: 0.5 };
  const h = await model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 1, batchSize: ROWS, verbose: 0, classWeight: { species: cw } });
  const [probs, width] = model.predict(tf.tensor2d(X));
  const ce = tf.metrics.categoricalCrossentropy(tf.tensor2d(Y_CLASS), probs).dataSync();
  const weighted = Y_CLASS.reduce((s, y, i) => s + cw[y.indexOf(1)] * ce[i], 0) / ROWS;
  expect(h.history.species_loss[0]).toBeCloseTo(weighted, 5);
  const mse = tf.metrics.meanSquaredError(tf.tensor2d(Y_REG), width).dataSync().reduce((a, b) => a + b) / ROWS;
  expect(h.history.width_loss[0]).toBeCloseTo(mse, 5);
});

describe('adaptive task balancing', () => {
  const fitOnce = async (model, epochs = 1, extra = {}) => model.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs, batchSize: ROWS, verbose: 0, ...extra });

  test('uncertainty: one SGD step moves s by -lr·(-c·e^-s·L + 1/2), and the weight is logged', async () => {
    const model = twoHead(tf);
    const lr = 0.1;
    model.compile({ optimizer: tf.train.sgd(lr), loss: ['categoricalCrossentropy', 'meanSquaredError'], taskWeighting: 'uncertainty' });
    const h = await fitOnce(model);
    // c = 1 for classification, 1/2 for regression; s starts at 0.
    const s1 = -lr * (-1 * h.history.species_loss[0] + 0.5);
    const s2 = -lr * (-0.5 * h.history.width_loss[0] + 0.5);
    expect(h.history.species_weight[0]).toBeCloseTo(Math.exp(-s1), 5);
    expect(h.history.width_weight[0]).toBeCloseTo(0.5 * Math.exp(-s2), 5);
  });

  test('uncertainty restores balance when one task\'s loss is scaled by 1000', async () => {
    // Two noisy regressions (their losses cannot reach 0); the second is scaled so that its MSE is ×1000.
    const n = 80;
    const x = rows(n, 3, 21);
    const noise = seededValues(2 * n, 22, -0.3, 0.3);
    const ya = x.map((r, i) => [r[0] - r[1] + noise[i]]);
    const yb = x.map((r, i) => [Math.sqrt(1000) * (r[2] * r[0] + noise[n + i])]);
    const input = tf.input({ shape: [3] });
    const seeded = (seed) => tf.initializers.glorotNormal({ seed });
    const trunk = tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: seeded(1) }).apply(input);
    const model = tf.model({ inputs: input, outputs: [tf.layers.dense({ units: 1, name: 'uw_a', kernelInitializer: seeded(2) }).apply(trunk),
      tf.layers.dense({ units: 1, name: 'uw_b', kernelInitializer: seeded(3) }).apply(trunk)] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError', taskWeighting: 'uncertainty' });
    const h = await model.fit(tf.tensor2d(x), [tf.tensor2d(ya), tf.tensor2d(yb)], { epochs: 300, batchSize: 40, verbose: 0, seed: 5 });
    const weighted = (e) => (h.history.uw_b_weight[e] * h.history.uw_b_loss[e]) / (h.history.uw_a_weight[e] * h.history.uw_a_loss[e]);
    // Equal weights at the start: the scaled task dominates the total by over two orders of magnitude.
    expect(h.history.uw_b_loss[0] / h.history.uw_a_loss[0]).toBeGreaterThan(100);
    // At balance each weighted term c·e^-s·L tends to 1/2, whatever the scale of L.
    expect(weighted(299)).toBeGreaterThan(0.5);
    expect(weighted(299)).toBeLessThan(2);
  });

  test('dwa: each epoch\'s weights come from the ratio of the two epoch losses before it, and are the ones logged with it', async () => {
    const model = twoHead(tf);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], taskWeighting: { method: 'dwa', temperature: 2 } });
    const h = await fitOnce(model, 5);
    expect(h.history.species_weight.slice(0, 2)).toEqual([1, 1]);
    for (let e = 2; e < 5; e++) {
      const r = ['species', 'width'].map(k => h.history[`${k}_loss`][e - 1] / h.history[`${k}_loss`][e - 2]);
      const ex = r.map(v => Math.exp(v / 2));
      expect(h.history.species_weight[e]).toBeCloseTo(2 * ex[0] / (ex[0] + ex[1]), 5);
      expect(h.history.width_weight[e]).toBeCloseTo(2 * ex[1] / (ex[0] + ex[1]), 5);
    }
    // The epoch-e loss was computed with the weights logged at epoch e.
    expect(h.history.species_weight[3]).not.toBeCloseTo(1, 3);
    expect(h.history.loss[3]).toBeCloseTo(h.history.species_weight[3] * h.history.species_loss[3] + h.history.width_weight[3] * h.history.width_loss[3], 4);
  });

  test('gradnorm: the first update follows sign(G - mean G)·‖∇W L‖ computed by hand', async () => {
    // Linear trunk W (the last layer both heads share) and linear heads: gradients in closed form.
    const input = tf.input({ shape: [2] });
    const trunk = tf.layers.dense({ units: 2, name: 'gn_trunk', useBias: false }).apply(input);
    const a = tf.layers.dense({ units: 1, name: 'gn_a', useBias: false }).apply(trunk);
    const b = tf.layers.dense({ units: 1, name: 'gn_b', useBias: false }).apply(trunk);
    const model = tf.model({ inputs: input, outputs: [a, b] });
    const W = [[0.5, -0.3], [0.2, 0.8]];
    const ha = [[1.0], [0.5]];
    const hb = [[-2.0], [3.0]];
    model.setWeights([tf.tensor2d(W), tf.tensor2d(ha), tf.tensor2d(hb)]);
    const lr = 0.05;
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError', taskWeighting: { method: 'gradnorm', alpha: 1.5, learningRate: lr } });
    const x = [[1, 2], [-1, 0.5], [0.3, -0.7]];
    const ya = [[1], [0], [2]];
    const yb = [[0], [1], [-1]];
    const h = await model.fit(tf.tensor2d(x), [tf.tensor2d(ya), tf.tensor2d(yb)], { epochs: 1, batchSize: 3, verbose: 0 });
    const n = x.length;
    const norm = (head, y) => {
      // dL/dW = Xᵀ · (2/n)(p - y) · headᵀ, with p = x·W·head.
      const g = [[0, 0], [0, 0]];
      x.forEach((row, i) => {
        const z = [row[0] * W[0][0] + row[1] * W[1][0], row[0] * W[0][1] + row[1] * W[1][1]];
        const p = z[0] * head[0][0] + z[1] * head[1][0];
        const d = (2 / n) * (p - y[i][0]);
        for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) g[r][c] += row[r] * d * head[c][0];
      });
      return Math.sqrt(g.flat().reduce((s, v) => s + v * v, 0));
    };
    const norms = [norm(ha, ya), norm(hb, yb)];
    const mean = (norms[0] + norms[1]) / 2; // weights start at 1 and loss ratios at 1
    const w = norms.map(nv => 1 - lr * Math.sign(nv - mean) * nv);
    const sum = w[0] + w[1];
    expect(h.history.gn_a_weight[0]).toBeCloseTo(2 * w[0] / sum, 5);
    expect(h.history.gn_b_weight[0]).toBeCloseTo(2 * w[1] / sum, 5);
  });

  test('pcgrad trains, and differs from the plain sum only when task gradients conflict', async () => {
    const plain = twoHead(tf);
    const surgery = twoHead(tf);
    surgery.setWeights(plain.getWeights());
    plain.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    surgery.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], gradientSurgery: 'pcgrad' });
    const h1 = await fitOnce(plain, 1);
    const h2 = await fitOnce(surgery, 1);
    expect(h2.history.loss[0]).toBeCloseTo(h1.history.loss[0], 6); // same start, same first loss
    // Head-only layers receive only their own gradient: identical after one step.
    expectClose(surgery.getLayer('species').getWeights()[0].dataSync(), plain.getLayer('species').getWeights()[0].dataSync(), 1e-6);
    const h3 = await fitOnce(surgery, 30);
    expect(h3.history.loss[29]).toBeLessThan(h2.history.loss[0]);
  });
});

describe('bad input', () => {
  const compile = (extra) => { const m = twoHead(tf); m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'meanSquaredError'], ...extra }); return m; };
  test('unknown output names in loss, metrics, lossWeights and ys', async () => {
    expect(() => twoHead(tf).compile({ optimizer: 'sgd', loss: { species: 'categoricalCrossentropy', height: 'meanSquaredError' } }))
      .toThrow("compile: unknown entry in loss dictionary: 'height'. Only expected the output names: species, width");
    expect(() => compile({ metrics: { heigth: 'mae' } })).toThrow("unknown entry in metrics dictionary: 'heigth'");
    expect(() => compile({ lossWeights: { species: 1, widht: 2 } })).toThrow("unknown entry in lossWeights dictionary: 'widht'");
    await expect(compile().fit(tf.tensor2d(X), { species: tf.tensor2d(Y_CLASS), heigth: tf.tensor2d(Y_REG) }, { verbose: 0 }))
      .rejects.toThrow("fit: y: 'heigth' is not one of the model's names (species, width)");
  });
  test('wrong number of losses, weights or targets', async () => {
    expect(() => twoHead(tf).compile({ optimizer: 'sgd', loss: ['meanSquaredError'] })).toThrow(/it should have one entry per model output. The model has 2 output\(s\) \(species, width\), but you passed loss with 1 entries/);
    expect(() => compile({ lossWeights: [1, 2, 3] })).toThrow(/passed lossWeights with 3 entries/);
    await expect(compile().fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS)], { verbose: 0 })).rejects.toThrow('fit: y: the model has 2 (species, width) but 1 array(s) were given');
  });
  test('a target width that does not match its head', async () => {
    await expect(compile().fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_CLASS)], { verbose: 0 })).rejects.toThrow("fit: y: expected width to have shape [null,1] but got array with shape [12,3] (1 unit(s))");
  });
  test('an output that does not depend on the inputs, duplicate layer names, wrong widths', () => {
    const a = tf.input({ shape: [2] });
    const b = tf.input({ shape: [2] });
    const out = tf.layers.dense({ units: 1 }).apply(b);
    expect(() => tf.model({ inputs: a, outputs: out })).toThrow(/depends on input 'input\d+', which is not among the model's inputs/);
    const x = tf.input({ shape: [2] });
    const d1 = tf.layers.dense({ units: 2, name: 'same' }).apply(x);
    const d2 = tf.layers.dense({ units: 2, name: 'same' }).apply(d1);
    const owner = tf.model({ inputs: x, outputs: d1 });
    const before = owner.getLayer('same').getWeights().map(w => w.arraySync());
    expect(() => tf.model({ inputs: x, outputs: d2 })).toThrow("model: layer names must be unique but 'same' is used twice");
    // The model that failed took nothing: the layer's weights still come from the model that holds them.
    expect(owner.getLayer('same').getWeights().map(w => w.arraySync())).toEqual(before);
    // A Sequential model is built on first use (as in TF.js): the core's check comes then.
    const seq = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], name: 'twice' }), tf.layers.dense({ units: 1, name: 'twice' })] });
    expect(() => seq.predict(tf.zeros([1, 2]))).toThrow("model: layer names must be unique but 'twice' is used twice");
    const shared = tf.layers.dense({ units: 2 });
    shared.apply(tf.input({ shape: [3] }));
    // The core's messages: the layer, the width it was built for (its first input's) and the width given.
    expect(() => shared.apply(tf.input({ shape: [5] }))).toThrow(new RegExp(`dense '${shared.name}': input width: expected 3 but got 5`));
    expect(() => tf.layers.add().apply([tf.input({ shape: [2] }), tf.input({ shape: [3] })])).toThrow(/merge layer 'add_Add\d+': all inputs must have the same width: expected 2 but got 3/);
  });
  test('a cycle or an out-of-order graph is rejected by the core', () => {
    const { NativeModel } = require('../lib/native');
    const spec = { name: 'cyclic', layers: [{ className: 'InputLayer', name: 'i', width: 2 }, { className: 'Dense', name: 'd', units: 2 }],
      nodes: [{ layer: 0, inputs: [] }, { layer: 1, inputs: [1] }], inputs: [0], outputs: [1] };
    expect(() => new NativeModel(spec)).toThrow("model: layer 'd' takes node 1 as input, which is not computed before it (the graph has a cycle or is out of order)");
  });
  test('unknown taskWeighting or gradientSurgery, bad options, gradnorm without a shared layer', () => {
    expect(() => compile({ taskWeighting: 'uncertain' })).toThrow("compile: Unknown taskWeighting 'uncertain'. Expected one of: fixed, uncertainty, dwa, gradnorm, rlw, famo (or {method, ...options})");
    expect(() => compile({ taskWeighting: { method: 'dwa', temprature: 2 } })).toThrow("compile: taskWeighting 'dwa' has no option 'temprature'; its options are temperature");
    expect(() => compile({ taskWeighting: { method: 'dwa', temperature: -1 } })).toThrow('compile: taskWeighting dwa: temperature must be a positive number but got -1');
    expect(() => compile({ gradientSurgery: 'mgda' })).toThrow("compile: Unknown gradientSurgery 'mgda'. Expected one of: pcgrad, cagrad, nash-mtl, aligned-mtl, imtl-g, mgda-ub");
    const i1 = tf.input({ shape: [2] });
    const sep = tf.model({ inputs: i1, outputs: [tf.layers.dense({ units: 1 }).apply(i1), tf.layers.dense({ units: 1 }).apply(i1)] });
    expect(() => sep.compile({ optimizer: 'sgd', loss: 'meanSquaredError', taskWeighting: 'gradnorm' })).toThrow(/gradnorm' needs a trainable dense layer shared by every output/);
  });
});

describe('fitDataset and fit share one training loop for multi-task models', () => {
  /** A two-head model with fixed weights (the same in every call). */
  const fixedTwoHead = (compileArgs) => {
    const model = twoHead(tf);
    const shapes = model.getWeights().map(w => w.shape);
    model.setWeights(shapes.map((shape, i) => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), 700 + i, -0.6, 0.6), shape)));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], ...compileArgs });
    return model;
  };
  /** The rows as a dataset of {xs, ys: {species, width}} batches, in order. */
  const dataset = (yClass, yReg, batchSize) => tf.data.zip({ xs: tf.data.array(X), species: tf.data.array(yClass), width: tf.data.array(yReg) })
    .map(({ xs, species, width }) => ({ xs, ys: { species, width } })).batch(batchSize);

  test('DWA weights change across fitDataset epochs and equal fit\'s on the same batches (validation included)', async () => {
    const viaFit = fixedTwoHead({ taskWeighting: { method: 'dwa', temperature: 0.5 } });
    const viaDataset = fixedTwoHead({ taskWeighting: { method: 'dwa', temperature: 0.5 } });
    const validation = [tf.tensor2d(X.slice(0, 5)), [tf.tensor2d(Y_CLASS.slice(0, 5)), tf.tensor2d(Y_REG.slice(0, 5))]];
    const h1 = await viaFit.fit(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(Y_REG)], { epochs: 5, batchSize: 5, shuffle: false, verbose: 0, validationData: validation });
    const h2 = await viaDataset.fitDataset(dataset(Y_CLASS, Y_REG, 5), { epochs: 5, verbose: 0, validationData: validation });
    expect(Object.keys(h2.history).sort()).toEqual(Object.keys(h1.history).sort());
    for (const key of Object.keys(h1.history)) expect({ key, error: maxRelativeError(h2.history[key], h1.history[key]) < 1e-5 }).toEqual({ key, error: true });
    expect(h2.history.species_weight.slice(0, 2)).toEqual([1, 1]);
    expect(Math.abs(h2.history.species_weight[4] - 1)).toBeGreaterThan(1e-3);
    expect(h2.history.species_weight[4] + h2.history.width_weight[4]).toBeCloseTo(2, 5);
  });

  test('val_* uses the epoch\'s own weights: val_loss is the logged weights times the validation losses', async () => {
    const model = fixedTwoHead({ taskWeighting: { method: 'dwa', temperature: 0.5 } });
    const validation = tf.data.zip({ xs: tf.data.array(X.slice(0, 7)), species: tf.data.array(Y_CLASS.slice(0, 7)), width: tf.data.array(Y_REG.slice(0, 7)) })
      .map(({ xs, species, width }) => ({ xs, ys: { species, width } })).batch(3);
    const h = (await model.fitDataset(dataset(Y_CLASS, Y_REG, 4), { epochs: 5, verbose: 0, validationData: validation })).history;
    for (let e = 0; e < 5; e++) {
      const expected = h.species_weight[e] * h.val_species_loss[e] + h.width_weight[e] * h.val_width_loss[e];
      expect(Math.abs(h.val_loss[e] - expected)).toBeLessThan(1e-5);
    }
    expect(Math.abs(h.species_weight[4] - 1)).toBeGreaterThan(1e-3);
  });

  test('with label-free batches, each head\'s epoch value is the mean over its labelled rows', async () => {
    // Batches of 4: rows 0-3 labelled for width, rows 4-7 not at all, rows 8-11 half labelled.
    const labelled = r => r < 4 || r === 8 || r === 10;
    const yReg = Y_REG.map((y, r) => (labelled(r) ? y : [NaN]));
    const model = fixedTwoHead({ optimizer: tf.train.sgd(0) }); // no update: the epoch sees fixed weights
    const h = (await model.fitDataset(dataset(Y_CLASS, yReg, 4), { epochs: 1, verbose: 0 })).history;
    const pred = model.predict(tf.tensor2d(X))[1].arraySync();
    const rowsWithLabel = Y_REG.map((y, r) => r).filter(labelled);
    const mse = rowsWithLabel.reduce((s, r) => s + (pred[r][0] - Y_REG[r][0]) ** 2, 0) / rowsWithLabel.length;
    expect(h.width_loss[0]).toBeCloseTo(mse, 6);
  });

  test('a batch without any label for an output logs NaN for it in onBatchEnd (as trainOnBatch returns)', async () => {
    const yReg = Y_REG.map((y, r) => (r >= 4 && r < 8 ? [NaN] : y));
    const model = fixedTwoHead({});
    const logs = [];
    await model.fitDataset(dataset(Y_CLASS, yReg, 4), { epochs: 1, verbose: 0, callbacks: { onBatchEnd: (b, l) => logs.push(l) } });
    expect(logs.map(l => Number.isNaN(l.width_loss))).toEqual([false, true, false]);
    expect(logs.every(l => Number.isFinite(l.species_loss) && Number.isFinite(l.loss))).toBe(true);
  });

  test('evaluateDataset with missing labels gives finite values equal to evaluate on the same rows', async () => {
    const yReg = Y_REG.map((y, r) => (r >= 4 && r < 8 ? [NaN] : y));
    const model = fixedTwoHead({});
    const viaDataset = (await model.evaluateDataset(dataset(Y_CLASS, yReg, 4))).map(t => t.dataSync()[0]);
    const direct = model.evaluate(tf.tensor2d(X), [tf.tensor2d(Y_CLASS), tf.tensor2d(yReg)], { batchSize: 4 }).map(t => t.dataSync()[0]);
    viaDataset.forEach(v => expect(Number.isFinite(v)).toBe(true));
    expect(maxRelativeError(viaDataset, direct)).toBeLessThan(1e-6);
  });
});
