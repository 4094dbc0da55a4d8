'use strict';
// What a model file holds besides the topology: weight values (matched by name, as TF.js's
// `Container.loadWeights`), the training config (`getTrainingConfig`/`loadTrainingConfig`), the
// optimizer state, and our multi-task state (loss weights, task weighting, what it learned).
const { fail, describe } = require('../errors');
const binding = require('../native');
const { train, LearningRateSchedule, CLIP_OPTIONS } = require('../optimizers');
const { lossName, metricName } = require('../functions');
const { toCamelCase, toSnakeCase, convertPythonicToTs } = require('./pythonic');
const { internals } = require('../model_internals');

const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

// --- model weights -------------------------------------------------------------------------

/** The model's weights as named, typed values, in `model.weights` order (TF.js `getNamedWeights`). */
function namedWeights(model, trainableOnly) {
  const native = internals(model).native();
  const values = native.getWeights();
  return native.weightInfo()
    .map((w, i) => ({ name: w.name, shape: w.shape, dtype: 'float32', values: values[i], trainable: w.trainable }))
    .filter(w => !trainableOnly || w.trainable);
}

// Keras writes its optimizer's variables next to the model's (`optimizer/vars/<i>` in a .keras
// file): they are not carried over (optimizer slots only come from our includeOptimizer saves).
const KERAS_OPTIMIZER_WEIGHT = /^optimizer\//;
const KERAS_SLOT_WEIGHT = /^layers\/([^/]+)\/vars\/(\d+)$/;

/**
 * The model's weight a file's weight name stands for, or undefined:
 * - our names and TF.js's, `layer/kernel`;
 * - Keras 3's `layers/<slot>/vars/<i>` (`slots` maps the slot to the layer, see kerasWeightSlots);
 * - names with a prefix, as Keras 3 variable paths (`sequential/dense/kernel`) and TF 2.2's
 *   `layer/cell/weight`: the longest suffix, or the name without its second-to-last part, that
 *   names a weight of the model.
 */
