'use strict';
// Keras 3's native model file, `model.keras`: a zip of config.json (the model's config and its
// compile_config), model.weights.h5 (weights at layers/<slot>/vars/<i>) and metadata.json.
// Read with yauzl (zip) and jsfive (HDF5), both required only when a .keras file is loaded.
const fsp = require('fs/promises');
const path = require('path');
const { fail } = require('../errors');
const { encodeWeights } = require('./weights');

const CONFIG = 'config.json';
// Keras stores its entries uncompressed; a deflated entry may expand this much (plus 1 MiB) and
// no more, so that a small hostile file cannot make the loader allocate gigabytes.
const MAX_EXPANSION = 64;
const WEIGHTS = 'model.weights.h5';

/** The archive's entries we read, as Buffers by name; fails naming the file on a broken zip. */
function readZipEntries(bytes, source) {
  const yauzl = require('yauzl');
  const wanted = new Set([CONFIG, WEIGHTS]);
  return new Promise((resolve, reject) => {
    const broken = (e) => reject(new Error(`${source} is not a readable .keras file (a zip archive): ${e.message}`));
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return broken(error);
      const entries = {};
      zip.on('error', broken);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry) => {
        if (!wanted.has(entry.fileName)) return zip.readEntry();
        if (entry.uncompressedSize > entry.compressedSize * MAX_EXPANSION + 2 ** 20) {
          return broken(new Error(`${entry.fileName} would expand from ${entry.compressedSize} to ${entry.uncompressedSize} bytes, more than ${MAX_EXPANSION} times (a zip bomb?)`));
        }
        return zip.openReadStream(entry, (e, stream) => {
          if (e) return broken(e);
          const chunks = [];
          stream.on('data', c => chunks.push(c));
          stream.on('error', broken);
          stream.on('end', () => {
            entries[entry.fileName] = Buffer.concat(chunks);
            zip.readEntry();
          });
          return undefined;
        });
      });
      zip.readEntry();
      return undefined;
    });
  });
}

function parseEntry(entries, name, source) {
  if (entries[name] == null) fail(`${source}: the .keras archive has no ${name}`);
  try {
    return JSON.parse(entries[name].toString('utf8'));
  } catch (e) {
    return fail(`${source}: ${name} is not valid JSON: ${e.message}`);
  }
}

/**
 * The model weights of model.weights.h5 as named float32 values, `layers/<slot>/vars/<i>` in
 * the file's order (the optimizer's variables are not read: they are not carried over).
 */
function readWeights(bytes, source) {
  const jsfive = require('jsfive');
  const where = `${source}: ${WEIGHTS}`;
  let file;
  try {
    file = new jsfive.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), WEIGHTS);
  } catch (e) {
    fail(`${where} is not a readable HDF5 file: ${e.message}`);
  }
  const group = (p) => {
    try {
      return file.get(p);
    } catch (e) {
      return fail(`${where}: cannot read ${p}: ${e.message}`);
    }
  };
  if (!file.keys.includes('layers')) return [];
  const weights = [];
  for (const slot of group('layers').keys) {
    const layer = group(`layers/${slot}`);
    if (!layer.keys.includes('vars')) continue;
    const vars = group(`layers/${slot}/vars`).keys.slice().sort((a, b) => Number(a) - Number(b));
    for (const i of vars) {
      const name = `layers/${slot}/vars/${i}`;
      const dataset = group(name);
      if (!/^[<>|]?f[48]$/.test(dataset.dtype)) fail(`${where}: weight ${name} has dtype ${JSON.stringify(dataset.dtype)}; model weights must be float32 or float64`);
      const values = Float32Array.from(dataset.value);
      const shape = dataset.shape.slice();
      if (values.length !== shape.reduce((a, b) => a * b, 1)) fail(`${where}: weight ${name} has shape [${shape}] but holds ${values.length} values`);
      weights.push({ name, shape, dtype: 'float32', values });
    }
  }
  return weights;
}

/** `tf.loadLayersModel('file://model.keras')`: the artifacts of a Keras 3 .keras file. */
class KerasFileHandler {
  constructor(filePath) {
    this.path = path.resolve(filePath);
  }

  describe() { return this.path; }

  async load() {
    const bytes = await fsp.readFile(this.path).catch((e) => {
      if (e.code === 'ENOENT') fail(`Path ${this.path} does not exist: loading failed`);
      throw e;
    });
    const entries = await readZipEntries(bytes, this.path);
    const config = parseEntry(entries, CONFIG, this.path);
    if (entries[WEIGHTS] == null) fail(`${this.path}: the .keras archive has no ${WEIGHTS} (the model's weights)`);
    const { data, specs } = encodeWeights(readWeights(entries[WEIGHTS], this.path));
    const { compile_config: compileConfig, ...topology } = config;
    const artifacts = { modelTopology: topology, format: 'keras', generatedBy: null, convertedBy: null, weightSpecs: specs, weightData: data };
    // compile_config is {} for a model saved uncompiled.
    if (compileConfig != null && compileConfig.loss != null) artifacts.trainingConfig = compileConfig;
    return artifacts;
  }

  async save() {
    fail(`model.save: saving as a .keras file is not supported (${this.path}); save to a directory (file://dir) and convert with tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras`);
  }
}

module.exports = { KerasFileHandler };
