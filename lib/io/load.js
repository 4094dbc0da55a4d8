'use strict';
// tf.loadLayersModel: a model from TF.js layers-model artifacts (or the Keras converter's),
// compiled with its training config, its weights, optimizer and multi-task state restored.
const { fail, describe } = require('../errors');
const { modelFromTopology, kerasWeightSlots } = require('./read_topology');
const { decodeWeights } = require('./weights');
const training = require('./training');
const handlers = require('./handlers');
const { internals } = require('../model_internals');

const isObject = (v) => v != null && typeof v === 'object' && !Array.isArray(v);

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

module.exports = { loadLayersModel };
