'use strict';
// MMoE (tf.layers.mixtureOfExperts) and CGC/PLE (tf.layers.customizedGateControl): forward passes
// and training steps against the same networks written with TF.js ops (tf.matMul, tf.softmax, ...)
// from the documented weight layout, save/load round trips, summary rows, bad arguments, and
// training with task weighting methods and missing labels.
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const ROWS = 10;
const IN = 5;
const UNITS = 3;
const X = seededValues(ROWS * IN, 1, -1.5, 1.5);
const Y = [seededValues(ROWS, 2), seededValues(ROWS, 3)];
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** input(5) → layer(s) built by `body` → one Dense(1) tower per task output. */
function withTowers(body) {
  const input = tf.input({ shape: [IN], name: 'x' });
  const tasks = body(input);
  const towers = tasks.map((t, k) => tf.layers.dense({ units: 1, name: `tower${k}` }).apply(t));
  return tf.model({ inputs: input, outputs: towers, name: 'experts' });
}

const mmoeModel = (options = {}) => withTowers((x) => tf.layers.mixtureOfExperts({ name: 'mmoe', numExperts: 3, numTasks: 2, expertUnits: UNITS, ...options }).apply(x));

/** PLE: cgc1 (outputShared) on the input, cgc2 on [task 0, task 1, shared]. */
const pleModel = () => withTowers((x) => {
  const level1 = tf.layers.customizedGateControl({ name: 'cgc1', numTasks: 2, sharedExperts: 2, taskExperts: 1, expertUnits: 4, expertActivation: 'tanh', outputShared: true }).apply(x);
  return tf.layers.customizedGateControl({ name: 'cgc2', numTasks: 2, sharedExperts: 1, taskExperts: 2, expertUnits: UNITS, expertActivation: 'elu' }).apply(level1);
});

/** Seeded weights (so every run checks the same numbers), returned by name as plain arrays. */
function seed(model, salt = 0) {
  const values = model.weights.map((w, i) => seededValues(size(w.shape), 100 + salt + i, -0.7, 0.7));
  model.setWeights(values.map((v, i) => tf.tensor(v, model.weights[i].shape)));
  return weightsByName(model);
}

function weightsByName(model) {
  return Object.fromEntries(model.weights.map((w, i) => [w.name, { shape: w.shape, values: Array.from(model.getWeights()[i].dataSync()) }]));
}

// --- the reference: the same networks with TF.js ops ---------------------------------------

const ACT = { relu: (t) => tfjs.relu(t), tanh: (t) => tfjs.tanh(t), elu: (t) => tfjs.elu(t) };

/** `x · kernel + bias` for block `k` of a stacked `[n, in, cols]` kernel (or the whole kernel). */
function affine(x, W, layer, part, k) {
  const kernel = W[`${layer}/${part}/kernel`];
  const bias = W[`${layer}/${part}/bias`];
  const pick = (w) => (k === undefined ? w : w.gather(k));
  return tfjs.add(tfjs.matMul(x, pick(kernel)), pick(bias));
}

/** `[rows, count·units]` expert outputs → list of `count` `[rows, units]` experts. */
const splitExperts = (t, count) => Array.from({ length: count }, (_, e) => t.slice([0, (e * t.shape[1]) / count], [-1, t.shape[1] / count]));

/** `Σ_i gate[:, i] · experts[i]`. */
const mix = (gate, experts) => experts.map((e, i) => tfjs.mul(gate.slice([0, i], [-1, 1]), e)).reduce((a, b) => tfjs.add(a, b));

function mmoeForward(x, W, { numExperts, numTasks, activation }) {
  const experts = splitExperts(ACT[activation](affine(x, W, 'mmoe', 'experts')), numExperts);
  return Array.from({ length: numTasks }, (_, k) => mix(tfjs.softmax(affine(x, W, 'mmoe', 'gates', k)), experts));
}

/** CGC on one input or on `[task inputs..., shared input]`. */
function cgcForward(inputs, W, layer, { numTasks, sharedExperts, taskExperts, activation, outputShared }) {
  const input = (k) => (inputs.length === 1 ? inputs[0] : inputs[k === 'shared' ? numTasks : k]);
  const act = ACT[activation];
  const shared = splitExperts(act(affine(input('shared'), W, layer, 'shared_experts')), sharedExperts);
  const own = Array.from({ length: numTasks }, (_, k) => splitExperts(act(affine(input(k), W, layer, 'task_experts', k)), taskExperts));
  const outs = own.map((mine, k) => mix(tfjs.softmax(affine(input(k), W, layer, 'task_gates', k)), [...mine, ...shared]));
  if (outputShared) outs.push(mix(tfjs.softmax(affine(input('shared'), W, layer, 'shared_gate')), [...shared, ...own.flat()]));
  return outs;
}