function targetOf(name, index, byLayer, slots) {
  if (index.has(name)) return name;
  const slot = KERAS_SLOT_WEIGHT.exec(name);
  if (slot && slots && slots.has(slot[1])) {
    const weights = byLayer.get(slots.get(slot[1])) || [];
    return weights[Number(slot[2])];
  }
  const tokens = name.split('/');
  for (let start = 1; start <= tokens.length - 2; start++) {
    const suffix = tokens.slice(start).join('/');
    if (index.has(suffix)) return suffix;
  }
  const withoutCell = [...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/');
  return index.has(withoutCell) ? withoutCell : undefined;
}

/**
 * Sets the model's weights from decoded [{spec, values}], by name. Strict: every given weight must
 * have a target and every target must be given (TF.js's messages); not strict: the weights not
 * given keep their initial values, and a warning lists them. Checks everything first.
 */
function setModelWeights(model, decoded, strict, where, slots) {
  const native = internals(model).native();
  const info = native.weightInfo();
  const index = new Map(info.map((w, i) => [w.name, i]));
  const byLayer = new Map();
  for (const w of info) {
    const layer = w.name.slice(0, w.name.lastIndexOf('/'));
    byLayer.set(layer, [...(byLayer.get(layer) || []), w.name]);
  }
  const values = native.getWeights();
  const unset = new Set(info.map(w => w.name));
  // A later spec with the same name wins, as TF.js decodes into a name-keyed object.
  const byName = new Map(decoded.filter(d => !KERAS_OPTIMIZER_WEIGHT.test(d.spec.name)).map(d => [d.spec.name, d]));
  for (const [name, { spec, values: given }] of byName) {
    const target = targetOf(name, index, byLayer, slots);
    if (target !== undefined) {
      const w = info[index.get(target)];
      if (!sameShape(spec.shape, w.shape)) fail(`${where}: weight '${name}' has shape [${spec.shape}] but the model's weight '${target}' has shape [${w.shape}]`);
      if (!(given instanceof Float32Array) || (spec.dtype !== 'float32' && spec.quantization == null)) {
        fail(`${where}: weight '${name}' has dtype ${spec.dtype} but model weights are float32`);
      }
      values[index.get(target)] = given;
      unset.delete(target);
    } else if (strict) {
      fail(`Provided weight data has no target variable: ${name} (in ${where})`);
    }
  }
  if (strict && unset.size > 0) fail(`${unset.size} of ${info.length} weights are not set: ${[...unset]} (in ${where})`);
  return () => {
    native.setWeights(values);
    if (unset.size > 0) {
      console.warn(`loadLayersModel (strict: false): ${unset.size} of ${info.length} weights were not in ${where} and keep their initial random values: ${[...unset].join(', ')}`);
    }
  };
}

// --- training config -----------------------------------------------------------------------

const nameOf = (fn, what, named) => (typeof fn === 'string' ? fn : named(fn, what));

/**
 * TF.js `getLossIdentifiers`, with every name TF.js's loader knows: the core resolves our
 * aliases and Keras names ('mse', 'categorical_crossentropy') to TF.js's ('meanSquaredError'),
 * written snake_case as TF.js writes them. Function losses are written by name (TF.js: `{}`).
 */
function lossIdentifiers(loss) {
  const one = (l) => toSnakeCase(binding.lossIdentifier(nameOf(l, 'model.save: loss', lossName)));
  if (typeof loss === 'string' || typeof loss === 'function') return one(loss);
  if (Array.isArray(loss)) return loss.map(one);
  return Object.fromEntries(Object.entries(loss).map(([k, l]) => [k, one(l)]));
}

// Metric names TF.js's loader (`metrics.get`) does not know, and the name it knows for the same
// metric. TF.js writes what compile was given, so a model compiled with tf.metrics.meanSquaredError
// cannot be loaded by TF.js itself; dense-mtl writes 'mse' instead. Metrics TF.js has no name for
// at all (recall, sparseCategoricalAccuracy, binaryCrossentropy) are written as TF.js writes them.
const TFJS_METRIC_NAMES = {
  meanSquaredError: 'mse', MSE: 'mse', meanAbsoluteError: 'mae', MAE: 'mae',
  meanAbsolutePercentageError: 'mape', MAPE: 'mape', cosineProximity: 'cosine',
};

/** TF.js `getMetricIdentifiers`, from the compile argument, or from the compiled heads without it. */
function metricIdentifiers(model) {
  const one = (m) => {
    const name = nameOf(m, 'model.save: metric', metricName);
    return toSnakeCase(TFJS_METRIC_NAMES[name] ?? name);
  };
  const given = model.metrics;
  if (given != null) {
    if (typeof given === 'string' || typeof given === 'function') return [one(given)];
    if (Array.isArray(given)) return given.map(one);
    return Object.fromEntries(Object.entries(given).map(([k, m]) => [k, Array.isArray(m) ? m.map(one) : one(m)]));
  }
  const heads = internals(model).compileSpec().heads.map(h => h.metrics.map(one));
  if (heads.every(h => h.length === 0)) return {}; // what TF.js writes when compile had no metrics
  if (heads.length === 1 || heads.every(h => JSON.stringify(h) === JSON.stringify(heads[0]))) return heads[0];
  return Object.fromEntries(model.outputNames.map((o, i) => [o, heads[i].length === 1 ? heads[i][0] : heads[i]]));
}

/**
 * TF.js `optimizer.getConfig()`: unset epsilons are the backend epsilon, 1e-7. Clipping options
 * are written under Keras's names (TF.js's fromConfig ignores them). A schedule is written as
 * `learningRateSchedule` beside a numeric `learningRate` (its value at the saved step), so that
 * TF.js still reads the file (it would take a schedule object for a number).
 */
function optimizerConfig(optimizer) {
  const config = optimizer.getConfig();
  if ('epsilon' in config && config.epsilon == null) config.epsilon = 1e-7;
  if (config.learningRate instanceof LearningRateSchedule) {
    config.learningRateSchedule = config.learningRate.toNative();
    config.learningRate = optimizer.learningRate;
  }
  return { class_name: optimizer.getClassName(), config };
}

function trainingConfig(model) {
  return { loss: lossIdentifiers(model.loss), metrics: metricIdentifiers(model), optimizer_config: optimizerConfig(model.optimizer) };
}

// --- multi-task state (our extension) ------------------------------------------------------

const EXTENSION_VERSION = 1;

/** Loss weights other than all ones, by output name. */
function lossWeightsOf(model) {
  const heads = internals(model).compileSpec().heads;
  if (heads.every(h => h.lossWeight === 1)) return null;
  return Object.fromEntries(model.outputNames.map((o, i) => [o, heads[i].lossWeight]));
}

/**
 * The multi-task compile options and balancing state (learned log-variances, DWA/GradNorm
 * weights...), or null when the model uses none. It goes in a top-level `denseMtl` field:
 * TF.js ignores unknown fields but throws on `trainingConfig.loss_weights`.
 */
function multiTaskState(model) {
  const spec = internals(model).compileSpec();
  const lossWeights = lossWeightsOf(model);
  const weighting = spec.taskWeighting && spec.taskWeighting.method !== 'fixed' ? { ...spec.taskWeighting } : null;
  const surgery = spec.gradientSurgery || null;
  if (!lossWeights && !weighting && !surgery) return null;
  const state = { version: EXTENSION_VERSION };
  if (lossWeights) state.lossWeights = lossWeights;
  if (weighting) state.taskWeighting = weighting;
  if (surgery) state.gradientSurgery = surgery;
  // Fixed weights learn nothing; the adaptive methods carry what they learned so far.
  const native = internals(model).native();
  if (weighting && typeof native.taskState === 'function') {
    try {
      state.taskState = native.taskState();
    } catch (e) {
      fail(`model.save: the multi-task state cannot be saved (did training diverge?): ${e.message}`);
    }
  }
  return state;
}

function checkExtension(extension, where) {
  if (extension == null) return null;
  if (typeof extension !== 'object' || Array.isArray(extension)) fail(`${where}: denseMtl must be an object but got ${describe(extension)}`);
  if (!(extension.version <= EXTENSION_VERSION)) fail(`${where}: denseMtl version ${describe(extension.version)} was written by a newer dense-mtl (this one reads version ${EXTENSION_VERSION})`);
  return extension;
}

/** Restores the balancing state after compile; checks it fits the compiled model first. */
function restoreTaskState(model, extension, where) {
  const state = extension && extension.taskState;
  if (state == null) return () => {};
  const method = (internals(model).compileSpec().taskWeighting && internals(model).compileSpec().taskWeighting.method) || 'fixed';
  const saved = state.method && state.method.method;
  if (saved !== method || !Array.isArray(state.base) || state.base.length !== model.outputNames.length) {
    fail(`${where}: denseMtl.taskState is for ${describe(saved)} weighting of ${Array.isArray(state.base) ? state.base.length : '?'} output(s) but the model is compiled with '${method}' for ${model.outputNames.length}`);
  }
  return () => {
    try {
      internals(model).native().setTaskState(state);
    } catch (e) {
      fail(`${where}: denseMtl.${e.message}`); // the core checks lengths and finiteness
    }
  };
}

// TF.js's optimizer class names and Keras's (SGD with momentum, RMSprop, AdamW, ...) → our optimizers.
// Configs come camel-cased (learning_rate → learningRate, beta_1 → beta1); TF.js's keys first.
// Each takes the config and the clipping options ({} when none are set).
const OPTIMIZERS = {
  sgd: (c, o) => (c.momentum > 0 ? train.momentum(c.learningRate, c.momentum, c.nesterov ?? undefined, o) : train.sgd(c.learningRate, o)),
  momentum: (c, o) => train.momentum(c.learningRate, c.momentum, c.useNesterov ?? undefined, o),
  adam: (c, o) => train.adam(c.learningRate, c.beta1, c.beta2, c.epsilon, o),
  adamw: (c, o) => train.adamw(c.learningRate, c.weightDecay, c.beta1, c.beta2, c.epsilon, o),
  adamax: (c, o) => train.adamax(c.learningRate, c.beta1, c.beta2, c.epsilon, c.decay, o),
  rmsprop: (c, o) => train.rmsprop(c.learningRate, c.decay ?? c.rho, c.momentum, c.epsilon, c.centered, o),
  adagrad: (c, o) => train.adagrad(c.learningRate, c.initialAccumulatorValue, o),
  adadelta: (c, o) => train.adadelta(c.learningRate, c.rho, c.epsilon, o),
};

// Keras optimizer options dense-mtl does not apply: the model still loads, with a warning.
const KERAS_OPTIMIZER_EXTRAS = ['lossScaleFactor', 'gradientAccumulationSteps'];

/** A schedule as we save it (`{className, config}`) or as Keras does (`learning_rate` itself). */
function readSchedule(value, where) {
  if (value == null || typeof value !== 'object') return undefined;
  if (typeof value.className !== 'string' || value.config == null || typeof value.config !== 'object') {
    fail(`${where}: trainingConfig: a learning-rate schedule must be {class_name, config} but got ${describe(value)}`);
  }
  return new LearningRateSchedule(value.className, { ...value.config });
}

function readOptimizer(pythonic, where) {
  if (typeof pythonic === 'string') return pythonic.toLowerCase(); // a name: compile's defaults
  const ts = convertPythonicToTs(pythonic || {});
  // tf_keras writes its registered name, 'Custom>Adam'.
  const className = typeof ts.className === 'string' ? ts.className.replace(/^.*>/, '') : ts.className;
  const make = typeof className === 'string' && OPTIMIZERS[className.toLowerCase()];
  if (!make) fail(`${where}: trainingConfig: unknown optimizer ${describe(ts.className)}; expected one of SGD, Momentum, Adam, AdamW, Adamax, RMSProp, Adagrad, Adadelta`);
  // undefined (not null) selects the factory's default, as TF.js's fromConfig does.
  const config = Object.fromEntries(Object.entries(ts.config || {}).map(([k, v]) => [k, v === null ? undefined : v]));
  const schedule = readSchedule(config.learningRateSchedule, where) ?? readSchedule(config.learningRate, where);
  if (schedule) config.learningRate = schedule;
  const ignored = KERAS_OPTIMIZER_EXTRAS.filter(k => config[k] != null);
  if (config.weightDecay != null && className.toLowerCase() !== 'adamw') ignored.push('weightDecay');
  if (config.amsgrad) ignored.push('amsgrad');
  if (config.useEma) ignored.push('useEma');
  if (ignored.length) console.warn(`${where}: the optimizer options ${ignored.map(toSnakeCase).join(', ')} are not supported by dense-mtl and are ignored`);
  const options = Object.fromEntries(CLIP_OPTIONS.filter(k => config[k] != null).map(k => [k, config[k]]));
  return make(config, options);
}

const isSerialized = (v) => v != null && typeof v === 'object' && !Array.isArray(v) && typeof v.class_name === 'string';

/**
 * Keras may write a loss or metric as a serialized object ({module, class_name, config}): its
 * name is the wrapped function's or the class in snake_case (MeanSquaredError → mean_squared_error). Output names
 * (the keys of a per-output dict) keep their spelling.
 */
function kerasIdentifiers(value, perOutput = true) {
  if (isSerialized(value)) {
    // tf_keras wraps metric functions: {class_name: 'MeanMetricWrapper', config: {fn: 'binary_accuracy'}}.
    const fn = value.config && typeof value.config.fn === 'string' ? value.config.fn : null;
    return toCamelCase(fn ?? toSnakeCase(value.class_name));
  }
  if (typeof value === 'string') return toCamelCase(value);
  if (Array.isArray(value)) return value.map(v => kerasIdentifiers(v, false));
  if (value != null && typeof value === 'object' && perOutput) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, kerasIdentifiers(v, false)]));
  return value;
}

