'use strict';
// Model files from anywhere (issue 16): the loader reads only files inside the model's directory
// (or URL directory), only regular files, never more bytes than the manifest describes; bad
// values in model.json are refused by name; non-finite models are never written.
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync } = require('child_process');
const tf = require('..');

let tmpRoot;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-hostile-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `m${++dirCount}`);
const readJSON = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJSON = (file, value) => fs.writeFileSync(file, JSON.stringify(value));
const weightsOf = (model) => model.getWeights().map(w => Array.from(w.dataSync()));

function smallModel(seed = 1) {
  const m = tf.sequential({ name: 'small' });
  m.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return m;
}

/** A saved model in its own directory (inside a parent that also holds a secret file). */
async function savedModel() {
  const parent = freshDir();
  const dir = path.join(parent, 'model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(parent, 'secret.bin'), Buffer.alloc(4 * 23, 7)); // exactly the weights' size
  const model = smallModel();
  await model.save(dir);
  const json = path.join(dir, 'model.json');
  const weightsName = readJSON(json).weightsManifest[0].paths[0];
  return { parent, dir, json, model, weightsName };
}

function editModelJSON(file, edit) {
  const json = readJSON(file);
  edit(json);
  writeJSON(file, json);
}

const setPaths = (json, paths) => editModelJSON(json, (j) => { j.weightsManifest[0].paths = paths; });

describe('weight paths stay inside the model\'s directory', () => {
  test.each([
    ['../secret.bin'], ['../../../../../etc/passwd'], ['/etc/passwd'], ['/proc/self/environ'], ['../../dev/zero'],
    ['sub/../../secret.bin'], ['./../secret.bin'], ['a//b.bin'], ['.'], [''], ['C:/Windows/win.ini'], ['..\\secret.bin'],
  ])('%j is refused before anything is read, naming the field and the path', async (bad) => {
    const { json } = await savedModel();
    setPaths(json, [bad]);
    const read = jest.spyOn(fs.promises, 'open');
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: weightsManifest[0].paths[0] must be a relative path inside the model's directory (no '..' or '.' segments, not absolute) but got ${JSON.stringify(bad)}`);
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
  });

  test('non-string paths are refused by type', async () => {
    const { json } = await savedModel();
    setPaths(json, [42]);
    await expect(tf.loadLayersModel(json)).rejects.toThrow('weightsManifest[0].paths[0] must be a relative path inside the model\'s directory (no \'..\' or \'.\' segments, not absolute) but got 42');
  });

  test('a symlink that leaves the directory is refused (to a file next to it, to /etc/passwd, to /dev/zero)', async () => {
    const { dir, json, parent } = await savedModel();
    for (const [link, target] of [['up.bin', path.join(parent, 'secret.bin')], ['passwd.bin', '/etc/passwd'], ['zero.bin', '/dev/zero']]) {
      fs.symlinkSync(target, path.join(dir, link));
      setPaths(json, [link]);
      await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight file ${path.join(dir, link)} named in ${json} resolves to ${fs.realpathSync(target)}, outside the model's directory ${fs.realpathSync(dir)}`);
    }
  });

  test('a symlink to a file inside the directory is followed (documented): same weights', async () => {
    const { dir, json, model, weightsName } = await savedModel();
    fs.mkdirSync(path.join(dir, 'shards'));
    fs.renameSync(path.join(dir, weightsName), path.join(dir, 'shards', 'real.bin'));
    fs.symlinkSync(path.join('shards', 'real.bin'), path.join(dir, 'link.bin'));
    setPaths(json, ['link.bin']);
    expect(weightsOf(await tf.loadLayersModel(json))).toEqual(weightsOf(model));
  });

  test('a FIFO named as the weights file is refused at once (no wait for a writer)', async () => {
    const { dir, json } = await savedModel();
    execFileSync('mkfifo', [path.join(dir, 'pipe.bin')]);
    setPaths(json, ['pipe.bin']);
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight file ${path.join(dir, 'pipe.bin')} named in ${json} must be a regular file but is a FIFO`);
    fs.mkdirSync(path.join(dir, 'folder.bin'));
    setPaths(json, ['folder.bin']);
    await expect(tf.loadLayersModel(json)).rejects.toThrow('must be a regular file but is a directory');
  });

  test('weightPathPrefix (the caller\'s choice) sets the directory the paths stay in', async () => {
    const { dir, json, model, weightsName, parent } = await savedModel();
    const elsewhere = path.join(parent, 'weights-here');
    fs.mkdirSync(elsewhere);
    fs.renameSync(path.join(dir, weightsName), path.join(elsewhere, weightsName));
    expect(weightsOf(await tf.loadLayersModel(json, { weightPathPrefix: elsewhere }))).toEqual(weightsOf(model));
    setPaths(json, [`../model/${weightsName}`]);
    await expect(tf.loadLayersModel(json, { weightPathPrefix: elsewhere })).rejects.toThrow('must be a relative path inside the model\'s directory');
  });
});

describe('sizes are checked against the manifest before reading', () => {
  test('a file longer than the manifest describes is refused before it is read (a 1 TB sparse file)', async () => {
    const { dir, json, weightsName } = await savedModel();
    const file = path.join(dir, weightsName);
    fs.truncateSync(file, 2 ** 40);
    const read = jest.spyOn(fs.promises, 'open');
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight data for ${json} is longer than the weightsManifest describes: it describes 92 bytes but ${file} (${2 ** 40} bytes) hold ${2 ** 40} bytes`);
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
  });

  test('a manifest describing a huge weight is refused from the file sizes, with nothing allocated', async () => {
    const { json, dir, weightsName } = await savedModel();
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].shape = [1e6, 1e6]; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight data for ${json} is truncated or missing: the weightsManifest describes 4000000000044 bytes but ${path.join(dir, weightsName)} (92 bytes) hold 92 bytes`);
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].shape = [2 ** 40, 2 ** 40]; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow("weight 'hidden/kernel' of shape [1099511627776,1099511627776] describes 4.835703278458517e+24 bytes, more than any file can hold");
  });

  test('each group\'s files must hold exactly that group\'s bytes (shards of the Keras fixture moved between groups)', async () => {
    const fixture = path.join(__dirname, 'fixtures', 'models', 'keras-functional');
    const dir = freshDir();
    fs.cpSync(fixture, dir, { recursive: true });
    const json = path.join(dir, 'model.json');
    editModelJSON(json, (j) => {
      j.weightsManifest[1].paths.push(j.weightsManifest[0].paths.pop()); // same total, wrong groups
    });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`Weight data for ${json} is truncated or missing: weightsManifest[0] describes 160 bytes but ${path.join(dir, 'group1-shard1of2.bin')} (64 bytes) hold 64 bytes`);
  });

  test('string weights are refused (their size is not known before reading)', async () => {
    const { json } = await savedModel();
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[0].dtype = 'string'; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: weightsManifest[0]: weight 'hidden/kernel' has dtype string; dense-mtl model files hold numeric weights only`);
  });
});