const towersOf = (tasks, W) => tasks.map((t, k) => tfjs.add(tfjs.matMul(t, W[`tower${k}/kernel`]), W[`tower${k}/bias`]));

const MMOE = { numExperts: 3, numTasks: 2, activation: 'relu' };
const CGC1 = { numTasks: 2, sharedExperts: 2, taskExperts: 1, activation: 'tanh', outputShared: true };
const CGC2 = { numTasks: 2, sharedExperts: 1, taskExperts: 2, activation: 'elu', outputShared: false };

const referenceNets = {
  mmoe: (x, W) => towersOf(mmoeForward(x, W, MMOE), W),
  ple: (x, W) => towersOf(cgcForward(cgcForward([x], W, 'cgc1', CGC1), W, 'cgc2', CGC2), W),
};

/** The reference's weights as TF.js variables (or tensors), by name. */
const tfjsWeights = (named, variables = false) => Object.fromEntries(Object.entries(named).map(([name, { shape, values }]) => {
  const t = tfjs.tensor(values, shape);
  return [name, variables ? tfjs.variable(t) : t];
}));

/** Keras's training loss: Σ_k mean over rows of the squared error of tower k. */
const referenceLoss = (net, x, W) => net(x, W).map((p, k) => tfjs.losses.meanSquaredError(tfjs.tensor2d(Y[k], [ROWS, 1]), p, undefined, tfjs.Reduction.MEAN)).reduce((a, b) => tfjs.add(a, b));

function expectClose(actual, expected, tolerance, what) {
  const err = maxRelativeError(Array.from(actual), Array.from(expected));
  if (!(err <= tolerance)) throw new Error(`${what}: max relative error ${err} > ${tolerance}`);
}

const xTensor = () => tf.tensor2d(X, [ROWS, IN]);
const yTensors = () => Y.map(y => tf.tensor2d(y, [ROWS, 1]));

describe.each([['mmoe', mmoeModel], ['ple', pleModel]])('%s against TF.js ops', (kind, make) => {
  test('predict equals the same network computed with tf.matMul, tf.softmax and the activations', () => {
    const model = make();
    const W = tfjsWeights(seed(model));
    const ours = model.predict(xTensor());
    const theirs = referenceNets[kind](tfjs.tensor2d(X, [ROWS, IN]), W);
    ours.forEach((t, k) => expectClose(t.dataSync(), theirs[k].dataSync(), 1e-5, `${kind} task ${k}`));
  });

  test('SGD steps (trainOnBatch) and the fit history equal gradient steps on the TF.js ops', async () => {
    const lr = 0.05;
    const model = make();
    const named = seed(model, 7);
    model.compile({ optimizer: tf.train.sgd(lr), loss: ['meanSquaredError', 'meanSquaredError'] });
    const W = tfjsWeights(named, true);
    const x = tfjs.tensor2d(X, [ROWS, IN]);
    const expectedLosses = [];
    for (let step = 0; step < 3; step++) {
      const { value, grads } = tfjs.variableGrads(() => referenceLoss(referenceNets[kind], x, W), Object.values(W));
      expectedLosses.push(value.dataSync()[0]);
      for (const v of Object.values(W)) {
        expect(grads[v.name].abs().max().dataSync()[0]).toBeGreaterThan(1e-6); // every weight learns: not vacuous
        v.assign(tfjs.sub(v, tfjs.mul(lr, grads[v.name])));
      }
    }
    const h = await model.fit(xTensor(), yTensors(), { epochs: 3, batchSize: ROWS, shuffle: false, verbose: 0 });
    expectClose(h.history.loss, expectedLosses, 1e-5, `${kind} fit history`);
    const after = weightsByName(model);
    for (const [name, v] of Object.entries(W)) expectClose(after[name].values, v.dataSync(), 1e-5, `${kind} weight ${name} after 3 steps`);
  });
});

