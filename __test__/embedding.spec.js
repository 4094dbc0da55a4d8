'use strict';
// tf.layers.embedding and tf.layers.flatten against @tensorflow/tfjs 4.22: a categorical column
// embedded, flattened and concatenated with numeric columns. Same initial weights (TF.js's, copied
// with setWeights), forward, a multi-epoch fit (history and final weights within 1e-4), the saved
// files both ways, shapes and summaries, and bad arguments and ids (clear message, model unchanged).
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const TOLERANCE = 1e-4;
const ROWS = 10; // batchSize 4: batches of 4, 4 and 2
const VOCAB = 4;
const IDS_PER_ROW = 2;

// Ids in [0, VOCAB), with repeats inside rows and across rows; the last id (3) appears once.
const IDS = [[0, 1], [2, 2], [1, 0], [1, 1], [2, 0], [0, 0], [1, 2], [3, 1], [0, 2], [2, 1]];
const NUMERIC = Array.from({ length: ROWS }, (_, r) => seededValues(3, 50 + r, -1.5, 1.5));
const TARGETS = Array.from({ length: ROWS }, (_, r) => seededValues(2, 90 + r, -1, 1));

/** ids [batch, 2] → embedding(4, 3) → flatten, concatenated with numeric [batch, 3] → dense(5, tanh) → dense(2). */
function buildTabular(lib, { name = 'tabular', embeddingArgs = () => ({}) } = {}) {
  const ids = lib.input({ shape: [IDS_PER_ROW], name: 'ids' });
  const numeric = lib.input({ shape: [3], name: 'numeric' });
  const embedded = lib.layers.embedding({ inputDim: VOCAB, outputDim: 3, inputLength: IDS_PER_ROW, name: 'island_embedding', ...embeddingArgs(lib) }).apply(ids);
  const flat = lib.layers.flatten({ name: 'flat' }).apply(embedded);
  const joined = lib.layers.concatenate({ name: 'joined' }).apply([flat, numeric]);
  const hidden = lib.layers.dense({ units: 5, activation: 'tanh', name: 'hidden' }).apply(joined);
  const out = lib.layers.dense({ units: 2, name: 'out' }).apply(hidden);
  return lib.model({ inputs: [ids, numeric], outputs: out, name });
}

/** Fixed pseudo-random weights set in both models (so every run checks the same numbers). */
function setSameWeights(theirs, ours) {
  const values = theirs.getWeights().map((w, i) => seededValues(w.size, 300 + i, -0.7, 0.7));
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, theirs.getWeights()[i].shape)));
  ours.setWeights(values.map((v, i) => tf.tensor(v, theirs.getWeights()[i].shape)));
}

function twins(options) {
  const theirs = buildTabular(tfjs, options);
  const ours = buildTabular(tf, options);
  setSameWeights(theirs, ours);
  return { ours, theirs };
}

const inputsOf = (lib) => [lib.tensor2d(IDS, undefined, 'int32'), lib.tensor2d(NUMERIC)];
const weightsOf = (model) => model.getWeights().map(w => Array.from(w.dataSync()));
const flatOut = (t) => Array.from(t.dataSync());

/** Max relative error (|a-b| / max(1, |b|)) within 1e-4, and the same length. */
function expectWithin(label, actual, expected) {
  expect({ label, length: actual.length }).toEqual({ label, length: expected.length });
  const error = maxRelativeError(actual, expected);
  if (!(error <= TOLERANCE)) throw new Error(`${label}: max relative error ${error} > ${TOLERANCE}\nours   ${actual}\ntheirs ${expected}`);
}

function expectSameWeights(ours, theirs) {
  const [a, b] = [ours.getWeights(), theirs.getWeights()];
  expect(a.map(w => w.shape)).toEqual(b.map(w => w.shape));
  b.forEach((w, i) => expectWithin(`weight ${theirs.weights[i].name}`, Array.from(a[i].dataSync()), Array.from(w.dataSync())));
}