/**
 * TF.js `loadTrainingConfig`, extended to Keras's training config (the converter's
 * `modelTopology.training_config`, or a .keras file's `compile_config`): the compile arguments it
 * stands for. Keras's optimizer default is RMSprop (a .keras file may not name one).
 */
function compileArgs(config, extension, where, outputNames = []) {
  if (config == null || typeof config !== 'object') fail(`${where}: trainingConfig must be an object but got ${describe(config)}`);
  if (config.weighted_metrics != null) fail(`${where}: Loading weight_metrics is not supported yet.`);
  if (config.sample_weight_mode != null) fail(`${where}: Loading sample_weight_mode is not supported yet.`);
  const ext = checkExtension(extension, where) || {};
  const optimizer = config.optimizer_config ?? config.optimizer ?? 'rmsprop';
  let metrics = kerasIdentifiers(config.metrics);
  // tf_keras writes one list per output, in output order (a single list: for every output).
  if (Array.isArray(metrics) && metrics.length > 0 && metrics.every(Array.isArray)) {
    metrics = metrics.length === outputNames.length ? Object.fromEntries(outputNames.map((o, i) => [o, metrics[i]])) : metrics.flat();
  }
  const args = { optimizer: readOptimizer(optimizer, where), loss: kerasIdentifiers(config.loss), metrics };
  // Keras's loss_weights (TF.js refuses them; we support loss weights) or our own extension field.
  const lossWeights = config.loss_weights ?? ext.lossWeights;
  if (lossWeights != null) args.lossWeights = lossWeights;
  if (ext.taskWeighting != null) args.taskWeighting = ext.taskWeighting;
  if (ext.gradientSurgery != null) args.gradientSurgery = ext.gradientSurgery;
  if (args.metrics != null && typeof args.metrics === 'object' && !Array.isArray(args.metrics) && Object.keys(args.metrics).length === 0) args.metrics = undefined;
  return args;
}