test('Adam steps on MMoE equal TF.js Adam on the same ops', async () => {
  const model = mmoeModel({ expertActivation: 'tanh' });
  const W = tfjsWeights(seed(model, 3), true);
  model.compile({ optimizer: tf.train.adam(0.01), loss: ['meanSquaredError', 'meanSquaredError'] });
  const optimizer = tfjs.train.adam(0.01);
  const x = tfjs.tensor2d(X, [ROWS, IN]);
  const net = (xx, w) => towersOf(mmoeForward(xx, w, { ...MMOE, activation: 'tanh' }), w);
  for (let step = 0; step < 4; step++) {
    const expected = optimizer.minimize(() => referenceLoss(net, x, W), true, Object.values(W)).dataSync()[0];
    const [loss] = await model.trainOnBatch(xTensor(), yTensors());
    expect(loss).toBeCloseTo(expected, 5);
  }
  const after = weightsByName(model);
  for (const [name, v] of Object.entries(W)) expectClose(after[name].values, v.dataSync(), 1e-4, `weight ${name} after 4 Adam steps`);
});

describe('layout, summary and shapes', () => {
  test('weights are named and shaped as docs/multi-task.md documents', () => {
    const shapes = Object.fromEntries(Object.entries(weightsByName(pleModel())).map(([n, w]) => [n, w.shape]));
    expect(shapes).toEqual({
      'cgc1/shared_experts/kernel': [IN, 8], 'cgc1/shared_experts/bias': [8],
      'cgc1/task_experts/kernel': [2, IN, 4], 'cgc1/task_experts/bias': [2, 4],
      'cgc1/task_gates/kernel': [2, IN, 3], 'cgc1/task_gates/bias': [2, 3],
      'cgc1/shared_gate/kernel': [IN, 4], 'cgc1/shared_gate/bias': [4],
      'cgc2/shared_experts/kernel': [4, 3], 'cgc2/shared_experts/bias': [3],
      'cgc2/task_experts/kernel': [2, 4, 6], 'cgc2/task_experts/bias': [2, 6],
      'cgc2/task_gates/kernel': [2, 4, 3], 'cgc2/task_gates/bias': [2, 3],
      'tower0/kernel': [UNITS, 1], 'tower0/bias': [1], 'tower1/kernel': [UNITS, 1], 'tower1/bias': [1],
    });
  });

  test('summary: one row per layer with every output shape, the parameter count and tensor indices', () => {
    const model = pleModel();
    const lines = [];
    model.summary(200, undefined, (l) => lines.push(l));
    const row = (name) => lines.find(l => l.startsWith(`${name} (`));
    const count = (layer) => Object.entries(weightsByName(model)).filter(([n]) => n.startsWith(`${layer}/`)).reduce((s, [, w]) => s + w.values.length, 0);
    expect(model.getLayer('cgc1').countParams()).toBe(count('cgc1'));
    expect(model.getLayer('cgc2').countParams()).toBe(count('cgc2'));
    expect(row('cgc1')).toMatch(new RegExp(`\\[\\[null,4\\],\\[null,4\\],\\[null,4\\]\\]\\s+${count('cgc1')}\\s+x\\[0\\]\\[0\\]`));
    expect(row('cgc2')).toMatch(new RegExp(`\\[\\[null,3\\],\\[null,3\\]\\]\\s+${count('cgc2')}\\s+cgc1\\[0\\]\\[0\\]`));
    // cgc2's further inputs are outputs 1 and 2 of cgc1, on their own rows.
    const at = lines.indexOf(row('cgc2'));
    expect(lines[at + 1].trim()).toBe('cgc1[0][1]');
    expect(lines[at + 2].trim()).toBe('cgc1[0][2]');
    expect(row('tower1')).toMatch(/cgc2\[0\]\[1\]\s*$/);
    expect(lines).toContain(`Total params: ${Object.values(weightsByName(model)).reduce((s, w) => s + w.values.length, 0)}`);
  });

  test('kernelRegularizer penalizes every kernel (experts and gates), biasRegularizer every bias', async () => {
    const model = mmoeModel({ kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }), biasRegularizer: tf.regularizers.l1({ l1: 0.02 }) });
    const W = seed(model, 17);
    model.compile({ optimizer: tf.train.sgd(0), loss: ['meanSquaredError', 'meanSquaredError'] });
    const [loss] = await model.trainOnBatch(xTensor(), yTensors());
    const plain = referenceLoss(referenceNets.mmoe, tfjs.tensor2d(X, [ROWS, IN]), tfjsWeights(W)).dataSync()[0];
    const sum = (names, f) => names.reduce((s, n) => s + W[n].values.reduce((a, v) => a + f(v), 0), 0);
    const penalty = 0.01 * sum(['mmoe/experts/kernel', 'mmoe/gates/kernel'], v => v * v) + 0.02 * sum(['mmoe/experts/bias', 'mmoe/gates/bias'], Math.abs);
    expect(loss).toBeCloseTo(plain + penalty, 4);
  });

  test('layer.getWeights and layer.setWeights use the documented order', () => {
    const model = mmoeModel();
    const W = seed(model, 19);
    const layer = model.getLayer('mmoe');
    const order = ['mmoe/experts/kernel', 'mmoe/experts/bias', 'mmoe/gates/kernel', 'mmoe/gates/bias'];
    layer.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(W[order[i]].values.map(Math.fround)));
    layer.setWeights(order.map(n => tf.zeros(W[n].shape)));
    expect(Array.from(model.predict(xTensor())[0].dataSync())).toEqual(Array(ROWS).fill(W['tower0/bias'].values[0]).map(Math.fround));
  });

  test('outputs of one layer used as model outputs get Keras\'s unique names (mmoe, mmoe_1) in compile and logs', async () => {
    const x = tf.input({ shape: [IN] });
    const outs = tf.layers.mixtureOfExperts({ name: 'mmoe', numExperts: 2, numTasks: 2, expertUnits: 1 }).apply(x);
    const model = tf.model({ inputs: x, outputs: outs });
    expect(model.outputNames).toEqual(['mmoe', 'mmoe_1']);
    model.compile({ optimizer: tf.train.sgd(0), loss: { mmoe: 'meanSquaredError', mmoe_1: 'meanAbsoluteError' } });
    const h = await model.fit(xTensor(), yTensors(), { epochs: 1, batchSize: ROWS, verbose: 0 });
    const [p0, p1] = model.predict(xTensor()).map(t => Array.from(t.dataSync()));
    expect(h.history.mmoe_loss[0]).toBeCloseTo(p0.reduce((s, p, i) => s + (p - Y[0][i]) ** 2, 0) / ROWS, 5);
    expect(h.history.mmoe_1_loss[0]).toBeCloseTo(p1.reduce((s, p, i) => s + Math.abs(p - Y[1][i]), 0) / ROWS, 5);
  });

  test('apply returns one [batch, expertUnits] tensor per output, a list even for one task', () => {
    const x = tf.input({ shape: [IN] });
    const moe = tf.layers.mixtureOfExperts({ numExperts: 2, numTasks: 1, expertUnits: 4 }).apply(x);
    expect(Array.isArray(moe)).toBe(true);
    expect(moe.map(t => [t.shape, t.tensorIndex])).toEqual([[[null, 4], 0]]);
    const cgc = tf.layers.customizedGateControl({ numTasks: 3, sharedExperts: 1, taskExperts: 1, expertUnits: 2, outputShared: true }).apply(x);
    expect(cgc.map(t => t.tensorIndex)).toEqual([0, 1, 2, 3]);
    // The one-gate MoE's single output feeds two towers (the MMoE paper's MoE baseline).
    const towers = [0, 1].map(() => tf.layers.dense({ units: 1 }).apply(moe[0]));
    const model = tf.model({ inputs: x, outputs: towers });
    const [a, b] = model.predict(tf.ones([2, IN]));
    expect(a.shape).toEqual([2, 1]);
    expect(b.shape).toEqual([2, 1]);
  });
});

