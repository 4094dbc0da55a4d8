'use strict';
// Model files in the TF.js layers-model format: `model.save`, `tf.loadLayersModel` and `tf.io`.
// The parts live in lib/io/: topology (model.json's modelTopology), weights (the binary),
// training (weights by name, trainingConfig, optimizer state) and handlers (files, HTTP, memory).
const { fail, describe } = require('./errors');
const { modelTopology, modelFromTopology, kerasWeightSlots, TFJS_VERSION } = require('./io/topology');
const { decodeWeights, encodeWeights, concatenateArrayBuffers } = require('./io/weights');
const training = require('./io/training');
const handlers = require('./io/handlers');
const { internals } = require('./model_internals');

const FORMAT = 'layers-model';
const isObject = (v) => v != null && typeof v === 'object' && !Array.isArray(v);
const GENERATED_BY = `TensorFlow.js tfjs-layers v${TFJS_VERSION}`;

// --- save ----------------------------------------------------------------------------------

/**
 * Refuses to save non-finite values: JSON would write them as null, which no loader reads back,
 * and weights that are NaN or infinite come from a diverged fit that should not replace a good
 * file (a deliberate difference: TF.js writes them).
 */
function checkFiniteWeights(weights) {
  for (const { name, values } of weights) {
    const index = values.findIndex(v => !Number.isFinite(v));
    if (index >= 0) {
      fail(`model.save: weight '${name}' holds ${values[index]} at index ${index}; a model with non-finite weights is not saved (did training diverge?), and the files already saved stay as they were`);
    }
  }
}

function checkFiniteJSON(value, field) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    fail(`model.save: ${field} is ${value}; JSON cannot hold non-finite numbers, so the model is not saved (did training diverge?)`);
  }
  if (value != null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) checkFiniteJSON(v, Array.isArray(value) ? `${field}[${key}]` : `${field}.${key}`);
  }
}

/** TF.js `LayersModel.save` artifacts: topology, weights and, with includeOptimizer, training state. */
function modelArtifacts(model, config = {}) {
  const weights = training.namedWeights(model, Boolean(config.trainableOnly));
  const artifacts = { modelTopology: modelTopology(model), format: FORMAT, generatedBy: GENERATED_BY, convertedBy: null };
  let extension = null;
  if (config.includeOptimizer && internals(model).compileSpec()) {
    artifacts.trainingConfig = training.trainingConfig(model);
    weights.push(...training.optimizerWeights(model));
    extension = training.multiTaskState(model); // our extension: a `denseMtl` field TF.js ignores
  }
  const metadata = typeof model.getUserDefinedMetadata === 'function' ? model.getUserDefinedMetadata() : undefined;
  if (metadata != null) artifacts.userDefinedMetadata = metadata;
  checkFiniteWeights(weights);
  for (const field of ['modelTopology', 'trainingConfig']) checkFiniteJSON(artifacts[field], field);
  if (extension) checkFiniteJSON(extension, 'denseMtl');
  const { data, specs } = encodeWeights(weights);
  artifacts.weightData = data;
  artifacts.weightSpecs = specs;
  if (extension) artifacts.denseMtl = extension;
  return artifacts;
}

async function saveModel(model, handlerOrURL, config) {
  let handler = handlerOrURL;
  if (typeof handlerOrURL === 'string') handler = handlers.handlerForURL(handlerOrURL, 'save');
  if (handler == null || typeof handler.save !== 'function') {
    fail(`LayersModel.save() cannot proceed because the IOHandler provided does not have the \`save\` attribute defined (got ${describe(handlerOrURL)}).`);
  }
  return handler.save(modelArtifacts(model, config || {}));
}

/**
 * Saves a model into a directory, as `model.save('file://dir', config)` does: the routine a
 * checkpoint callback calls. `hooks.onStep` sees every step of the save (for the kill tests).
 */
async function saveToDirectory(model, dir, config = {}, hooks = {}) {
  return handlers.fileSystem(dir).save(modelArtifacts(model, config || {}), hooks);
}

// --- load ----------------------------------------------------------------------------------