// --- optimizer state -----------------------------------------------------------------------

/** The optimizer weights TF.js saves: `iter` (int32 scalar), then every slot, group 'optimizer'. */
function optimizerWeights(model) {
  if (model.optimizer.getClassName() === 'Adamax') {
    fail('model.save: includeOptimizer is not supported for Adamax, as in TF.js (getWeights() is not implemented for Adamax yet.)');
  }
  const state = internals(model).native().optimizerState();
  return [
    { name: 'iter', shape: [], dtype: 'int32', values: Int32Array.of(state.iterations), group: 'optimizer' },
    ...state.weights.map(w => ({ name: w.name, shape: w.shape, dtype: 'float32', values: w.values, group: 'optimizer' })),
  ];
}

/**
 * Restores optimizer state from decoded optimizer weights. Slots are positional, as in TF.js's
 * `setWeights`; a file with `iter` only (saved before the first step) keeps fresh slots.
 */
function restoreOptimizer(model, decoded, where) {
  const native = internals(model).native();
  const current = native.optimizerState();
  const [iter, ...slots] = decoded;
  if (!iter || iter.spec.name !== 'iter' || iter.values.length !== 1) fail(`${where}: optimizer weights must start with 'iter' (an int32 scalar)`);
  const expected = current.weights;
  if (slots.length > 0 && slots.length !== expected.length) {
    fail(`${where}: the file has ${slots.length} optimizer slot(s) but ${model.optimizer.getClassName()} on this model has ${expected.length} (${expected.map(w => w.name).join(', ')})`);
  }
  slots.forEach(({ spec, values }, i) => {
    if (values.length !== expected[i].values.length) fail(`${where}: optimizer weight '${spec.name}' has ${values.length} values but '${expected[i].name}' needs ${expected[i].values.length}`);
  });
  const values = slots.length ? slots.map(s => Float32Array.from(s.values)) : expected.map(w => w.values);
  return () => native.setOptimizerState(Number(iter.values[0]), values);
}

module.exports = { namedWeights, setModelWeights, trainingConfig, multiTaskState, compileArgs, optimizerWeights, restoreOptimizer, restoreTaskState };
