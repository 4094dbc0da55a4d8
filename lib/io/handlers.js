'use strict';
// IO handlers: where model artifacts go to and come from. The passthrough handlers are TF.js's
// (`io/passthrough.ts`); the file handler writes what tfjs-node's `NodeFileSystem` writes, but
// atomically; the HTTP handler resolves weight URLs as TF.js's `io/http.ts` does.
const fsp = require('fs').promises;
const path = require('path');
const crypto = require('crypto');
const { fail, describe } = require('../errors');
const { toBytes, expectedByteLength, checkSpec } = require('./weights');

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

// --- artifacts and model.json --------------------------------------------------------------

/** TF.js `getModelArtifactsInfoForJSON`: the SaveResult's `modelArtifactsInfo`. */
function getModelArtifactsInfoForJSON(artifacts) {
  if (artifacts.modelTopology instanceof ArrayBuffer) fail('Expected JSON model topology, received ArrayBuffer.');
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: artifacts.modelTopology == null ? 0 : Buffer.byteLength(JSON.stringify(artifacts.modelTopology), 'utf8'),
    weightSpecsBytes: artifacts.weightSpecs == null ? 0 : Buffer.byteLength(JSON.stringify(artifacts.weightSpecs), 'utf8'),
    weightDataBytes: artifacts.weightData == null ? 0 : toBytes(artifacts.weightData).byteLength,
  };
}

/** model.json as tfjs-node writes it (that key order), plus our `denseMtl` extension if any. */
function modelJSONFor(artifacts, paths) {
  const json = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.denseMtl != null) json.denseMtl = artifacts.denseMtl;
  return json;
}

/** TF.js `getWeightSpecs`: the weight entries of every manifest group, in order. */
function getWeightSpecs(manifest) {
  return manifest.flatMap(group => group.weights);
}

/** TF.js `getModelArtifactsForJSONSync`, keeping our extension field. */
function artifactsFromJSON(json, weightSpecs, weightData) {
  const artifacts = { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy };
  if (json.trainingConfig != null) artifacts.trainingConfig = json.trainingConfig;
  if (json.weightsManifest != null) {
    artifacts.weightSpecs = weightSpecs;
    artifacts.weightData = weightData;
  }
  if (json.userDefinedMetadata != null) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.denseMtl != null) artifacts.denseMtl = json.denseMtl;
  return artifacts;
}

/** TF.js `getModelArtifactsForJSON(modelJSON, loadWeights)`. */
async function getModelArtifactsForJSON(json, loadWeights) {
  let specs;
  let data;
  if (json.weightsManifest != null) [specs, data] = await loadWeights(json.weightsManifest);
  return artifactsFromJSON(json, specs, data);
}

/** Parses and checks a model.json text; `source` names the file or URL in errors. */
function parseModelJSON(text, source) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`Failed to parse model JSON ${source}: ${e.message}`);
  }
  if (json == null || typeof json !== 'object' || Array.isArray(json)) fail(`${source} is not a model.json: expected an object with modelTopology and weightsManifest but got ${describe(json)}`);
  if (json.modelTopology == null && json.weightsManifest == null) fail(`The JSON from ${source} contains neither model topology or manifest for weights.`);
  if (json.weightsManifest != null && !(Array.isArray(json.weightsManifest) && json.weightsManifest.every(g => g && Array.isArray(g.paths) && Array.isArray(g.weights)))) {
    fail(`${source}: weightsManifest must be a list of {paths, weights} groups`);
  }
  return json;
}

/** Fails unless the shards hold every byte the manifest describes (extra bytes are ignored, as in TF.js). */
function checkShardSizes(manifest, shards, source) {
  const specs = getWeightSpecs(manifest);
  specs.forEach(s => checkSpec(s, source));
  const expected = expectedByteLength(specs);
  const actual = shards.reduce((sum, s) => sum + s.bytes.byteLength, 0);
  if (expected == null || actual >= expected) return;
  const files = shards.map(s => `${s.name} (${s.bytes.byteLength} bytes)`).join(', ');
  fail(`Weight data for ${source} is truncated or missing: the weightsManifest describes ${expected} bytes but ${files} hold ${actual} bytes`);
}

// --- passthrough (tf.io.fromMemory, tf.io.withSaveHandler) ---------------------------------

const DEPRECATED_FROM_MEMORY = 'Please call tf.io.fromMemory() with only one argument. The argument should be of type ModelArtifacts. '
  + 'The multi-argument signature of tf.io.fromMemory() has been deprecated and will be removed in a future release.';

function fromMemorySync(modelArtifacts, weightSpecs, weightData, trainingConfig) {
  if (arguments.length === 1) {
    if (modelArtifacts != null && (modelArtifacts.modelTopology != null || modelArtifacts.weightSpecs != null)) return { load: () => modelArtifacts };
    console.warn(DEPRECATED_FROM_MEMORY);
    return { load: () => ({ modelTopology: modelArtifacts }) };
  }
  console.warn(DEPRECATED_FROM_MEMORY);
  return { load: () => ({ modelTopology: modelArtifacts, weightSpecs, weightData, trainingConfig }) };
}

