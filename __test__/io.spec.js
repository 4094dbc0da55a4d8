'use strict';
// Model files in the TF.js layers-model format (issue 5): what we write equals what TF.js writes,
// files go both ways between us and real @tensorflow/tfjs, fixtures written like tfjs-node and the
// Keras converter load, saves are atomic, training resumes, and bad input fails clearly.
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const crypto = require('crypto');
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const FIXTURES = path.join(__dirname, 'fixtures', 'models');
const X = [0, 1, 2, 3, 4, 5].map(i => seededValues(4, 40 + i));
const Y_SPAM = X.map((r, i) => [i % 2]);
const Y_TOPIC = X.map((r, i) => [0, 1, 2].map(k => (k === i % 3 ? 1 : 0)));

let tmpRoot;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-io-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `m${++dirCount}`);

// --- helpers -------------------------------------------------------------------------------

/** The same architectures in both libraries, with the same layer and model names. */
function buildSequential(lib, name = 'seq_model') {
  const m = lib.sequential({ name });
  m.add(lib.layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden', kernelRegularizer: lib.regularizers.l2({ l2: 0.001 }) }));
  m.add(lib.layers.dropout({ rate: 0.2, name: 'drop' }));
  m.add(lib.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: lib.initializers.heUniform({ seed: 7 }) }));
  return m;
}

function buildTwoHead(lib, name = 'multitask') {
  const features = lib.input({ shape: [4], name: 'features' });
  const trunk = lib.layers.dense({ units: 8, activation: 'relu', name: 'trunk' }).apply(features);
  const side = lib.layers.dense({ units: 8, activation: 'tanh', name: 'side', biasInitializer: lib.initializers.constant({ value: 0.1 }) }).apply(features);
  const mixed = lib.layers.add({ name: 'mix' }).apply([trunk, side]);
  const joined = lib.layers.concatenate({ name: 'joined' }).apply([mixed, trunk]);
  const isSpam = lib.layers.dense({ units: 1, activation: 'sigmoid', name: 'is_spam' }).apply(joined);
  const topic = lib.layers.dense({ units: 3, activation: 'softmax', name: 'topic' }).apply(lib.layers.activation({ activation: 'hardSigmoid', name: 'act' }).apply(trunk));
  return lib.model({ inputs: features, outputs: [isSpam, topic], name });
}

/** Two inputs through one shared layer: a layer with two inbound nodes. */
function buildShared(lib, name = 'siamese') {
  const a = lib.input({ shape: [4], name: 'left' });
  const b = lib.input({ shape: [4], name: 'right' });
  const shared = lib.layers.dense({ units: 3, activation: 'elu', name: 'shared' });
  const [sa, sb] = [shared.apply(a), shared.apply(b)];
  const sum = lib.layers.average({ name: 'avg' }).apply([sa, sb]);
  const gated = lib.layers.multiply({ name: 'gate' }).apply([sum, sb]);
  const other = lib.layers.dense({ units: 2, name: 'other', trainable: false }).apply(sb);
  return lib.model({ inputs: [a, b], outputs: [gated, other], name });
}

const compileTwoHead = (m, extra = {}) => m.compile({
  optimizer: 'adam', loss: { is_spam: 'binaryCrossentropy', topic: 'categoricalCrossentropy' }, metrics: ['accuracy'], ...extra,
});

/** Copies TF.js's weights into our twin. */
function copyWeights(from, to) {
  to.setWeights(from.getWeights().map(w => tf.tensor(w.arraySync())));
}

function predictions(model, lib) {
  const x = lib.tensor2d(X);
  const out = model.predict(model.inputs.length > 1 ? model.inputs.map(() => x) : x);
  return (Array.isArray(out) ? out : [out]).map(t => Array.from(t.dataSync()));
}

function expectClose(actual, expected, tolerance = 1e-6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(maxRelativeError(a, expected[i])).toBeLessThanOrEqual(tolerance));
}

/** Saves with a library's withSaveHandler and returns the artifacts. */
async function artifactsOf(model, lib, config) {
  let saved;
  await model.save(lib.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), config);
  return saved;
}

const weightsOf = (model) => model.getWeights().map(w => Array.from(w.dataSync()));
const copyDir = (from, to) => fs.cpSync(from, to, { recursive: true });
const writeJSON = (file, value) => fs.writeFileSync(file, JSON.stringify(value));
const readJSON = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

// --- what we write -------------------------------------------------------------------------