/** Decodes the weights and splits model weights from optimizer weights (group 'optimizer'). */
function decodeArtifactWeights(artifacts, where) {
  if (artifacts.weightData == null) return null;
  if (artifacts.weightSpecs == null) fail(`${where}: LayersModel artifacts contains weight data, but not weight specs. Therefore loading of weights cannot proceed.`);
  const decoded = decodeWeights(artifacts.weightData, artifacts.weightSpecs, where);
  return { model: decoded.filter(d => d.spec.group !== 'optimizer'), optimizer: decoded.filter(d => d.spec.group === 'optimizer') };
}

/**
 * The Keras converter's training config: `modelTopology.training_config` (from .h5), or the
 * `compile_config` Keras 3 keeps in the model config (from .keras; {} when saved uncompiled).
 */
function kerasTrainingConfig(topology) {
  if (!isObject(topology)) return null;
  if (topology.training_config != null) return topology.training_config;
  const compileConfig = isObject(topology.model_config) ? topology.model_config.compile_config : null;
  return isObject(compileConfig) && compileConfig.loss != null ? compileConfig : null;
}

/**
 * TF.js `loadLayersModelFromIOHandler`: builds the model, compiles it with the training config
 * (and our multi-task options), sets the weights by name and restores the optimizer and the
 * multi-task state. Everything is checked before the first value is written, and the model is
 * only returned when all of it succeeded.
 */
function modelFromArtifacts(artifacts, options, where) {
  if (artifacts == null || typeof artifacts !== 'object') fail(`${where}: the IO handler's load() returned ${describe(artifacts)} instead of model artifacts`);
  if (artifacts.modelTopology == null) fail(`${where}: the model artifacts have no modelTopology`);
  const strict = options.strict ?? true;
  const weights = decodeArtifactWeights(artifacts, where);
  const model = modelFromTopology(artifacts.modelTopology, where);
  const commits = [];
  const trainingConfig = artifacts.trainingConfig ?? kerasTrainingConfig(artifacts.modelTopology);
  if (trainingConfig != null) {
    model.compile(training.compileArgs(trainingConfig, artifacts.denseMtl, where, model.outputNames));
    commits.push(training.restoreTaskState(model, artifacts.denseMtl, where));
  }
  if (weights) {
    commits.push(training.setModelWeights(model, weights.model, strict, where, kerasWeightSlots(artifacts.modelTopology)));
    if (internals(model).compileSpec() && weights.optimizer.length > 0) commits.push(training.restoreOptimizer(model, weights.optimizer, where));
  }
  commits.forEach(commit => commit());
  if (artifacts.userDefinedMetadata != null && typeof model.setUserDefinedMetadata === 'function') model.setUserDefinedMetadata(artifacts.userDefinedMetadata);
  return model;
}

async function loadLayersModel(pathOrHandler, options = {}) {
  options = options || {};
  let handler = pathOrHandler;
  if (typeof pathOrHandler === 'string') handler = handlers.handlerForURL(pathOrHandler, 'load', options);
  if (handler == null || typeof handler.load !== 'function') {
    fail(`Cannot proceed with model loading because the IOHandler provided does not have the \`load\` method implemented (got ${describe(pathOrHandler)}).`);
  }
  const where = typeof handler.describe === 'function' ? handler.describe() : 'the model artifacts';
  const artifacts = await handler.load();
  return modelFromArtifacts(artifacts, options, where);
}

// --- tf.io ---------------------------------------------------------------------------------

const io = {
  fromMemory: handlers.fromMemory,
  fromMemorySync: handlers.fromMemorySync,
  withSaveHandler: handlers.withSaveHandler,
  withSaveHandlerSync: handlers.withSaveHandlerSync,
  http: handlers.http,
  browserHTTPRequest: handlers.http,
  fileSystem: handlers.fileSystem,
  isHTTPScheme: handlers.isHTTPScheme,
  getModelArtifactsInfoForJSON: handlers.getModelArtifactsInfoForJSON,
  getModelArtifactsForJSON: handlers.getModelArtifactsForJSON,
  getWeightSpecs: handlers.getWeightSpecs,
  concatenateArrayBuffers,
};

module.exports = { io, saveModel, saveToDirectory, loadLayersModel };