async function artifactsOf(model, lib) {
  let saved;
  await model.save(lib.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return saved;
}

describe('shapes', () => {
  test('symbolic shapes are rank 3 from the embedding to flatten, as in TF.js', () => {
    const theirs = buildTabular(tfjs).layers.map(l => [l.name, l.outputShape]);
    const ours = buildTabular(tf).layers.map(l => [l.name, l.inboundNodes[0].output.shape]);
    expect(ours).toEqual(theirs);
    expect(Object.fromEntries(ours).island_embedding).toEqual([null, 2, 3]);
  });

  test('summary prints the rank-3 shapes and parameter counts TF.js prints', () => {
    const lines = (model) => { const out = []; model.summary(undefined, undefined, l => out.push(l)); return out; };
    const ours = lines(buildTabular(tf));
    expect(ours).toEqual(lines(buildTabular(tfjs)));
    expect(ours.join('\n')).toContain('[null,2,3]');
  });

  test('dense on a rank-3 input applies to the last axis as TF.js does (forward)', () => {
    const build = (lib) => {
      const ids = lib.input({ shape: [3] });
      const e = lib.layers.embedding({ inputDim: 5, outputDim: 4 }).apply(ids);
      const d = lib.layers.dense({ units: 2, activation: 'relu' }).apply(e);
      const a = lib.layers.activation({ activation: 'softmax' }).apply(d);
      return lib.model({ inputs: ids, outputs: lib.layers.flatten().apply(a) });
    };
    const [theirs, ours] = [build(tfjs), build(tf)];
    setSameWeights(theirs, ours);
    expect(ours.outputs[0].shape).toEqual([null, 6]);
    const ids = [[0, 4, 4], [3, 1, 2]];
    expectWithin('prediction', flatOut(ours.predict(tf.tensor2d(ids))), flatOut(theirs.predict(tfjs.tensor2d(ids, undefined, 'int32'))));
  });

  test('a Sequential model can start with an embedding given inputLength, as in TF.js', () => {
    const build = (lib) => {
      const m = lib.sequential();
      m.add(lib.layers.embedding({ inputDim: 6, outputDim: 2, inputLength: 4 }));
      m.add(lib.layers.flatten());
      m.add(lib.layers.dense({ units: 1 }));
      return m;
    };
    const [theirs, ours] = [build(tfjs), build(tf)];
    setSameWeights(theirs, ours);
    const ids = [[5, 0, 1, 1]];
    expectWithin('prediction', flatOut(ours.predict(tf.tensor2d(ids))), flatOut(theirs.predict(tfjs.tensor2d(ids))));
  });
});

describe('parity with TF.js training', () => {
  test('forward pass equals TF.js (int32 ids and float ids alike)', () => {
    const { ours, theirs } = twins();
    const expected = flatOut(theirs.predict(inputsOf(tfjs)));
    expectWithin('int32 ids', flatOut(ours.predict(inputsOf(tf))), expected);
    expectWithin('float ids', flatOut(ours.predict([tf.tensor2d(IDS), tf.tensor2d(NUMERIC)])), expected);
  });

  test.each([
    ['sgd', (lib) => lib.train.sgd(0.1)],
    ['adam', (lib) => lib.train.adam(0.01)],
  ])('a 4-epoch fit with %s: history and final weights (embeddings included) within 1e-4', async (_, optimizer) => {
    const { ours, theirs } = twins({ embeddingArgs: (lib) => ({ embeddingsRegularizer: lib.regularizers.l2({ l2: 0.01 }) }) });
    for (const [m, lib] of [[ours, tf], [theirs, tfjs]]) m.compile({ loss: 'meanSquaredError', optimizer: optimizer(lib), metrics: ['mae'] });
    const args = { epochs: 4, batchSize: 4, shuffle: false, verbose: 0 };
    const hOurs = await ours.fit(inputsOf(tf), tf.tensor2d(TARGETS), args);
    const hTheirs = await theirs.fit(inputsOf(tfjs), tfjs.tensor2d(TARGETS), args);
    expect(Object.keys(hOurs.history)).toEqual(Object.keys(hTheirs.history));
    for (const key of Object.keys(hTheirs.history)) expectWithin(`history ${key}`, hOurs.history[key], hTheirs.history[key]);
    expectSameWeights(ours, theirs);
    // The embeddings did train (the check above is not comparing two untouched tables).
    const start = seededValues(VOCAB * 3, 300, -0.7, 0.7);
    expect(maxRelativeError(Array.from(ours.getWeights()[0].dataSync()), start)).toBeGreaterThan(1e-3);
  });
});

describe('fitDataset', () => {
  const datasetOf = (lib, ids = IDS) => lib.data.array(ids.map((row, i) => ({ xs: { ids: row, numeric: NUMERIC[i] }, ys: TARGETS[i] }))).batch(4);

  test('trains as TF.js does (history and weights within 1e-4)', async () => {
    const { ours, theirs } = twins();
    for (const [m, lib] of [[ours, tf], [theirs, tfjs]]) m.compile({ loss: 'meanSquaredError', optimizer: lib.train.adam(0.02) });
    const hOurs = await ours.fitDataset(datasetOf(tf), { epochs: 3, verbose: 0 });
    const hTheirs = await theirs.fitDataset(datasetOf(tfjs), { epochs: 3, verbose: 0 });
    expectWithin('history loss', hOurs.history.loss, hTheirs.history.loss);
    expectSameWeights(ours, theirs);
  });

  test('a bad id in a batch is refused naming the layer and the value, and the model is unchanged', async () => {
    const { ours } = twins();
    ours.compile({ loss: 'meanSquaredError', optimizer: tf.train.adam(0.02) });
    const before = weightsOf(ours);
    const ids = IDS.map(r => r.slice());
    ids[1][0] = 9;
    await expect(ours.fitDataset(datasetOf(tf, ids), { epochs: 1, verbose: 0 }))
      .rejects.toThrow("fitDataset: layer 'island_embedding' reads input 'ids' as ids in [0, 4) (its inputDim), but row 1 column 0 holds 9");
    expect(weightsOf(ours)).toEqual(before);
  });
});

describe('saved files', () => {
  test('topology and weight specs equal what TF.js writes for the same model', async () => {
    const { ours, theirs } = twins({ embeddingArgs: (lib) => ({ embeddingsRegularizer: lib.regularizers.l2({ l2: 0.001 }) }) });
    const a = await artifactsOf(ours, tf);
    const b = await artifactsOf(theirs, tfjs);
    expect(JSON.stringify(a.modelTopology)).toBe(JSON.stringify(b.modelTopology));
    expect(a.weightSpecs).toEqual(b.weightSpecs);
    expect(a.weightSpecs[0]).toEqual({ name: 'island_embedding/embeddings', shape: [VOCAB, 3], dtype: 'float32' });
  });

  test('our save → TF.js load predicts the same', async () => {
    const { ours } = twins();
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(await artifactsOf(ours, tf)));
    expectWithin('prediction', flatOut(loaded.predict(inputsOf(tfjs))), flatOut(ours.predict(inputsOf(tf))));
    expect(loaded.layers.map(l => l.getClassName())).toEqual(ours.layers.map(l => l.getClassName()));
  });

  test('TF.js save → our load predicts the same and keeps training as TF.js does', async () => {
    const { theirs } = twins();
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs)));
    expectWithin('prediction', flatOut(loaded.predict(inputsOf(tf))), flatOut(theirs.predict(inputsOf(tfjs))));
    const embedding = loaded.getLayer('island_embedding');
    expect([embedding.inputDim, embedding.outputDim, embedding.inputLength]).toEqual([VOCAB, 3, IDS_PER_ROW]);
    loaded.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.05) });
    theirs.compile({ loss: 'meanSquaredError', optimizer: tfjs.train.sgd(0.05) });
    await loaded.fit(inputsOf(tf), tf.tensor2d(TARGETS), { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
    await theirs.fit(inputsOf(tfjs), tfjs.tensor2d(TARGETS), { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
    expectSameWeights(loaded, theirs);
  });
});