describe('model artifacts as TF.js writes them', () => {
  test('a Sequential model: topology, weight specs and header fields equal TF.js\'s', async () => {
    const ours = await artifactsOf(buildSequential(tf), tf);
    const theirs = await artifactsOf(buildSequential(tfjs), tfjs);
    expect(ours.modelTopology).toEqual(theirs.modelTopology);
    expect(ours.weightSpecs).toEqual(theirs.weightSpecs);
    expect([ours.format, ours.generatedBy, ours.convertedBy]).toEqual([theirs.format, theirs.generatedBy, theirs.convertedBy]);
    expect(ours.weightData).toBeInstanceOf(ArrayBuffer);
    expect(ours.weightData.byteLength).toBe(theirs.weightData.byteLength);
    expect('trainingConfig' in ours).toBe(false); // TF.js writes it only with includeOptimizer
    // Only the first layer carries batch_input_shape and dtype.
    expect(ours.modelTopology.config.layers.map(l => 'batch_input_shape' in l.config)).toEqual([true, false, false]);
  });

  test('a two-head functional model (InputLayer, inbound_nodes, merges) equals TF.js\'s', async () => {
    const ours = await artifactsOf(buildTwoHead(tf), tf);
    const theirs = await artifactsOf(buildTwoHead(tfjs), tfjs);
    expect(ours.modelTopology).toEqual(theirs.modelTopology);
    expect(JSON.stringify(ours.modelTopology)).toBe(JSON.stringify(theirs.modelTopology)); // key order too
    expect(ours.weightSpecs).toEqual(theirs.weightSpecs);
    expect(ours.modelTopology.class_name).toBe('Model');
  });

  test('a shared layer (two inbound nodes) and a frozen layer: topology and weight order equal TF.js\'s', async () => {
    const ours = await artifactsOf(buildShared(tf), tf);
    const theirs = await artifactsOf(buildShared(tfjs), tfjs);
    expect(JSON.stringify(ours.modelTopology)).toBe(JSON.stringify(theirs.modelTopology));
    expect(ours.weightSpecs.map(s => s.name)).toEqual(['shared/kernel', 'shared/bias', 'other/kernel', 'other/bias']);
    expect(ours.weightSpecs).toEqual(theirs.weightSpecs);
    const trainableOnly = await artifactsOf(buildShared(tf), tf, { trainableOnly: true });
    expect(trainableOnly.weightSpecs.map(s => s.name)).toEqual(['shared/kernel', 'shared/bias']);
  });

  test('includeOptimizer: trainingConfig as TF.js writes it, then iter and the Adam slots', async () => {
    const ours = buildTwoHead(tf);
    const theirs = buildTwoHead(tfjs);
    compileTwoHead(ours);
    compileTwoHead(theirs);
    const a = await artifactsOf(ours, tf, { includeOptimizer: true });
    const b = await artifactsOf(theirs, tfjs, { includeOptimizer: true });
    expect(a.trainingConfig).toEqual(b.trainingConfig);
    expect(a.trainingConfig.optimizer_config).toEqual({ class_name: 'Adam', config: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } });
    const optimizer = a.weightSpecs.filter(s => s.group === 'optimizer');
    expect(optimizer[0]).toEqual({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
    const trainable = a.weightSpecs.filter(s => s.group == null).map(s => s.name);
    expect(optimizer.slice(1).map(s => s.name)).toEqual([...trainable.map(n => `${n}/m`), ...trainable.map(n => `${n}/v`)]);
    expect('denseMtl' in a).toBe(false); // nothing beyond TF.js's fields when loss weights are all 1
  });

  test('loss names, metric lists and optimizer configs are snake_cased like TF.js\'s', async () => {
    const cases = [
      { optimizer: lib => lib.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mse', 'accuracy'] },
      { optimizer: lib => lib.train.rmsprop(0.01), loss: 'categoricalCrossentropy' },
      { optimizer: lib => lib.train.momentum(0.1, 0.9), loss: 'meanAbsoluteError', metrics: 'accuracy' },
      { optimizer: () => 'adagrad', loss: 'categoricalHinge' },
    ];
    for (const c of cases) {
      const [ours, theirs] = [tf, tfjs].map((lib) => {
        const m = buildSequential(lib);
        m.compile({ optimizer: c.optimizer(lib), loss: c.loss, metrics: c.metrics });
        return m;
      });
      const a = await artifactsOf(ours, tf, { includeOptimizer: true });
      const b = await artifactsOf(theirs, tfjs, { includeOptimizer: true });
      expect(a.trainingConfig).toEqual(b.trainingConfig);
    }
  });

  test('save resolves with TF.js\'s SaveResult', async () => {
    const model = buildSequential(tf);
    const result = await model.save(`file://${freshDir()}`);
    const a = await artifactsOf(model, tf);
    expect(result.modelArtifactsInfo).toEqual({
      dateSaved: expect.any(Date), modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(a.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(a.weightSpecs)),
      weightDataBytes: a.weightData.byteLength,
    });
  });
});

describe('files as tfjs-node writes them', () => {
  test('model.json and the weights file are byte for byte what tfjs-node writes, the weights named by their SHA-256', async () => {
    const theirs = buildTwoHead(tfjs, 'same_name');
    const ours = buildTwoHead(tf, 'same_name');
    copyWeights(theirs, ours);
    const dir = freshDir();
    await ours.save(`file://${dir}`);
    const b = await artifactsOf(theirs, tfjs);
    // tfjs-node's NodeFileSystem.save: these keys in this order, JSON.stringify without spaces;
    // the one difference: the weights file is named by its content (one commit point per save).
    const weightsName = `weights.${crypto.createHash('sha256').update(Buffer.from(b.weightData)).digest('hex').slice(0, 16)}.bin`;
    const expected = JSON.stringify({
      modelTopology: b.modelTopology, weightsManifest: [{ paths: [weightsName], weights: b.weightSpecs }],
      format: b.format, generatedBy: b.generatedBy, convertedBy: b.convertedBy,
    });
    expect(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).toBe(expected);
    expect(fs.readFileSync(path.join(dir, weightsName)).equals(Buffer.from(b.weightData))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', weightsName]);
  });

  test('TF.js loads a directory we saved, following the weights file that model.json names', async () => {
    const model = buildTwoHead(tf);
    const dir = freshDir();
    await model.save(dir);
    const theirs = await tfjsLoadDir(dir); // reads the files weightsManifest.paths names
    expect(weightsOf(theirs)).toEqual(weightsOf(model));
    expectClose(predictions(theirs, tfjs), predictions(model, tf));
  });

  test('plain paths work and missing parent directories are created', async () => {
    const model = buildSequential(tf);
    const dir = path.join(freshDir(), 'nested', 'deeper');
    await model.save(dir);
    const loaded = await tf.loadLayersModel(path.join(dir, 'model.json'));
    expectClose(predictions(loaded, tf), predictions(model, tf));
  });

  test('saving over an existing model replaces it', async () => {
    const dir = freshDir();
    await buildSequential(tf).save(dir);
    const second = buildTwoHead(tf);
    await second.save(`file://${dir}`);
    expectClose(predictions(await tf.loadLayersModel(`file://${dir}/model.json`), tf), predictions(second, tf));
    // The first model's weights file is gone: only model.json and the file it names remain.
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', ...readJSON(path.join(dir, 'model.json')).weightsManifest[0].paths]);
  });

  test('a path that is a file cannot be saved to (tfjs-node\'s message)', async () => {
    const file = path.join(freshDir());
    fs.writeFileSync(file, 'x');
    await expect(buildSequential(tf).save(`file://${file}`)).rejects.toThrow(`Path ${file} exists as a file. The path must be nonexistent or point to a directory.`);
  });
});

// --- round trips ---------------------------------------------------------------------------

describe('round trips with @tensorflow/tfjs', () => {
  const ARCHITECTURES = [['Sequential', buildSequential], ['two-head functional', buildTwoHead], ['shared-layer functional', buildShared]];

  test.each(ARCHITECTURES)('%s: our save → TF.js load', async (_, build) => {
    const ours = build(tf);
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(await artifactsOf(ours, tf)));
    expectClose(predictions(loaded, tfjs), predictions(ours, tf));
    expect(loaded.layers.map(l => l.name)).toEqual(ours.layers.map(l => l.name));
  });

  test.each(ARCHITECTURES)('%s: TF.js save → our load', async (_, build) => {
    const theirs = build(tfjs);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs)));
    expectClose(predictions(loaded, tf), predictions(theirs, tfjs));
    expect(loaded.layers.map(l => l.name)).toEqual(theirs.layers.map(l => l.name));
    expect(loaded.name).toBe(theirs.name);
  });

  test('a compiled model with optimizer state goes to TF.js and back, and both keep training alike', async () => {
    const ours = buildTwoHead(tf);
    compileTwoHead(ours);
    await ours.fit(tf.tensor2d(X), [tf.tensor2d(Y_SPAM), tf.tensor2d(Y_TOPIC)], { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
    const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory(await artifactsOf(ours, tf, { includeOptimizer: true })));
    const back = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(theirs, tfjs, { includeOptimizer: true })));
    const fit = { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 };
    await theirs.fit(tfjs.tensor2d(X), [tfjs.tensor2d(Y_SPAM), tfjs.tensor2d(Y_TOPIC)], fit);
    await back.fit(tf.tensor2d(X), [tf.tensor2d(Y_SPAM), tf.tensor2d(Y_TOPIC)], fit);
    expectClose(weightsOf(back), weightsOf(theirs), 1e-4);
  });
});

