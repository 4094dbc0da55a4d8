'use strict';
// Model files that real Keras wrote (__test__/fixtures/keras, made by
// scripts/make-keras-fixtures.py with TensorFlow 2.19, Keras 3 and tf_keras), and the files we
// write read back by real TF.js. Every expected value here was computed by Keras or TF.js.
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { loadTfjs, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const FIXTURES = path.join(__dirname, 'fixtures', 'keras');
const expected = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
const flat = (v) => (Array.isArray(v) ? v.flat(Infinity) : [v]);

// [label, fixture record, how to load it]
const FILES = [];
for (const kind of ['sequential', 'multitask']) {
  FILES.push([`Keras 3 ${kind}: .h5 through the converter`, `keras3-${kind}`, `keras3-${kind}-from-h5/model.json`]);
  FILES.push([`Keras 3 ${kind}: .keras through the converter`, `keras3-${kind}`, `keras3-${kind}-from-keras/model.json`]);
  FILES.push([`Keras 3 ${kind}: the .keras file itself`, `keras3-${kind}`, `keras3-${kind}.keras`]);
  FILES.push([`tf_keras ${kind}: .h5 through the converter`, `tfkeras-${kind}`, `tfkeras-${kind}-from-h5/model.json`]);
}

const load = (file, options) => tf.loadLayersModel(`file://${path.join(FIXTURES, file)}`, options);
const inputsOf = (rec) => tf.tensor2d(rec.x);
const targetsOf = (rec) => (rec.outputs.length ? rec.outputs.map(o => tf.tensor2d(rec.y[o])) : tf.tensor2d(rec.y.b));
const predictionsOf = (model, rec) => {
  const p = model.predict(inputsOf(rec));
  return Array.isArray(p) ? p.map(t => t.arraySync()) : p.arraySync();
};

describe('Keras model files load and predict as Keras does', () => {
  test.each(FILES)('%s: predictions within 1e-5 of Keras', async (label, record, file) => {
    const rec = expected(record);
    const model = await load(file);
    const ours = flat(predictionsOf(model, rec));
    const theirs = flat(rec.predictions);
    expect(ours).toHaveLength(theirs.length);
    expect(maxRelativeError(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('the Keras 3 three-head model keeps its heads, in order, with the Concatenate input', async () => {
    const model = await load('keras3-multitask-from-keras/model.json');
    expect(model.outputNames).toEqual(['a', 'b', 'c']);
    expect(model.getLayer('c').getWeights()[0].shape).toEqual([12, 1]); // trunk (8) + features (4)
  });
});

describe('compiled on load from the training config', () => {
  test.each(FILES)('%s: evaluate equals Keras (1e-5 relative)', async (label, record, file) => {
    const rec = expected(record);
    const model = await load(file);
    let results = model.evaluate(inputsOf(rec), targetsOf(rec), { batchSize: rec.x.length });
    results = (Array.isArray(results) ? results : [results]).map(t => t.dataSync()[0]);
    // Our log keys: loss, <out>_loss, then metrics (TF.js's acc for Keras's accuracy).
    const keys = model.metricsNames.map(k => k.replace(/acc$|categoricalAccuracy$|binaryAccuracy$/, 'accuracy').replace(/meanAbsoluteError$/, 'mae'));
    expect([...keys].sort()).toEqual(Object.keys(rec.evaluate).sort());
    model.metricsNames.forEach((name, i) => {
      expect(maxRelativeError([results[i]], [rec.evaluate[keys[i]]])).toBeLessThanOrEqual(1e-5);
    });
  });

  test.each([['keras3', 'Adam'], ['tfkeras', 'Adam']])('%s multitask: losses per output, loss_weights, metrics, %s and its learning rate', async (keras, optimizer) => {
    const model = await load(`${keras}-multitask-from-h5/model.json`);
    expect(model.optimizer.getClassName()).toBe(optimizer);
    expect(model.optimizer.config.learningRate).toBeCloseTo(0.01, 7);
    expect(model._compileSpec.heads.map(h => [h.loss, h.lossWeight])).toEqual([['mse', 1], ['categoricalCrossentropy', 0.5], ['binaryCrossentropy', 2]]);
    expect(model.metricsNames).toHaveLength(7);
  });

  test('Keras SGD with momentum becomes TF.js\'s momentum optimizer', async () => {
    const model = await load('keras3-sequential-from-h5/model.json');
    expect(model.optimizer.getClassName()).toBe('Momentum');
    expect(model.optimizer.config).toMatchObject({ momentum: 0.9, useNesterov: false });
  });

  test.each(['keras3-multitask.keras', 'keras3-multitask-from-keras/model.json'])('%s compiles from its compile_config (Keras\'s default optimizer when it names none)', async (file) => {
    const model = await load(file);
    expect(model._compileSpec.heads.map(h => [h.loss, h.lossWeight])).toEqual([['mse', 1], ['categoricalCrossentropy', 0.5], ['binaryCrossentropy', 2]]);
    expect(model.optimizer.getClassName()).toBe('RMSProp');
  });

  // One train_on_batch from a fresh optimizer, as Keras recorded it. SGD with momentum is the same
  // formula in Keras and TF.js: weights within 1e-6. Adam is not: Keras adds epsilon to sqrt(v)
  // before the bias correction, TF.js (which we follow) after, so Keras's first step is
  // lr·g/(|g| + ε/√(1-β₂)) and ours lr·g/(|g| + ε). The test recovers |g| from Keras's step and
  // applies TF.js's formula; what remains is float32 rounding (seen: 3e-8), checked at 1e-6.
  test.each(['keras3', 'tfkeras'])('%s: one training step matches Keras', async (keras) => {
    for (const kind of ['sequential', 'multitask']) {
      const rec = expected(`${keras}-${kind}`);
      const model = await load(`${keras}-${kind}-from-h5/model.json`);
      const results = await model.trainOnBatch(inputsOf(rec), targetsOf(rec));
      const loss = Array.isArray(results) ? results[0] : results;
      expect(maxRelativeError([loss], [rec.trainStep.results.loss])).toBeLessThanOrEqual(1e-5);
      const weights = model.getWeights().map(w => w.dataSync());
      const lr = model.optimizer.config.learningRate;
      model.weights.forEach((variable, i) => {
        const before = rec.weights[variable.name];
        const want = rec.trainStep.weights[variable.name].map((after, k) => {
          if (kind === 'sequential') return after;
          const step = after - before[k];
          const g = (1e-7 / Math.sqrt(1 - 0.999)) * Math.abs(step) / Math.max(lr - Math.abs(step), 1e-12);
          return before[k] + Math.sign(step) * lr * (g / (g + 1e-7));
        });
        want.forEach((v, k) => expect(Math.abs(weights[i][k] - v)).toBeLessThanOrEqual(1e-6));
      });
    }
  });
});

describe('strict: false warns about every weight it leaves at its initial value', () => {
  async function artifactsWithout(dropped) {
    const dir = path.join(FIXTURES, 'keras3-sequential-from-keras');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const data = Buffer.concat(json.weightsManifest[0].paths.map(p => fs.readFileSync(path.join(dir, p))));
    const specs = json.weightsManifest[0].weights;
    const keep = [];
    const parts = [];
    let offset = 0;
    for (const spec of specs) {
      const bytes = spec.shape.reduce((a, b) => a * b, 1) * 4;
      if (!dropped.includes(spec.name)) {
        keep.push(spec);
        parts.push(data.subarray(offset, offset + bytes));
      }
      offset += bytes;
    }
    const all = Buffer.concat(parts);
    return { modelTopology: json.modelTopology, weightSpecs: keep, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) };
  }

  test('a missing weight: strict loading refuses, strict: false loads and names it in a warning', async () => {
    const artifacts = await artifactsWithout(['layers/dense_1/vars/1']);
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/dense_1\/bias/);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts), { strict: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/1 of 4 weights .*dense_1\/bias/);
      expect(model.getLayer('dense_1').getWeights()[1].dataSync()).toEqual(new Float32Array(3)); // zeros initializer
    } finally {
      warn.mockRestore();
    }
  });

  test('with every weight present, strict: false does not warn', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await tf.loadLayersModel(tf.io.fromMemory(await artifactsWithout([])), { strict: false });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('bad .keras files give errors naming the file and what is wrong', () => {
  let dir;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-keras-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const original = () => fs.readFileSync(path.join(FIXTURES, 'keras3-sequential.keras'));
  const write = (name, bytes) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  test('a truncated zip', async () => {
    const bytes = original();
    const file = write('truncated.keras', bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(tf.loadLayersModel(`file://${file}`)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a readable .keras file \\(a zip archive\\)`));
  });

  test('a zip without model.weights.h5', async () => {
    // Same archive, the entry renamed (same length) in its local header and the central directory.
    const bytes = Buffer.from(original().toString('latin1').replaceAll('model.weights.h5', 'model.weights.hX'), 'latin1');
    const file = write('no-weights.keras', bytes);
    await expect(tf.loadLayersModel(`file://${file}`)).rejects.toThrow(`${file}: the .keras archive has no model.weights.h5`);
  });

  test('weights of the wrong shape', async () => {
    // config.json says the last layer has 4 units; model.weights.h5 holds 3.
    const text = original().toString('latin1');
    const patched = text.replace('"units": 3', '"units": 4');
    expect(patched).not.toBe(text);
    const file = write('wrong-shape.keras', Buffer.from(patched, 'latin1'));
    await expect(tf.loadLayersModel(`file://${file}`)).rejects.toThrow(`${file}: weight 'layers/dense_1/vars/0' has shape [8,3] but the model's weight 'dense_1/kernel' has shape [8,4]`);
  });

  test('a Keras .h5 file is pointed to the converter', async () => {
    await expect(tf.loadLayersModel(`file://${path.join(FIXTURES, 'keras3-sequential.h5')}`)).rejects.toThrow(/tensorflowjs_converter --input_format=keras/);
  });
});

describe('files TF.js can read: every save writes TF.js\'s names', () => {
  async function savedArtifacts(model) {
    let saved;
    await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
    return saved;
  }
  const copy = (a) => ({ ...a, weightData: a.weightData.slice(0) });

  function model(units, activation) {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units, activation, inputShape: [3] }));
    return m;
  }

  // Every loss name the README lists (the TF.js names, the Keras names and the aliases).
  const LOSSES = [
    ['meanSquaredError', 'meanSquaredError'], ['mse', 'meanSquaredError'], ['MSE', 'meanSquaredError'], ['mean_squared_error', 'meanSquaredError'],
    ['meanAbsoluteError', 'meanAbsoluteError'], ['mae', 'meanAbsoluteError'], ['MAE', 'meanAbsoluteError'], ['mean_absolute_error', 'meanAbsoluteError'],
    ['meanAbsolutePercentageError', 'meanAbsolutePercentageError'], ['mape', 'meanAbsolutePercentageError'], ['MAPE', 'meanAbsolutePercentageError'],
    ['mean_absolute_percentage_error', 'meanAbsolutePercentageError'],
    ['meanSquaredLogarithmicError', 'meanSquaredLogarithmicError'], ['msle', 'meanSquaredLogarithmicError'], ['MSLE', 'meanSquaredLogarithmicError'],
    ['mean_squared_logarithmic_error', 'meanSquaredLogarithmicError'],
    ['squaredHinge', 'squaredHinge'], ['squared_hinge', 'squaredHinge'], ['hinge', 'hinge'], ['categoricalHinge', 'categoricalHinge'], ['categorical_hinge', 'categoricalHinge'],
    ['logcosh', 'logcosh'], ['log_cosh', 'logcosh'],
    ['categoricalCrossentropy', 'categoricalCrossentropy'], ['categorical_crossentropy', 'categoricalCrossentropy'],
    ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'], ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy'],
    ['binaryCrossentropy', 'binaryCrossentropy'], ['binary_crossentropy', 'binaryCrossentropy'],
    ['kullbackLeiblerDivergence', 'kullbackLeiblerDivergence'], ['kullback_leibler_divergence', 'kullbackLeiblerDivergence'], ['kld', 'kullbackLeiblerDivergence'],
    ['KLD', 'kullbackLeiblerDivergence'], ['poisson', 'poisson'], ['cosineProximity', 'cosineProximity'], ['cosine_proximity', 'cosineProximity'], ['cosine', 'cosineProximity'],
  ];

  test.each(LOSSES)('loss %s is saved as %s and TF.js loads the file', async (loss, tfjsName) => {
    const m = model(loss.toLowerCase().includes('sparse') ? 3 : 2, loss.toLowerCase().includes('crossentropy') ? 'softmax' : 'sigmoid');
    m.compile({ optimizer: tf.train.adam(0.01), loss });
    const artifacts = await savedArtifacts(m);
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(copy(artifacts)));
    expect(loaded.loss).toBe(tfjsName);
  });

  // Every metric name TF.js's loader can know (recall, sparseCategoricalAccuracy and
  // binaryCrossentropy have no name in TF.js's metrics.get, not even for TF.js's own files).
  const METRICS = ['accuracy', 'acc', 'crossentropy', 'ce', 'binaryAccuracy', 'binary_accuracy', 'categoricalAccuracy', 'categorical_accuracy', 'precision',
    'categoricalCrossentropy', 'mse', 'MSE', 'meanSquaredError', 'mae', 'MAE', 'meanAbsoluteError', 'mape', 'MAPE',
    'meanAbsolutePercentageError', 'cosine', 'cosineProximity'];

  test.each(METRICS)('metric %s: TF.js loads the file and computes the same metric', async (metric) => {
    const m = model(3, 'softmax');
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [metric] });
    const x = tf.tensor2d([[1, 2, 3], [0, -1, 2]]);
    const y = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const ours = m.evaluate(x, y).map(t => t.dataSync()[0]);
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(copy(await savedArtifacts(m))));
    const theirs = loaded.evaluate(tfjs.tensor2d([[1, 2, 3], [0, -1, 2]]), tfjs.tensor2d([[0, 1, 0], [1, 0, 0]])).map(t => t.dataSync()[0]);
    expect(maxRelativeError(ours, theirs)).toBeLessThanOrEqual(1e-5);
  });

  test('a Keras 3 three-head model loaded here and saved is read by TF.js with the same predictions', async () => {
    const rec = expected('keras3-multitask');
    const ours = await load('keras3-multitask-from-h5/model.json');
    const loaded = await tfjs.loadLayersModel(tfjs.io.fromMemory(copy(await savedArtifacts(ours))));
    const theirs = loaded.predict(tfjs.tensor2d(rec.x)).map(t => t.arraySync());
    expect(maxRelativeError(flat(theirs), flat(rec.predictions))).toBeLessThanOrEqual(1e-5);
    expect(loaded.loss).toEqual({ a: 'meanSquaredError', b: 'categoricalCrossentropy', c: 'binaryCrossentropy' });
  });
});

