'use strict';
// model.save: a model's artifacts in the TF.js layers-model format (topology, weights and, with
// includeOptimizer, the training state), handed to an IO handler.
const { fail, describe } = require('../errors');
const { modelTopology, TFJS_VERSION } = require('./topology');
const { encodeWeights } = require('./weights');
const training = require('./training');
const handlers = require('./handlers');
const { internals } = require('../model_internals');

const FORMAT = 'layers-model';
const GENERATED_BY = `TensorFlow.js tfjs-layers v${TFJS_VERSION}`;

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

module.exports = { saveModel, saveToDirectory, FORMAT };