// --- fixtures ------------------------------------------------------------------------------

/** TF.js loading a fixture directory (pure tfjs has no file:// handler, so from memory). */
async function tfjsLoadDir(dir) {
  const json = readJSON(path.join(dir, 'model.json'));
  const data = Buffer.concat(json.weightsManifest.flatMap(g => g.paths).map(p => fs.readFileSync(path.join(dir, p))));
  return tfjs.loadLayersModel(tfjs.io.fromMemory({
    modelTopology: json.modelTopology, trainingConfig: json.trainingConfig, weightSpecs: json.weightsManifest.flatMap(g => g.weights),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  }));
}

describe('fixtures written by tfjs-node and by the Keras converter', () => {
  const FIXTURE_NAMES = ['tfjs-node-sequential', 'tfjs-node-multitask', 'keras-functional'];

  test.each(FIXTURE_NAMES)('%s loads and predicts as TF.js does', async (name) => {
    const dir = path.join(FIXTURES, name);
    const expected = readJSON(path.join(dir, 'expected.json'));
    const ours = await tf.loadLayersModel(`file://${dir}/model.json`);
    const theirs = await tfjsLoadDir(dir);
    const out = ours.predict(tf.tensor2d(expected.x));
    const ourOutputs = (Array.isArray(out) ? out : [out]).map(t => Array.from(t.dataSync()));
    expectClose(ourOutputs, expected.outputs.map(o => o.flat()));
    const theirOut = theirs.predict(tfjs.tensor2d(expected.x));
    expectClose(ourOutputs, (Array.isArray(theirOut) ? theirOut : [theirOut]).map(t => Array.from(t.dataSync())));
    // TF.js lists a Keras Sequential's explicit InputLayer among the layers; we fold it into the first layer.
    expect(ours.layers.map(l => l.name)).toEqual(theirs.layers.filter(l => l.getClassName() !== 'InputLayer' || !(theirs instanceof tfjs.Sequential)).map(l => l.name));
  });

  test('a real Keras Sequential takes its input shape from the explicit InputLayer and compiles from training_config', async () => {
    const model = await tf.loadLayersModel(path.join(FIXTURES, '..', 'keras', 'tfkeras-sequential-from-h5', 'model.json'));
    expect(model.layers.map(l => l.name)).toEqual(['dense', 'dense_1']);
    expect(model.inputs[0].shape).toEqual([null, 4]);
    expect(model.compiled).toBe(true); // TF.js ignores modelTopology.training_config; we compile from it
  });

  test('the tfjs-node multitask fixture is compiled with its optimizer state and trains on as in TF.js', async () => {
    const dir = path.join(FIXTURES, 'tfjs-node-multitask');
    const ours = await tf.loadLayersModel(`file://${dir}/model.json`);
    const theirs = await tfjsLoadDir(dir);
    expect(ours.compiled).toBe(true);
    const state = ours._model().optimizerState();
    expect(state.iterations).toBe(9); // 3 epochs of 3 batches before saving
    const fit = { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 };
    const h1 = await ours.fit(tf.tensor2d(X), [tf.tensor2d(Y_SPAM), tf.tensor2d(Y_TOPIC)], fit);
    const h2 = await theirs.fit(tfjs.tensor2d(X), [tfjs.tensor2d(Y_SPAM), tfjs.tensor2d(Y_TOPIC)], fit);
    expect(maxRelativeError(h1.history.loss, h2.history.loss)).toBeLessThan(1e-4);
    expectClose(weightsOf(ours), weightsOf(theirs), 1e-4);
  });
});

