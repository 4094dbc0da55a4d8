'use strict';
// IO handlers: where model artifacts go to and come from. The passthrough handlers are TF.js's
// (`io/passthrough.ts`); the file handler writes what tfjs-node's `NodeFileSystem` writes, with
// the weights file named by its content (lib/io/files.js); the HTTP handler resolves weight URLs
// as TF.js's `io/http.ts` does, within the model's origin and directory.
const fsp = require('fs').promises;
const path = require('path');
const { fail, describe } = require('../errors');
const { toBytes } = require('./weights');
const { manifestGroups, checkGroupSize, groupName } = require('./manifest');
const { readWeightFiles, saveModelDirectory, MODEL_JSON } = require('./files');

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

/** tfjs-node's `tf.io.fileSystem(path)`: saves to a directory, loads from a model.json file. */
class FileSystemHandler {
  constructor(filePath, options = {}) {
    if (typeof filePath !== 'string' || filePath.length === 0) fail(`tf.io.fileSystem: path must be a non-empty string but got ${describe(filePath)}`);
    this.path = path.resolve(filePath);
    this.weightPathPrefix = options.weightPathPrefix;
  }

  describe() { return this.path; }

  /** Saves into the directory with one commit point (lib/io/files.js); `hooks` are for tests. */
  async save(artifacts, hooks) {
    if (artifacts.modelTopology instanceof ArrayBuffer) fail('NodeFileSystem.save() does not support saving model topology in binary format yet.');
    const weights = artifacts.weightData == null ? Buffer.alloc(0) : Buffer.from(toBytes(artifacts.weightData));
    await saveModelDirectory(this.path, weights, name => JSON.stringify(modelJSONFor(artifacts, [name])), hooks);
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
    return [getWeightSpecs(manifest), await readWeightFiles(dir, manifest, this.path)];
  }
}

// --- HTTP ----------------------------------------------------------------------------------

/** TF.js `parseUrl`: weight files live next to model.json; the query string is kept. */
function parseUrl(url) {
  const lastSlash = url.lastIndexOf('/');
  const lastSearchParam = url.lastIndexOf('?');
  return [`${url.substring(0, lastSlash)}/`, lastSearchParam > lastSlash ? url.substring(lastSearchParam) : ''];
}

const isHTTPScheme = (url) => /^https?:\/\//.test(url);

// For relative URLs (possible with a custom fetchFunc) the check runs against a placeholder origin.
const RELATIVE_BASE = 'http://relative.invalid/';
const directoryOf = (pathname) => pathname.slice(0, pathname.lastIndexOf('/') + 1);

/** Fails unless `url` is on `prefix`'s origin and inside its directory (after '..' and '%2e'). */
function checkInsideURL(url, prefix, source) {
  let parsed;
  let base;
  try {
    base = new URL(prefix, RELATIVE_BASE);
    parsed = new URL(url, RELATIVE_BASE);
  } catch (e) {
    fail(`${source}: weight URL ${url} is not a valid URL (${e.message})`);
  }
  const dir = directoryOf(base.pathname);
  if (parsed.origin !== base.origin || !parsed.pathname.startsWith(dir)) {
    fail(`${source}: weight URL ${url} is outside the model's location ${base.origin}${dir}`);
  }
}

/**
 * A response body, refused as soon as it would be longer than `limit` bytes: from its
 * Content-Length before reading (unless the body is encoded: the header is then the encoded
 * size), else while streaming. `tooLong(bytes, fromContentLength)` throws the error.
 */
async function readBody(response, limit, tooLong) {
  const headers = response.headers;
  const encoding = headers && typeof headers.get === 'function' ? headers.get('content-encoding') : null;
  const declared = headers && typeof headers.get === 'function' ? headers.get('content-length') : null;
  const body = response.body;
  const cancel = () => (body && typeof body.cancel === 'function' ? body.cancel().catch(() => {}) : undefined);
  if (declared != null && (encoding == null || encoding === 'identity') && Number(declared) > limit) {
    await cancel();
    tooLong(Number(declared), true);
  }
  if (body == null || typeof body.getReader !== 'function') {
    const bytes = new Uint8Array(await response.arrayBuffer()); // a custom fetchFunc's response
    if (bytes.byteLength > limit) tooLong(bytes.byteLength, false);
    return bytes;
  }
  const reader = body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel().catch(() => {});
      tooLong(received, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, received);
}

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

  /**
   * The weight URLs, as TF.js makes them (prefix + path + the model URL's query string). Without
   * a weightUrlConverter (the caller's code, trusted), each must stay on the prefix's origin
   * and inside its directory.
   */
  async weightUrls(groups) {
    const [prefix, suffix] = parseUrl(this.path);
    const pathPrefix = this.options.weightPathPrefix || prefix;
    const converter = this.options.weightUrlConverter;
    return Promise.all(groups.map((group, g) => Promise.all(group.paths.map((p, i) => {
      if (converter != null) return converter(p);
      if (/%(2e|2f|5c)/i.test(p)) fail(`${this.path}: weightsManifest[${g}].paths[${i}] must not hold a percent-encoded '.', '/' or '\\' but got ${JSON.stringify(p)}`);
      const url = pathPrefix + p + suffix;
      checkInsideURL(url, pathPrefix, this.path);
      return url;
    }))));
  }

  async loadWeights(manifest) {
    const groups = manifestGroups(manifest, this.path);
    const urls = await this.weightUrls(groups);
    const parts = [];
    // One file after another: each may send at most what its group has left to fill.
    for (const [g, group] of groups.entries()) {
      const shards = [];
      let left = group.bytes;
      for (const url of urls[g]) {
        const response = await this.request(url, this.requestInit);
        if (!response.ok) fail(`Request to weight file ${url} failed with status code ${response.status}`);
        const tooLong = (seen, declared) => fail(`Weight data for ${this.path} is longer than ${groupName(groups, g)} describes: `
          + `${left} of its ${group.bytes} bytes were left for ${url} but ${declared ? `its Content-Length is ${seen}` : `it sent more than ${left}`}`);
        const bytes = await readBody(response, left, tooLong);
        shards.push([url, bytes.byteLength]);
        parts.push(bytes);
        left -= bytes.byteLength;
      }
      checkGroupSize(groups, g, shards, this.path);
    }
    const all = Buffer.concat(parts);
    return [getWeightSpecs(manifest), all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
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
  if (hasScheme(url) && !url.startsWith(FILE_SCHEME)) fail(`Cannot find any ${kind} handlers for URL '${url}' (dense-mtl handles file://, http:// and https:// URLs and plain paths)`);
  const filePath = url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
  if (/\.keras$/i.test(filePath)) return new KerasFileHandler(filePath);
  if (kind === 'load' && /\.(h5|hdf5)$/i.test(filePath)) {
    fail(`${filePath}: Keras .h5 files are read through the converter: tensorflowjs_converter --input_format=keras ${filePath} <dir>, then load <dir>/model.json (or save the model as .keras in Keras and load that)`);
  }
  return fileSystem(filePath, options);
}

const { KerasFileHandler } = require('./keras-file');

module.exports = {
  fromMemory, fromMemorySync, withSaveHandler, withSaveHandlerSync, http, fileSystem, isHTTPScheme, handlerForURL,
  getModelArtifactsInfoForJSON, getModelArtifactsForJSON, getWeightSpecs, FileSystemHandler, HTTPHandler,
};