describe('bad arguments', () => {
  test.each([
    [{ inputDim: 0, outputDim: 3 }, "embedding 'e': inputDim must be a positive integer but got 0"],
    [{ inputDim: 4, outputDim: 2.5 }, "embedding 'e': outputDim must be a positive integer but got 2.5"],
    [{ inputDim: 4, outputDim: 3, inputLength: [2, 3] }, "embedding 'e': inputLength must be a positive integer (dense-mtl embeds [batch, ids] inputs) but got [2,3]"],
    [{ inputDim: 4, outputDim: 3, maskZero: true }, "embedding 'e': maskZero must be false (dense-mtl has no masking; use an id of its own for padding) but got true"],
    [{ inputDim: 4, outputDim: 3, embeddingsInitializer: 'nope' }, "embedding 'e': embeddingsInitializer: Unknown initializer 'nope'"],
  ])('embedding(%j) fails: %s', (args, message) => {
    expect(() => tf.layers.embedding({ name: 'e', ...args })).toThrow(message);
  });

  test('inputLength that disagrees with the input, flatten of a rank-2 tensor, concatenate of ranks 3 and 2', () => {
    const ids = tf.input({ shape: [2] });
    expect(() => tf.layers.embedding({ name: 'e', inputDim: 4, outputDim: 3, inputLength: 3 }).apply(ids))
      .toThrow('embedding \'e\': "inputLength" is 3, but received input shape has shape [null,2]');
    expect(() => tf.layers.flatten({ name: 'f' }).apply(ids)).toThrow('Input 0 is incompatible with layer f: expected min_ndim=3, found ndim=2.');
    const embedded = tf.layers.embedding({ inputDim: 4, outputDim: 3 }).apply(ids);
    expect(() => tf.layers.concatenate({ name: 'c' }).apply([embedded, ids]))
      .toThrow('c: A `Concatenate` layer requires inputs with matching shapes except for the concat axis. Got input shapes: [null,2,3], [null,2]');
  });

  test('a rank-3 model output is refused with the fix to make', () => {
    const ids = tf.input({ shape: [2] });
    // tf.model builds the native model, so the core refuses the model when it is made.
    const outputs = tf.layers.embedding({ name: 'e', inputDim: 4, outputDim: 3 }).apply(ids);
    expect(() => tf.model({ inputs: ids, outputs })).toThrow("model: output 'e' has shape [null,2,3], but model outputs (and their losses) are [batch, units] tensors in dense-mtl: add a flatten layer");
  });

  test('an embedding of a computed tensor is refused (it reads ids)', () => {
    const x = tf.input({ shape: [2] });
    const d = tf.layers.dense({ units: 2 }).apply(x);
    const e = tf.layers.embedding({ name: 'e', inputDim: 4, outputDim: 3 }).apply(d);
    const outputs = tf.layers.flatten().apply(e);
    expect(() => tf.model({ inputs: x, outputs })).toThrow("model: layer 'e' reads integer ids, so it must take a model input (tf.input) directly");
  });

  test.each([
    [4, '4'], [-1, '-1'], [7.5, '7.5'],
  ])('an id of %p fails fit, evaluate and predict naming the layer and the value, and changes nothing', async (bad, shown) => {
    const { ours } = twins();
    ours.compile({ loss: 'meanSquaredError', optimizer: tf.train.adam(0.01) });
    const before = weightsOf(ours);
    const ids = IDS.map(r => r.slice());
    ids[6][1] = bad;
    const x = [tf.tensor2d(ids), tf.tensor2d(NUMERIC)];
    const message = `layer 'island_embedding' reads input 'ids' as ids in [0, 4) (its inputDim), but row 6 column 1 holds ${shown}`;
    await expect(ours.fit(x, tf.tensor2d(TARGETS), { epochs: 1, verbose: 0 })).rejects.toThrow(`fit: ${message}`);
    expect(() => ours.evaluate(x, tf.tensor2d(TARGETS))).toThrow(`evaluate: ${message}`);
    expect(() => ours.predict(x)).toThrow(`predict: ${message}`);
    await expect(ours.trainOnBatch(x, tf.tensor2d(TARGETS))).rejects.toThrow(message);
    expect(weightsOf(ours)).toEqual(before);
    // The model still trains on good ids afterwards.
    await ours.fit(inputsOf(tf), tf.tensor2d(TARGETS), { epochs: 1, verbose: 0 });
    expect(weightsOf(ours)).not.toEqual(before);
  });

  test('a fractional id is truncated toward zero as TF.js\'s int32 cast does', () => {
    const { ours, theirs } = twins();
    const ids = IDS.map(r => r.map(v => v + 0.75));
    ids[0][0] = -0.5; // → 0
    const expected = flatOut(theirs.predict([tfjs.tensor2d(ids), tfjs.tensor2d(NUMERIC)]));
    expectWithin('prediction', flatOut(ours.predict([tf.tensor2d(ids), tf.tensor2d(NUMERIC)])), expected);
  });
});