describe('http(s):// URLs', () => {
  let server;
  let base;
  const requests = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url);
      const urlPath = decodeURIComponent(req.url.split('?')[0]);
      const jsonOnly = urlPath.startsWith('/json-only/');
      const file = path.join(FIXTURES, jsonOnly ? urlPath.slice('/json-only'.length) : urlPath);
      if (!file.startsWith(FIXTURES) || !fs.existsSync(file) || fs.statSync(file).isDirectory() || (jsonOnly && !file.endsWith('.json'))) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      res.writeHead(200);
      res.end(fs.readFileSync(file));
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));
  beforeEach(() => { requests.length = 0; });

  test('weights are fetched next to model.json with its query string, as TF.js does', async () => {
    const model = await tf.loadLayersModel(`${base}/keras-functional/model.json?v=3`);
    const expected = readJSON(path.join(FIXTURES, 'keras-functional', 'expected.json'));
    expectClose(model.predict(tf.tensor2d(expected.x)).map(t => Array.from(t.dataSync())), expected.outputs.map(o => o.flat()));
    expect(requests).toEqual(['/keras-functional/model.json?v=3', '/keras-functional/group1-shard1of2.bin?v=3',
      '/keras-functional/group1-shard2of2.bin?v=3', '/keras-functional/group2-shard1of1.bin?v=3']);
  });

  test('weightPathPrefix replaces the directory of the weight URLs', async () => {
    // /json-only/ serves model.json files but no weights.
    const model = await tf.loadLayersModel(`${base}/json-only/tfjs-node-sequential/model.json`, { weightPathPrefix: `${base}/tfjs-node-sequential/` });
    expect(requests).toEqual(['/json-only/tfjs-node-sequential/model.json', '/tfjs-node-sequential/weights.bin']);
    expect(model.layers).toHaveLength(3);
  });

  test('saving to an http:// URL posts model.json and model.weights.bin as TF.js does', async () => {
    let body = '';
    const upload = http.createServer((req, res) => {
      req.on('data', (chunk) => { body += chunk.toString('latin1'); });
      req.on('end', () => { res.writeHead(200); res.end('ok'); });
    });
    await new Promise(resolve => upload.listen(0, '127.0.0.1', resolve));
    try {
      const result = await buildSequential(tf).save(`http://127.0.0.1:${upload.address().port}/upload`);
      expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
      expect(body).toContain('filename="model.json"');
      expect(body).toContain('filename="model.weights.bin"');
      expect(body).toContain('"paths":["./model.weights.bin"]');
    } finally {
      await new Promise(resolve => upload.close(resolve));
    }
  });

  test('a failed request names the URL and the status', async () => {
    await expect(tf.loadLayersModel(`${base}/nothing/model.json`)).rejects.toThrow(`Request to ${base}/nothing/model.json failed with status code 404`);
  });
});