describe('save and load', () => {
  let dir;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-mmoe-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([['mmoe', mmoeModel], ['ple', pleModel]])('%s: the loaded model predicts the same and takes the same next training step', async (kind, make) => {
    const model = make();
    seed(model, 11);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'meanSquaredError'] });
    await model.trainOnBatch(xTensor(), yTensors());
    const where = path.join(dir, kind);
    await model.save(`file://${where}`);
    const loaded = await tf.loadLayersModel(`file://${where}/model.json`);
    const summary = (m) => { const lines = []; m.summary(undefined, undefined, l => lines.push(l)); return lines; };
    expect(summary(loaded)).toEqual(summary(model));
    model.predict(xTensor()).forEach((t, k) => expect(Array.from(loaded.predict(xTensor())[k].dataSync())).toEqual(Array.from(t.dataSync())));
    loaded.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'meanSquaredError'] });
    const [lossA] = await model.trainOnBatch(xTensor(), yTensors());
    const [lossB] = await loaded.trainOnBatch(xTensor(), yTensors());
    expect(lossB).toBe(lossA);
    const [a, b] = [weightsByName(model), weightsByName(loaded)];
    for (const name of Object.keys(a)) expect(b[name].values).toEqual(a[name].values);
  });

  test('with includeOptimizer, a loaded PLE model continues Adam exactly where the saved one stopped', async () => {
    const model = pleModel();
    seed(model, 13);
    model.compile({ optimizer: tf.train.adam(0.01), loss: ['meanSquaredError', 'meanSquaredError'] });
    for (let i = 0; i < 2; i++) await model.trainOnBatch(xTensor(), yTensors());
    const where = path.join(dir, 'adam');
    await model.save(`file://${where}`, { includeOptimizer: true });
    const loaded = await tf.loadLayersModel(`file://${where}/model.json`);
    for (let i = 0; i < 2; i++) {
      const [lossA] = await model.trainOnBatch(xTensor(), yTensors());
      const [lossB] = await loaded.trainOnBatch(xTensor(), yTensors());
      expect(lossB).toBe(lossA);
    }
    const [a, b] = [weightsByName(model), weightsByName(loaded)];
    for (const name of Object.keys(a)) expect(b[name].values).toEqual(a[name].values);
  });

  test('TF.js cannot load these layers: it fails with its own unknown-layer error', async () => {
    const model = mmoeModel();
    const where = path.join(dir, 'for-tfjs');
    await model.save(`file://${where}`);
    const json = JSON.parse(fs.readFileSync(path.join(where, 'model.json'), 'utf8'));
    const weightData = new Uint8Array(fs.readFileSync(path.join(where, json.weightsManifest[0].paths[0]))).buffer;
    const artifacts = { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData };
    await expect(tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts))).rejects.toThrow(/Unknown layer: MixtureOfExperts/);
  });

  test('a file referring to an output a layer does not have is refused', async () => {
    const model = mmoeModel();
    const where = path.join(dir, 'bad-index');
    await model.save(`file://${where}`);
    const file = path.join(where, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const tower = json.modelTopology.config.layers.find(l => l.name === 'tower1');
    expect(tower.inbound_nodes).toEqual([[['mmoe', 0, 1, {}]]]);
    tower.inbound_nodes[0][0][2] = 2;
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(tf.loadLayersModel(`file://${file}`)).rejects.toThrow("layer 'tower1' takes output 2 of 'mmoe', which has 2 outputs");
  });
});