describe('examples/tabular.js', () => {
  const { spawnSync } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');

  test('trains, keeps its best epoch in a checkpoint that TF.js loads and predicts alike, and writes TensorBoard runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-tabular-test-'));
    try {
      const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'examples', 'tabular.js'), dir], { encoding: 'utf8', env: { ...process.env, TABULAR_EPOCHS: '8' } });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/category_embedding \(Embedd \[\[null,2\]\] +\[null,2,3\] +18 /);
      expect(run.stdout).toMatch(/^Best epoch \d of 8 \(val_loss \d+\.\d{4}\), restored from /m);
      expect(run.stdout).toMatch(/^Validation RMSE of the restored model: \d+ g$/m);
      for (const part of ['train', 'val']) expect(fs.readdirSync(path.join(dir, 'logs', part)).some(f => f.startsWith('events.out.tfevents.'))).toBe(true);

      const best = path.join(dir, 'best');
      const json = JSON.parse(fs.readFileSync(path.join(best, 'model.json'), 'utf8'));
      const data = Buffer.concat(json.weightsManifest.flatMap(g => g.paths).map(p => fs.readFileSync(path.join(best, p))));
      const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap(g => g.weights),
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      }));
      const ours = await tf.loadLayersModel(`file://${best}/model.json`);
      expect(theirs.layers.map(l => l.getClassName())).toContain('Embedding');
      const ids = [[0, 3], [1, 4], [2, 5], [0, 5]];
      const numbers = [[0.1, -0.5, 1.2], [-1, 0.3, 0], [0.5, 0.5, -0.7], [2, -1, 0.2]];
      expectWithin('checkpoint prediction', flatOut(ours.predict([tf.tensor2d(ids), tf.tensor2d(numbers)])),
        flatOut(theirs.predict([tfjs.tensor2d(ids, undefined, 'int32'), tfjs.tensor2d(numbers)])));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