describe('values in model.json are checked by name', () => {
  async function quantizedModel(quantization) {
    const { json, dir, weightsName } = await savedModel();
    // hidden/bias (3 values after the 12 of hidden/kernel) as uint8 with the given metadata.
    const bytes = fs.readFileSync(path.join(dir, weightsName));
    const quantized = Buffer.concat([bytes.subarray(0, 48), Buffer.from([0, 128, 255]), bytes.subarray(60)]);
    fs.writeFileSync(path.join(dir, weightsName), quantized);
    editModelJSON(json, (j) => { j.weightsManifest[0].weights[1].quantization = quantization; });
    return json;
  }

  test('uint8 quantization decodes with min and scale (the check below refuses only bad metadata)', async () => {
    const json = await quantizedModel({ dtype: 'uint8', min: -1, scale: 0.5 });
    expect((await tf.loadLayersModel(json)).getWeights()[1].arraySync()).toEqual([-1, 63, 126.5]);
  });

  test.each([
    [{ dtype: 'uint8', min: 'abc', scale: 0.1 }, "quantization.min must be a finite number but got 'abc'"],
    [{ dtype: 'uint8', min: null, scale: 0.1 }, 'quantization.min must be a finite number but got null'],
    [{ dtype: 'uint8', min: 0, scale: [1] }, 'quantization.scale must be a finite number but got [1]'],
    [{ dtype: 'uint8', min: 0 }, "Weight hidden/bias with quantization uint8 doesn't have corresponding metadata min and scale."],
    [{ dtype: 'toString', min: 0, scale: 1 }, 'Weight hidden/bias has unknown quantization dtype toString'],
    ['uint8', "weight 'hidden/bias': quantization must be an object {dtype, min, scale} but got 'uint8'"],
  ])('quantization %j is refused', async (quantization, message) => {
    const json = await quantizedModel(quantization);
    await expect(tf.loadLayersModel(json)).rejects.toThrow(message);
  });

  test.each([
    ['use_bias', 'yes', "use_bias must be true or false but got 'yes'"],
    ['use_bias', 1, 'use_bias must be true or false but got 1'],
    ['trainable', 'false', "trainable must be true or false but got 'false'"],
    ['batch_input_shape', [-1, 4], 'batch_input_shape must be a list of positive integers or nulls but got [-1,4]'],
    ['batch_input_shape', [2.5, 4], 'batch_input_shape must be a list of positive integers or nulls but got [2.5,4]'],
    ['batch_input_shape', ['a', 4], "batch_input_shape must be a list of positive integers or nulls but got ['a',4]"],
    ['name', 5, 'name must be a string but got 5'],
  ])('layer config %s = %j is refused', async (key, value, message) => {
    const { json } = await savedModel();
    editModelJSON(json, (j) => { j.modelTopology.config.layers[0].config[key] = value; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: layer '${key === 'name' ? 5 : 'hidden'}' (Dense): ${message}`);
  });

  test('initializer options and seeds are checked', async () => {
    const { json } = await savedModel();
    editModelJSON(json, (j) => { j.modelTopology.config.layers[1].config.kernel_initializer = { class_name: 'RandomNormal', config: { mean: 0, stddev: 'wide' } }; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: layer 'out' (Dense) kernelInitializer (RandomNormal): stddev must be a finite number but got 'wide'`);
    editModelJSON(json, (j) => { j.modelTopology.config.layers[1].config.kernel_initializer = { class_name: 'VarianceScaling', config: { scale: 1, mode: 3 } }; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('kernelInitializer (VarianceScaling): mode must be a string but got 3');
    editModelJSON(json, (j) => { j.modelTopology.config.layers[1].config.kernel_initializer = { class_name: 'GlorotUniform', config: { seed: -3 } }; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow('kernelInitializer (GlorotUniform): seed must be a non-negative integer or null but got -3');
  });

  test('JSON numbers too large for a double (1e999) are refused where they are used', async () => {
    const { json } = await savedModel();
    fs.writeFileSync(json, fs.readFileSync(json, 'utf8').replace('"units":3', '"units":1e999'));
    await expect(tf.loadLayersModel(json)).rejects.toThrow('units must be a positive integer but got Infinity');
  });

  test('a functional model\'s node references are checked', async () => {
    const input = tf.input({ shape: [4], name: 'in' });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'd' }).apply(input) });
    const dir = freshDir();
    await model.save(dir);
    const json = path.join(dir, 'model.json');
    editModelJSON(json, (j) => { j.modelTopology.config.layers[1].inbound_nodes = [[['in', 'length', 0, {}]]]; });
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: layer 'd': an inbound node reference must be [layerName, nodeIndex, tensorIndex] but got ["in","length",0,{}]`);
  });
});

describe('multi-task state is checked on load (by the core) and never saved non-finite', () => {
  const X = [[1, 2], [3, 4], [0, 1]];
  function twoHeads(taskWeighting) {
    const input = tf.input({ shape: [2], name: 'x' });
    const a = tf.layers.dense({ units: 1, name: 'a' }).apply(input);
    const b = tf.layers.dense({ units: 1, name: 'b' }).apply(input);
    const model = tf.model({ inputs: input, outputs: [a, b] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', taskWeighting });
    return model;
  }
  const fit = (model) => model.fit(tf.tensor2d(X), [tf.tensor2d([[1], [2], [3]]), tf.tensor2d([[0], [1], [0]])], { epochs: 2, verbose: 0 });

  async function savedTwoHeads(taskWeighting) {
    const model = twoHeads(taskWeighting);
    await fit(model);
    const dir = freshDir();
    await model.save(dir, { includeOptimizer: true });
    return { model, dir, json: path.join(dir, 'model.json') };
  }

  test.each([
    ['logVariances', [], 'denseMtl.taskState.logVariances must hold 2 finite numbers within [-10, 10] (one per output) but got []'],
    ['logVariances', [0.5, 40], 'denseMtl.taskState.logVariances must hold 2 finite numbers within [-10, 10] (one per output) but got [0.5, 40]'],
    ['logVariances', [0.5, 'HUGE'], 'denseMtl.taskState.logVariances must hold 2 finite numbers within [-10, 10] (one per output) but got [0.5, Infinity]'],
    ['weights', [1], 'denseMtl.taskState.weights must hold 2 finite numbers >= 0 (one per output) but got [1]'],
    ['likelihoodFactors', [0.5, -1], 'denseMtl.taskState.likelihoodFactors must hold 2 finite numbers > 0 (one per output) but got [0.5, -1]'],
    ['logVarianceSlots', [[0, 0], [0], [0, 0]], 'denseMtl.taskState.logVarianceSlots[1] must hold 2 finite numbers (one per output) but got [0]'],
    ['logVariances', [null, 0], 'denseMtl.taskState: invalid type: null, expected f32'],
  ])('taskState.%s = %j is refused and no model is returned', async (field, value, message) => {
    const { json } = await savedTwoHeads('uncertainty');
    editModelJSON(json, (j) => { j.denseMtl.taskState[field] = value; });
    fs.writeFileSync(json, fs.readFileSync(json, 'utf8').replace('"HUGE"', '1e999')); // JSON.parse makes it Infinity
    await expect(tf.loadLayersModel(json)).rejects.toThrow(`${json}: ${message}`);
  });

  test('a valid saved state loads and equals the saved one', async () => {
    const { json, model } = await savedTwoHeads({ method: 'dwa' });
    expect((await tf.loadLayersModel(json))._model().taskState()).toEqual(model._model().taskState());
  });

  test('a model whose weights went NaN is not saved; the previous files stay byte for byte', async () => {
    const { model, dir } = await savedTwoHeads('uncertainty');
    const before = fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f))]);
    model.setWeights(model.getWeights().map((w, i) => (i === 2 ? tf.tensor(w.arraySync().map(r => r.map(() => Infinity))) : w)));
    await expect(model.save(dir)).rejects.toThrow("model.save: weight 'b/kernel' holds Infinity at index 0; a model with non-finite weights is not saved (did training diverge?), and the files already saved stay as they were");
    // A fit step on NaN weights is refused (training that diverges is an error), so the learned
    // log-variances stay finite; the NaN weights are still refused at save.
    model.setWeights(model.getWeights().map(w => tf.fill(w.shape, NaN)));
    const logVariances = model._model().taskState().logVariances;
    await expect(fit(model)).rejects.toThrow(/training diverged/);
    expect(model._model().taskState().logVariances).toEqual(logVariances);
    expect(logVariances.every(Number.isFinite)).toBe(true);
    await expect(model.save(dir, { includeOptimizer: true })).rejects.toThrow(/model.save: weight '.+' holds NaN at index 0; a model with non-finite weights is not saved/);
    expect(fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f))])).toEqual(before);
  });
});

describe('http(s): weights come only from the model\'s origin and directory, capped at the manifest\'s size', () => {
  let server;
  let base;
  const served = new Map(); // url path → handler(res)
  const requests = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url);
      const handler = served.get(req.url.split('?')[0]);
      if (!handler) {
        res.writeHead(404);
        res.end();
        return;
      }
      handler(res);
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));
  beforeEach(() => { served.clear(); requests.length = 0; });

  async function serveModel(edit = () => {}) {
    const { json, dir, weightsName, model } = await savedModel();
    const j = readJSON(json);
    edit(j);
    served.set('/models/m/model.json', res => res.end(JSON.stringify(j)));
    served.set(`/models/m/${weightsName}`, res => res.end(fs.readFileSync(path.join(dir, weightsName))));
    served.set('/models/secret.bin', res => res.end(Buffer.alloc(92, 7)));
    return { model, weightsName };
  }

  test('a model loads as before', async () => {
    const { model } = await serveModel();
    expect(weightsOf(await tf.loadLayersModel(`${base}/models/m/model.json`))).toEqual(weightsOf(model));
  });

  test.each([['../secret.bin'], ['%2e%2e/secret.bin'], ['.%2e/secret.bin'], ['..%2fsecret.bin'], ['//evil.example/w.bin'], ['http://evil.example/w.bin']])('weight path %j is refused and never requested', async (bad) => {
    await serveModel((j) => { j.weightsManifest[0].paths = [bad]; });
    await expect(tf.loadLayersModel(`${base}/models/m/model.json`)).rejects.toThrow(`${base}/models/m/model.json`);
    expect(requests).toEqual(['/models/m/model.json']);
  });

  test('a Content-Length above what the manifest describes is refused before the body is read', async () => {
    const { weightsName } = await serveModel();
    let closed;
    const connectionClosed = new Promise((resolve) => { closed = resolve; });
    served.set(`/models/m/${weightsName}`, (res) => {
      res.writeHead(200, { 'Content-Length': String(2 ** 40) });
      res.write(Buffer.alloc(16)); // the rest never comes: a loader waiting for it would hang
      res.on('close', closed);
    });
    await expect(tf.loadLayersModel(`${base}/models/m/model.json`)).rejects.toThrow(`Weight data for ${base}/models/m/model.json is longer than the weightsManifest describes: 92 of its 92 bytes were left for ${base}/models/m/${weightsName} but its Content-Length is ${2 ** 40}`);
    await connectionClosed; // the loader dropped the download
  });

  test('an endless chunked body is cut off as soon as it passes the manifest\'s size', async () => {
    const { weightsName } = await serveModel();
    let sent = 0;
    served.set(`/models/m/${weightsName}`, (res) => {
      res.writeHead(200); // chunked, no Content-Length
      const timer = setInterval(() => { sent += 64; res.write(Buffer.alloc(64, 1)); }, 1);
      res.on('close', () => clearInterval(timer));
    });
    await expect(tf.loadLayersModel(`${base}/models/m/model.json`)).rejects.toThrow(`92 of its 92 bytes were left for ${base}/models/m/${weightsName} but it sent more than 92`);
    expect(sent).toBeLessThan(64 * 1000);
  });

  test('a body shorter than the manifest describes is refused', async () => {
    const { weightsName } = await serveModel();
    served.set(`/models/m/${weightsName}`, res => res.end(Buffer.alloc(90)));
    await expect(tf.loadLayersModel(`${base}/models/m/model.json`)).rejects.toThrow(`Weight data for ${base}/models/m/model.json is truncated or missing: the weightsManifest describes 92 bytes but ${base}/models/m/${weightsName} (90 bytes) hold 90 bytes`);
  });
});