// --- atomic save ---------------------------------------------------------------------------

describe('a save that fails half way (an exception) leaves the previous model loadable', () => {
  async function savedModel() {
    const dir = freshDir();
    const model = buildTwoHead(tf);
    await model.save(`file://${dir}`);
    return { dir, before: predictions(model, tf), files: fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f))]) };
  }

  async function expectIntact({ dir, before, files }) {
    expect(fs.readdirSync(dir).sort()).toEqual(files.map(([f]) => f).sort()); // no temporary files left
    for (const [f, bytes] of files) expect(fs.readFileSync(path.join(dir, f)).equals(bytes)).toBe(true);
    expectClose(predictions(await tf.loadLayersModel(`file://${dir}/model.json`), tf), before);
  }

  test('model.json cannot be renamed into place after the new weights file was: the new file is removed', async () => {
    const saved = await savedModel();
    const rename = fs.promises.rename;
    jest.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
      if (path.basename(to) === 'model.json' && from.endsWith('.tmp')) throw Object.assign(new Error('EIO: simulated failure'), { code: 'EIO' });
      return rename(from, to);
    });
    await expect(buildSequential(tf).save(`file://${saved.dir}`)).rejects.toThrow('EIO: simulated failure');
    jest.restoreAllMocks();
    await expectIntact(saved);
  });

  test('writing the new weights fails (disk full)', async () => {
    const saved = await savedModel();
    const open = fs.promises.open;
    jest.spyOn(fs.promises, 'open').mockImplementation(async (file, ...rest) => {
      const handle = await open(file, ...rest);
      if (path.basename(file).startsWith('.weights.')) {
        handle.writeFile = async () => { throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); };
      }
      return handle;
    });
    await expect(buildSequential(tf).save(saved.dir)).rejects.toThrow('ENOSPC');
    jest.restoreAllMocks();
    await expectIntact(saved);
  });

  test('serialization throws before anything is written', async () => {
    const saved = await savedModel();
    const model = buildTwoHead(tf);
    compileTwoHead(model, { optimizer: 'adamax' });
    await expect(model.save(saved.dir, { includeOptimizer: true })).rejects.toThrow('includeOptimizer is not supported for Adamax');
    await expectIntact(saved);
  });

  test('a failed first save leaves no files behind', async () => {
    const dir = freshDir();
    const rename = fs.promises.rename;
    jest.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
      if (path.basename(to) === 'model.json') throw new Error('simulated failure');
      return rename(from, to);
    });
    await expect(buildSequential(tf).save(dir)).rejects.toThrow('simulated failure');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