function fromMemory(...args) {
  const sync = fromMemorySync(...args);
  return { load: async () => sync.load() };
}

const withSaveHandler = (saveHandler) => ({ save: (artifacts) => saveHandler(artifacts) });
const withSaveHandlerSync = withSaveHandler;

// --- files ---------------------------------------------------------------------------------

const notExist = (what) => (e) => {
  if (e.code === 'ENOENT') fail(`${what} ${e.path} does not exist: loading failed`);
  throw e;
};

/** Writes a file and flushes it to disk before it is renamed into place. */
async function writeDurably(file, data) {
  const handle = await fsp.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const removeQuietly = (file) => fsp.unlink(file).catch(() => {});

async function syncDirectory(dir) {
  try {
    const handle = await fsp.open(dir, 'r');
    try { await handle.sync(); } finally { await handle.close(); }
  } catch { /* not supported everywhere (e.g. Windows); the renames are done either way */ }
}

/**
 * Replaces files in `dir` so that a failure at any point leaves the previous set loadable:
 * everything is written to temporary files first, then renamed in the given order (model.json,
 * which refers to the rest, last). If a rename fails, the files already replaced are restored
 * from hard-link backups.
 */
async function replaceFiles(dir, files) {
  const tag = `${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  const temp = (name) => path.join(dir, `.${name}.${tag}.tmp`);
  const backup = (name) => path.join(dir, `.${name}.${tag}.bak`);
  const replaced = [];
  try {
    for (const [name, data] of files) await writeDurably(temp(name), data);
    for (const [name] of files) {
      const target = path.join(dir, name);
      const hadOld = await fsp.link(target, backup(name)).then(() => true, (e) => {
        if (e.code === 'ENOENT') return false;
        return fsp.copyFile(target, backup(name)).then(() => true); // no hard links on this file system
      });
      await fsp.rename(temp(name), target);
      replaced.push({ name, hadOld });
    }
  } catch (error) {
    await restore(dir, replaced.reverse(), backup);
    throw error;
  } finally {
    for (const [name] of files) {
      await removeQuietly(temp(name));
      await removeQuietly(backup(name));
    }
  }
  await syncDirectory(dir);
}

async function restore(dir, replaced, backup) {
  for (const { name, hadOld } of replaced) {
    const target = path.join(dir, name);
    await (hadOld ? fsp.rename(backup(name), target) : removeQuietly(target)).catch(() => {});
  }
}

/** Creates the directory (with its parents, unlike tfjs-node) or checks it is one. */
async function ensureDirectory(dir) {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    const stat = await fsp.stat(dir).catch(() => null);
    if (stat && stat.isFile()) fail(`Path ${dir} exists as a file. The path must be nonexistent or point to a directory.`);
    throw e;
  }
}

/** tfjs-node's `tf.io.fileSystem(path)`: saves to a directory, loads from a model.json file. */
class FileSystemHandler {
  constructor(filePath, options = {}) {
    if (typeof filePath !== 'string' || filePath.length === 0) fail(`tf.io.fileSystem: path must be a non-empty string but got ${describe(filePath)}`);
    this.path = path.resolve(filePath);
    this.weightPathPrefix = options.weightPathPrefix;
  }

  describe() { return this.path; }

  async save(artifacts) {
    if (artifacts.modelTopology instanceof ArrayBuffer) fail('NodeFileSystem.save() does not support saving model topology in binary format yet.');
    await ensureDirectory(this.path);
    const json = JSON.stringify(modelJSONFor(artifacts, [WEIGHTS_BIN]));
    const weights = artifacts.weightData == null ? Buffer.alloc(0) : Buffer.from(toBytes(artifacts.weightData));
    await replaceFiles(this.path, [[WEIGHTS_BIN, weights], [MODEL_JSON, json]]);
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts) };
  }

  async load() {
    const info = await fsp.stat(this.path).catch(notExist('Path'));
    if (!info.isFile()) {
      fail(`The path to load from must be a file. Loading from a directory is not supported. (${this.path} is a directory; pass the path of its ${MODEL_JSON}, e.g. ${path.join(this.path, MODEL_JSON)})`);
    }
    const json = parseModelJSON(await fsp.readFile(this.path, 'utf8'), this.path);
    return getModelArtifactsForJSON(json, manifest => this.loadWeights(manifest));
  }

  async loadWeights(manifest) {
    const dir = this.weightPathPrefix != null ? path.resolve(this.weightPathPrefix) : path.dirname(this.path);
    const shards = [];
    for (const group of manifest) {
      for (const p of group.paths) {
        const file = path.join(dir, p);
        shards.push({ name: file, bytes: await fsp.readFile(file).catch(notExist('Weight file')) });
      }
    }
    checkShardSizes(manifest, shards, this.path);
    return [getWeightSpecs(manifest), concatBuffers(shards.map(s => s.bytes))];
  }
}

const concatBuffers = (list) => {
  const all = Buffer.concat(list);
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
};

// --- HTTP ----------------------------------------------------------------------------------

/** TF.js `parseUrl`: weight files live next to model.json; the query string is kept. */
function parseUrl(url) {
  const lastSlash = url.lastIndexOf('/');
  const lastSearchParam = url.lastIndexOf('?');
  return [`${url.substring(0, lastSlash)}/`, lastSearchParam > lastSlash ? url.substring(lastSearchParam) : ''];
}

const isHTTPScheme = (url) => /^https?:\/\//.test(url);

/** TF.js `tf.io.http(path, loadOptions)` with the global fetch (or `fetchFunc`). */
class HTTPHandler {
  constructor(url, options = {}) {
    if (typeof url !== 'string' || url.length === 0) fail('URL path for http must not be null, undefined or empty.');
    if (options.fetchFunc != null && typeof options.fetchFunc !== 'function') fail('Must pass a function that matches the signature of `fetch`');
    this.path = url;
    this.options = options;
    this.fetch = options.fetchFunc ?? globalThis.fetch;
    if (typeof this.fetch !== 'function') fail('tf.io.http: no fetch function: Node.js 18+ has a global fetch, or pass fetchFunc');
    this.requestInit = options.requestInit || {};
  }

  describe() { return this.path; }

  /** fetch, with the URL in network errors (Node's own message is only 'fetch failed'). */
  async request(url, init) {
    try {
      return await this.fetch(url, init);
    } catch (e) {
      throw new Error(`Request to ${url} failed: ${e.message}${e.cause && e.cause.message ? ` (${e.cause.message})` : ''}`);
    }
  }

  async load() {
    const response = await this.request(this.path, this.requestInit);
    if (!response.ok) fail(`Request to ${this.path} failed with status code ${response.status}. Please verify this URL points to the model JSON of the model to load.`);
    const json = parseModelJSON(await response.text(), this.path);
    return getModelArtifactsForJSON(json, manifest => this.loadWeights(manifest));
  }

  async weightUrls(manifest) {
    const [prefix, suffix] = parseUrl(this.path);
    const pathPrefix = this.options.weightPathPrefix || prefix;
    const paths = manifest.flatMap(group => group.paths);
    if (this.options.weightUrlConverter != null) return Promise.all(paths.map(p => this.options.weightUrlConverter(p)));
    return paths.map(p => pathPrefix + p + suffix);
  }

  async loadWeights(manifest) {
    const urls = await this.weightUrls(manifest);
    const shards = await Promise.all(urls.map(async (url) => {
      const response = await this.request(url, this.requestInit);
      if (!response.ok) fail(`Request to weight file ${url} failed with status code ${response.status}`);
      return { name: url, bytes: new Uint8Array(await response.arrayBuffer()) };
    }));
    checkShardSizes(manifest, shards, this.path);
    return [getWeightSpecs(manifest), concatBuffers(shards.map(s => s.bytes))];
  }

  /** TF.js's HTTP save: a multipart POST of model.json and model.weights.bin. */
  async save(artifacts) {
    if (artifacts.modelTopology instanceof ArrayBuffer) fail('BrowserHTTPRequest.save() does not support saving model topology in binary formats yet.');
    const init = { method: 'POST', ...this.requestInit, body: new FormData() };
    const json = modelJSONFor(artifacts, ['./model.weights.bin']);
    init.body.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
    if (artifacts.weightData != null) {
      init.body.append('model.weights.bin', new Blob([toBytes(artifacts.weightData)], { type: 'application/octet-stream' }), 'model.weights.bin');
    }
    const response = await this.request(this.path, init);
    if (!response.ok) fail(`BrowserHTTPRequest.save() failed due to HTTP response status ${response.status}.`);
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts), responses: [response] };
  }
}

const http = (url, options) => new HTTPHandler(url, options);
const fileSystem = (filePath, options) => new FileSystemHandler(filePath, options);

// --- routing -------------------------------------------------------------------------------

const FILE_SCHEME = 'file://';
const hasScheme = (url) => /^[a-z][a-z0-9+.-]*:\/\//i.test(url);

/** The handler for a URL or a plain path; `kind` is 'save' or 'load'. */
function handlerForURL(url, kind, options) {
  if (isHTTPScheme(url)) return http(url, options);
  if (url.startsWith(FILE_SCHEME)) return fileSystem(url.slice(FILE_SCHEME.length), options);
  if (hasScheme(url)) fail(`Cannot find any ${kind} handlers for URL '${url}' (dense-mtl handles file://, http:// and https:// URLs and plain paths)`);
  return fileSystem(url, options);
}

module.exports = {
  fromMemory, fromMemorySync, withSaveHandler, withSaveHandlerSync, http, fileSystem, isHTTPScheme, handlerForURL,
  getModelArtifactsInfoForJSON, getModelArtifactsForJSON, getWeightSpecs, FileSystemHandler, HTTPHandler,
};