describe('Keras 3 config forms', () => {
  const kerasConfig = () => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'keras3-sequential-from-keras', 'model.json'), 'utf8')).modelTopology;

  test('initializers and regularizers written with module/registered_name are read', async () => {
    const topology = kerasConfig();
    const dense = topology.model_config.config.layers[1].config;
    dense.kernel_initializer = { module: 'keras.initializers', class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal', seed: 3 }, registered_name: null };
    dense.kernel_regularizer = { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null };
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology }));
    let topologySaved;
    await model.save(tf.io.withSaveHandler(async (a) => { topologySaved = a.modelTopology; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const saved = topologySaved.config.layers[0].config;
    expect(saved.kernel_initializer).toEqual({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal', seed: 3 } });
    expect(saved.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.01 } });
  });

  test('a dtype policy other than float32 is refused, naming the layer', async () => {
    const topology = kerasConfig();
    topology.model_config.config.layers[1].config.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float16' }, registered_name: null };
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology }))).rejects.toThrow(/layer 'dense' \(Dense\): dtype 'float16' is not supported/);
  });
});

describe('a .keras zip that expands too far is refused before it is inflated', () => {
  const zlib = require('zlib');
  /** A zip archive of deflated entries (method 8), written by hand: [name, Buffer][] → Buffer. */
  function zipOf(entries) {
    const locals = [];
    const centrals = [];
    let offset = 0;
    for (const [name, data] of entries) {
      const packed = zlib.deflateRawSync(data);
      const crc = 0; // never checked: the entry is refused before a byte of it is inflated
      const fileName = Buffer.from(name);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
      local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fileName.length, 26);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
      central.writeUInt32LE(crc, 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(fileName.length, 28);
      central.writeUInt32LE(offset, 42);
      locals.push(local, fileName, packed);
      centrals.push(central, fileName);
      offset += local.length + fileName.length + packed.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, end]);
  }

  test('64 MiB of zeros in model.weights.h5', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-keras-'));
    try {
      const file = path.join(dir, 'bomb.keras');
      fs.writeFileSync(file, zipOf([['config.json', Buffer.from('{}')], ['model.weights.h5', Buffer.alloc(64 * 2 ** 20)]]));
      await expect(tf.loadLayersModel(`file://${file}`)).rejects.toThrow(/bomb\.keras is not a readable \.keras file .*model\.weights\.h5 would expand from \d+ to 67108864 bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