// --- resume training -----------------------------------------------------------------------

describe('training resumes after save and load', () => {
  test('includeOptimizer: training continues bit for bit as if uninterrupted (loss weights kept)', async () => {
    const data = () => [tf.tensor2d(X), [tf.tensor2d(Y_SPAM), tf.tensor2d(Y_TOPIC)]];
    const fit = { batchSize: 4, shuffle: false, verbose: 0 };
    const lossWeights = { is_spam: 0.3, topic: 2 };
    const interrupted = buildTwoHead(tf);
    const uninterrupted = buildTwoHead(tf);
    uninterrupted.setWeights(interrupted.getWeights());
    compileTwoHead(interrupted, { lossWeights });
    compileTwoHead(uninterrupted, { lossWeights });

    await interrupted.fit(...data(), { ...fit, epochs: 3 });
    const dir = freshDir();
    await interrupted.save(`file://${dir}`, { includeOptimizer: true });
    expect(readJSON(path.join(dir, 'model.json')).denseMtl).toEqual({ version: 1, lossWeights });
    const resumed = await tf.loadLayersModel(`file://${dir}/model.json`);
    expect(resumed._compileSpec.heads.map(h => h.lossWeight)).toEqual([0.3, 2]);
    const after = await resumed.fit(...data(), { ...fit, epochs: 3 });

    const whole = await uninterrupted.fit(...data(), { ...fit, epochs: 6 });
    expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
    expect(after.history.loss).toEqual(whole.history.loss.slice(3));
  });

  test.each([
    // SGD: the log-variances are stepped by the model's optimizer, whose slots for them are not
    // exported by the native optimizerState (so with Adam their moments would restart).
    ['uncertainty weighting with PCGrad', { taskWeighting: 'uncertainty', gradientSurgery: 'pcgrad', optimizer: tf.train.sgd(0.05) }],
    ['Dynamic Weight Average', { taskWeighting: { method: 'dwa', temperature: 1.5 } }],
    ['GradNorm', { taskWeighting: { method: 'gradnorm', alpha: 1 }, lossWeights: [2, 1] }],
    // FAMO: its logits follow the log-loss decrease of each step, so any drift of the model's
    // steps after a resume shows there (it did while Adam's bias-correction powers were
    // recomputed with powi on load instead of multiplied out as training does).
    ['FAMO (logits and their Adam moments)', { taskWeighting: 'famo' }],
  ])('%s: the learned task weights are saved and training resumes exactly', async (_, options) => {
    const data = () => [tf.tensor2d(X), [tf.tensor2d(Y_SPAM), tf.tensor2d(Y_TOPIC)]];
    const fit = { batchSize: 4, shuffle: false, verbose: 0 };
    const interrupted = buildTwoHead(tf);
    const uninterrupted = buildTwoHead(tf);
    uninterrupted.setWeights(interrupted.getWeights());
    compileTwoHead(interrupted, options);
    compileTwoHead(uninterrupted, options);
    await interrupted.fit(...data(), { ...fit, epochs: 3 });
    const dir = freshDir();
    await interrupted.save(dir, { includeOptimizer: true });
    const saved = readJSON(path.join(dir, 'model.json')).denseMtl;
    expect(saved.taskState).toEqual(JSON.parse(JSON.stringify(interrupted._model().taskState())));
    const resumed = await tf.loadLayersModel(path.join(dir, 'model.json'));
    expect(resumed._model().taskState()).toEqual(interrupted._model().taskState());
    await resumed.fit(...data(), { ...fit, epochs: 3 });
    await uninterrupted.fit(...data(), { ...fit, epochs: 6 });
    expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
    expect(resumed._model().taskState()).toEqual(uninterrupted._model().taskState());
  });

  test('TF.js loads a file with our extension field (it ignores it)', async () => {
    const model = buildTwoHead(tf);
    compileTwoHead(model, { lossWeights: [1, 0.5] });
    const artifacts = await artifactsOf(model, tf, { includeOptimizer: true });
    expect(artifacts.trainingConfig.loss_weights).toBeUndefined(); // TF.js would throw on it
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts));
    expectClose(predictions(loaded, tfjs), predictions(model, tf));
  });
});