describe('bad arguments', () => {
  test.each([
    [{ numExperts: 0, numTasks: 2, expertUnits: 3 }, "mixtureOfExperts 'bad': numExperts must be a positive integer but got 0"],
    [{ numExperts: 2, numTasks: 1.5, expertUnits: 3 }, "mixtureOfExperts 'bad': numTasks must be a positive integer but got 1.5"],
    [{ numExperts: 2, numTasks: 2 }, "mixtureOfExperts 'bad': expertUnits must be a positive integer but got undefined"],
    [{ numExperts: 2, numTasks: 2, expertUnits: 3, expertActivation: 'nope' }, "layer 'bad': Unknown activation 'nope'. Expected one of: elu"],
  ])('mixtureOfExperts(%j) fails', (args, message) => {
    expect(() => tf.layers.mixtureOfExperts({ name: 'bad', ...args })).toThrow(message);
  });

  test('customizedGateControl checks its expert counts', () => {
    expect(() => tf.layers.customizedGateControl({ name: 'c', numTasks: 2, sharedExperts: 0, taskExperts: 1, expertUnits: 2 }))
      .toThrow("customizedGateControl 'c': sharedExperts must be a positive integer but got 0");
    expect(() => tf.layers.customizedGateControl({ name: 'c', numTasks: 2, sharedExperts: 1, expertUnits: 2 }))
      .toThrow("customizedGateControl 'c': taskExperts must be a positive integer but got undefined");
  });

  test('applying to the wrong inputs fails and leaves the layer as it was', () => {
    const a = tf.input({ shape: [IN] });
    const b = tf.input({ shape: [IN + 1] });
    const mmoe = tf.layers.mixtureOfExperts({ name: 'm', numExperts: 2, numTasks: 2, expertUnits: 3 });
    expect(() => mmoe.apply([a, a])).toThrow("mixtureOfExperts 'm' takes 1 input(s) but got 2");
    mmoe.apply(a);
    expect(() => mmoe.apply(b)).toThrow(`mixtureOfExperts 'm': input width: expected ${IN} but got ${IN + 1}`);
    expect(mmoe.inboundNodes).toHaveLength(1);
    const cgc = tf.layers.customizedGateControl({ name: 'c', numTasks: 2, sharedExperts: 1, taskExperts: 1, expertUnits: 3 });
    expect(() => cgc.apply([a, a])).toThrow("customizedGateControl 'c' takes 1 or 3 input(s) (one per task, then the shared one) but got 2");
    expect(() => cgc.apply([a, a, b])).toThrow(`customizedGateControl 'c': input width: expected ${IN} but got ${IN + 1}`);
    expect(cgc.inboundNodes).toHaveLength(0);
  });

  test('a Sequential model refuses a layer with one output per task and stays as it was', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [IN] })] });
    const before = model.predict(tf.ones([1, IN])).dataSync();
    const moe = tf.layers.mixtureOfExperts({ name: 'moe', numExperts: 2, numTasks: 1, expertUnits: 3 });
    expect(() => model.add(moe)).toThrow("Sequential.add: layer 'moe' (MixtureOfExperts) returns one tensor per task; use the functional API (tf.model) for it");
    expect(model.layers).toHaveLength(1);
    expect(moe.inboundNodes).toHaveLength(0);
    expect(Array.from(model.predict(tf.ones([1, IN])).dataSync())).toEqual(Array.from(before));
  });

  test('setWeights with a wrong gate shape fails and changes nothing', () => {
    const model = mmoeModel();
    const before = weightsByName(model);
    const weights = model.getWeights();
    const gates = model.weights.findIndex(w => w.name === 'mmoe/gates/kernel');
    weights[gates] = tf.zeros([2, 3, IN]);
    expect(() => model.setWeights(weights)).toThrow(/mmoe\/gates\/kernel/);
    expect(weightsByName(model)).toEqual(before);
  });
});