// --- tf.io handlers ------------------------------------------------------------------------

describe('tf.io handlers', () => {
  test('withSaveHandler gets the ModelArtifacts and save resolves with what it returns', async () => {
    const seen = [];
    const result = await buildSequential(tf).save(tf.io.withSaveHandler(async (a) => { seen.push(a); return { modelArtifactsInfo: { custom: true } }; }));
    expect(result).toEqual({ modelArtifactsInfo: { custom: true } });
    expect(Object.keys(seen[0])).toEqual(['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightData', 'weightSpecs']);
  });

  test('custom handler objects and the deprecated multi-argument fromMemory', async () => {
    const model = buildSequential(tf);
    let stored;
    await model.save({ save: async (a) => { stored = a; return { modelArtifactsInfo: {} }; } });
    const fromObject = await tf.loadLayersModel({ load: async () => stored });
    expectClose(predictions(fromObject, tf), predictions(model, tf));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const legacy = await tf.loadLayersModel(tf.io.fromMemory(stored.modelTopology, stored.weightSpecs, stored.weightData));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Please call tf.io.fromMemory() with only one argument'));
    expectClose(predictions(legacy, tf), predictions(model, tf));
  });

  test('weights split over several ArrayBuffers, float16 and uint8 quantization decode as in TF.js', async () => {
    const a = await artifactsOf(buildSequential(tfjs), tfjs);
    const floats = new Float32Array(a.weightData);
    // Re-encode the first kernel as float16 and the last as uint8 (scale/min), as the converter can.
    const specs = a.weightSpecs.map(s => ({ ...s }));
    const parts = [];
    let offset = 0;
    specs.forEach((s, i) => {
      const n = s.shape.reduce((p, q) => p * q, 1);
      const values = floats.subarray(offset, offset + n);
      offset += n;
      if (i === 0) {
        s.quantization = { dtype: 'float16' };
        parts.push(new Uint16Array(Array.from(values, toFloat16)).buffer);
      } else if (i === 2) {
        const min = Math.min(...values);
        const scale = (Math.max(...values) - min) / 255;
        s.quantization = { dtype: 'uint8', min, scale };
        parts.push(Uint8Array.from(values, v => Math.round((v - min) / scale)).buffer);
      } else {
        parts.push(values.slice().buffer);
      }
    });
    const artifacts = { modelTopology: a.modelTopology, weightSpecs: specs, weightData: parts };
    const ours = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory({ ...artifacts, weightData: tfjs.io.concatenateArrayBuffers(parts) }));
    expectClose(weightsOf(ours), weightsOf(theirs), 1e-7);
  });

  test('handlers without save or load are refused with TF.js\'s messages', async () => {
    await expect(buildSequential(tf).save({ load: async () => ({}) })).rejects.toThrow('does not have the `save` attribute defined');
    await expect(tf.loadLayersModel({ save: async () => ({}) })).rejects.toThrow('does not have the `load` method implemented');
    await expect(buildSequential(tf).save('indexeddb://my-model')).rejects.toThrow("Cannot find any save handlers for URL 'indexeddb://my-model'");
  });
});

// --- bad input -----------------------------------------------------------------------------

describe('bad input fails clearly and never returns a model', () => {
  /** A copy of a fixture that a test may break. */
  function fixtureCopy(name = 'tfjs-node-sequential') {
    const dir = freshDir();
    copyDir(path.join(FIXTURES, name), dir);
    return { dir, json: path.join(dir, 'model.json') };
  }

  function editModelJSON(file, edit) {
    const json = readJSON(file);
    edit(json);
    writeJSON(file, json);
  }

  test('corrupt JSON names the file', async () => {
    const { json } = fixtureCopy();
    fs.writeFileSync(json, '{"modelTopology": {"class_name": "Sequen');
    await expect(tf.loadLayersModel(`file://${json}`)).rejects.toThrow(`Failed to parse model JSON ${json}`);
  });

  test('a missing weight file is named', async () => {
    const { dir, json } = fixtureCopy(path.join('..', 'keras', 'keras3-sequential-from-h5'));
    fs.unlinkSync(path.join(dir, 'group1-shard2of2.bin'));
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight file ${path.join(dir, 'group1-shard2of2.bin')} does not exist: loading failed`);
  });

  test('a truncated weight file gives the expected and actual bytes', async () => {
    const { dir, json } = fixtureCopy();
    const bin = path.join(dir, 'weights.bin');
    const size = fs.statSync(bin).size;
    fs.truncateSync(bin, size - 10);
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight data for ${json} is truncated or missing: the weightsManifest describes ${size} bytes but ${bin} (${size - 10} bytes) hold ${size - 10} bytes`);
  });

  test('an unknown layer class is named', async () => {
    const { json } = fixtureCopy();
    editModelJSON(json, (j) => { j.modelTopology.config.layers[1].class_name = 'Conv2D'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("Unknown layer: Conv2D (layer 'dropout_Dropout1'");
  });

  test('weight names that match no variable, and variables with no weight (strict), as TF.js', async () => {
    const { json } = fixtureCopy();
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].name = 'other/kernel'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('Provided weight data has no target variable: other/kernel');
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].name = 'dense_Dense1/bias'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('1 of 4 weights are not set: dense_Dense1/kernel');
    // Not strict: the unmatched weight keeps its initial value, the rest load.
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].name = 'other/kernel'; });
    const loose = await tf.loadLayersModel(json, { strict: false });
    expect(loose.getWeights()[2].shape).toEqual([8, 3]);
  });

  test('a weight with the wrong shape', async () => {
    const { json } = fixtureCopy();
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].shape = [8, 4]; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("weight 'dense_Dense1/kernel' has shape [8,4] but the model's weight 'dense_Dense1/kernel' has shape [4,8]");
  });

  test('an unsupported dtype', async () => {
    const { json } = fixtureCopy();
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[1].dtype = 'float64'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("Unsupported dtype in weight 'dense_Dense1/bias': float64");
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("weight 'dense_Dense1/bias' has dtype int32 but model weights are float32");
  });

  test('a directory instead of model.json, and a path that does not exist', async () => {
    const { dir } = fixtureCopy();
    await expect(tf.loadLayersModel(`file://${dir}`)).rejects.toThrow('The path to load from must be a file. Loading from a directory is not supported.');
    await expect(tf.loadLayersModel(`file://${dir}`)).rejects.toThrow(path.join(dir, 'model.json'));
    await expect(tf.loadLayersModel(path.join(dir, 'nope.json'))).rejects.toThrow(`Path ${path.join(dir, 'nope.json')} does not exist: loading failed`);
  });

  test('a bad training config fails the load (no half-built model)', async () => {
    const { json } = fixtureCopy('tfjs-node-multitask');
    editModelJSON(json, (j) => { j.trainingConfig.optimizer_config.class_name = 'Lion'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("unknown optimizer 'Lion'");
    editModelJSON(json, (j) => { j.trainingConfig.optimizer_config.class_name = 'Adam'; j.trainingConfig.weighted_metrics = ['acc']; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('Loading weight_metrics is not supported yet.');
  });

  test('multi-task state that does not fit the model, or from a newer dense-mtl', async () => {
    const model = buildTwoHead(tf);
    compileTwoHead(model, { taskWeighting: 'dwa' });
    const dir = freshDir();
    await model.save(dir, { includeOptimizer: true });
    const json = path.join(dir, 'model.json');
    editModelJSON(json, (j) => { j.denseMtl.taskWeighting = { method: 'gradnorm' }; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("denseMtl.taskState is for 'dwa' weighting of 2 output(s) but the model is compiled with 'gradnorm' for 2");
    editModelJSON(json, (j) => { j.denseMtl.version = 2; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('denseMtl version 2 was written by a newer dense-mtl');
  });

  test('optimizer weights that do not fit the optimizer', async () => {
    const { json } = fixtureCopy('tfjs-node-multitask');
    editModelJSON(json, (j) => { j.trainingConfig.optimizer_config = { class_name: 'Momentum', config: { learningRate: 0.1, momentum: 0.9, useNesterov: false } }; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('the file has 12 optimizer slot(s) but Momentum on this model has 6');
  });
});

/** float32 → IEEE half (round to nearest), for the quantization test. */
function toFloat16(value) {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >> 16) & 0x8000;
  const exponent = ((bits >> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign; // tiny values flush to zero (none in these weights matter)
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | Math.round(mantissa / 0x2000);
}