describe('with task weighting and missing labels', () => {
  const missing = (k) => Y[k].map((v, i) => (i % 3 === k ? NaN : v));

  test('a batch without labels for task 1 moves neither its gate nor its tower, but moves task 0\'s', async () => {
    const model = mmoeModel();
    seed(model, 5);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'meanSquaredError'] });
    const before = weightsByName(model);
    await model.trainOnBatch(xTensor(), [tf.tensor2d(Y[0], [ROWS, 1]), tf.tensor2d(Y[1].map(() => NaN), [ROWS, 1])]);
    const after = weightsByName(model);
    const block = (w, k) => w['mmoe/gates/kernel'].values.slice(k * IN * 3, (k + 1) * IN * 3);
    expect(block(after, 1)).toEqual(block(before, 1));
    expect(after['tower1/kernel'].values).toEqual(before['tower1/kernel'].values);
    expect(block(after, 0)).not.toEqual(block(before, 0));
    expect(after['mmoe/experts/kernel'].values).not.toEqual(before['mmoe/experts/kernel'].values);
  });

  test.each([
    [{ taskWeighting: 'uncertainty' }],
    [{ taskWeighting: 'dwa' }],
    [{ gradientSurgery: 'pcgrad' }],
    [{ gradientSurgery: 'mgda-ub' }],
  ])('%j trains MMoE and PLE on labels with gaps (the training loss falls)', async (method) => {
    for (const make of [mmoeModel, pleModel]) {
      const model = make();
      seed(model, 9);
      model.compile({ optimizer: tf.train.adam(0.02), loss: ['meanSquaredError', 'meanSquaredError'], ...method });
      const y = [0, 1].map(k => tf.tensor2d(missing(k), [ROWS, 1]));
      const h = await model.fit(xTensor(), y, { epochs: 30, batchSize: 5, verbose: 0 });
      for (const k of [0, 1]) {
        const key = `tower${k}_loss`;
        expect(h.history[key].every(Number.isFinite)).toBe(true);
        expect(h.history[key].at(-1)).toBeLessThan(h.history[key][0] * 0.8);
      }
    }
  });
});
