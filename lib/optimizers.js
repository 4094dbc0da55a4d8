'use strict';
// tf.train.*: optimizer descriptors with TF.js's defaults, Keras's AdamW, clipping options and
// learning-rate schedules. The update rules, clipping and schedules run in the core
// (crates/core/src/optimizer*); this file only shapes arguments into the core's wire format.
const { fail, describe, finiteNumber } = require('./errors');
const { internals } = require('./model_internals');

const CLIP_OPTIONS = ['clipnorm', 'clipvalue', 'globalClipnorm'];

/** A Keras learning-rate schedule (evaluated per optimizer step by the core). */
class LearningRateSchedule {
  constructor(className, config) {
    this.className = className;
    this.config = config;
  }
  getClassName() { return this.className; }
  getConfig() { return { ...this.config }; }
  toNative() { return { className: this.className, config: this.config }; }
}

/**
 * Keras's schedule arguments, positional (Keras's order) or as one object of camelCase names:
 * `exponentialDecay(0.1, 100, 0.96)` or `exponentialDecay({initialLearningRate: 0.1, ...})`.
 */
function scheduleArgs(names, args, what) {
  if (args.length === 1 && args[0] != null && typeof args[0] === 'object' && !Array.isArray(args[0])) {
    const unknown = Object.keys(args[0]).filter(k => !names.includes(k));
    if (unknown.length) fail(`${what}: unknown argument ${describe(unknown[0])}; expected ${names.join(', ')}`);
    return { ...args[0] };
  }
  return Object.fromEntries(names.map((n, i) => [n, args[i]]).filter(([, v]) => v !== undefined));
}

const schedules = {
  exponentialDecay: (...args) => new LearningRateSchedule('ExponentialDecay',
    scheduleArgs(['initialLearningRate', 'decaySteps', 'decayRate', 'staircase'], args, 'exponentialDecay')),
  cosineDecay: (...args) => new LearningRateSchedule('CosineDecay',
    scheduleArgs(['initialLearningRate', 'decaySteps', 'alpha', 'name', 'warmupTarget', 'warmupSteps'], args, 'cosineDecay')),
  piecewiseConstantDecay: (...args) => new LearningRateSchedule('PiecewiseConstantDecay',
    scheduleArgs(['boundaries', 'values'], args, 'piecewiseConstantDecay')),
};

class Optimizer {
  /** `config` holds the rule's hyper-parameters; `options` Keras's clipping options. */
  constructor(className, config, options = {}) {
    if (options == null || typeof options !== 'object') fail(`${className}: options must be an object like {clipnorm} but got ${describe(options)}`);
    const unknown = Object.keys(options).filter(k => !CLIP_OPTIONS.includes(k));
    if (unknown.length) fail(`${className}: unknown option ${describe(unknown[0])}; expected ${CLIP_OPTIONS.join(', ')}`);
    for (const [key, value] of Object.entries(config)) {
      if (key === 'learningRate' && value instanceof LearningRateSchedule) continue;
      if (value !== null && typeof value !== 'boolean') finiteNumber(value, `${className} ${key}`);
    }
    this.className = className;
    this.config = config;
    this.options = Object.fromEntries(CLIP_OPTIONS.filter(k => options[k] != null).map(k => [k, options[k]]));
    // NaN would reach the core as null (not set); the core checks the rest (sign, exclusivity).
    for (const [key, value] of Object.entries(this.options)) finiteNumber(value, `${className} ${key}`);
    compiledWith.set(this, []);
  }
  getClassName() { return this.className; }
  /** TF.js's getConfig (plus the clipping options that are set). */
  getConfig() { return { ...this.config, ...this.options }; }

  /**
   * The learning rate the next step uses: the constant, or (on a compiled model) a schedule's
   * value at the optimizer's current step; the schedule itself before compile.
   */
  get learningRate() {
    const [model] = compiledModels(this);
    if (model) return internals(model).native().learningRate();
    return this.config.learningRate;
  }

  /** Sets a constant learning rate, from the next optimizer step on (Keras's setter). */
  set learningRate(value) {
    finiteNumber(value, `${this.className} learningRate`);
    if (this.config.learningRate instanceof LearningRateSchedule) {
      fail(`${this.className} learningRate: this optimizer was created with a ${this.config.learningRate.className} schedule as its learning rate, so its learning rate is not settable`);
    }
    for (const model of compiledModels(this)) internals(model).native().setLearningRate(value);
    this.config.learningRate = value;
  }

  /** TF.js's `setLearningRate` (SGD and momentum in TF.js; here on every optimizer). */
  setLearningRate(value) { this.learningRate = value; }

  /** The wire format the core reads: `{className, config}` with the clipping options in config. */
  toNative() {
    const lr = this.config.learningRate;
    return { className: this.className, config: { ...this.config, learningRate: lr instanceof LearningRateSchedule ? lr.toNative() : lr, ...this.options } };
  }

  dispose() {}
}

// Optimizer -> the models compiled with it, held weakly: an optimizer reused for many models
// must not keep the ones no longer in use alive.
const compiledWith = new WeakMap();

/** Called by compile: later learning-rate changes reach this model's optimizer. */
function attachModel(optimizer, model) {
  if (!compiledModels(optimizer).includes(model)) compiledWith.get(optimizer).push(new WeakRef(model));
}

/** The models still alive and compiled with this optimizer. */
function compiledModels(optimizer) {
  const refs = compiledWith.get(optimizer).filter((ref) => ref.deref()?.optimizer === optimizer);
  compiledWith.set(optimizer, refs);
  return refs.map(ref => ref.deref());
}

/** Splits a trailing `{clipnorm, clipvalue, globalClipnorm}` object off positional arguments. */
function withOptions(count, args) {
  const last = args[count];
  return [args.slice(0, count), last === undefined ? {} : last];
}

const train = {
  sgd: (...args) => {
    const [[learningRate], options] = withOptions(1, args);
    return new Optimizer('SGD', { learningRate }, options);
  },
  momentum: (...args) => {
    const [[learningRate, momentum, useNesterov = false], options] = withOptions(3, args);
    return new Optimizer('Momentum', { learningRate, momentum, useNesterov }, options);
  },
  adam: (...args) => {
    const [[learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = null], options] = withOptions(4, args);
    return new Optimizer('Adam', { learningRate, beta1, beta2, epsilon }, options);
  },
  /** Keras 3's AdamW (TF.js has none): weightDecay 0.004, epsilon 1e-7 by default. */
  adamw: (...args) => {
    const [[learningRate = 0.001, weightDecay = 0.004, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7], options] = withOptions(5, args);
    return new Optimizer('AdamW', { learningRate, weightDecay, beta1, beta2, epsilon }, options);
  },
  adamax: (...args) => {
    const [[learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = null, decay = 0], options] = withOptions(5, args);
    return new Optimizer('Adamax', { learningRate, beta1, beta2, epsilon, decay }, options);
  },
  rmsprop: (...args) => {
    const [[learningRate, decay = 0.9, momentum = 0, epsilon = null, centered = false], options] = withOptions(5, args);
    return new Optimizer('RMSProp', { learningRate, decay, momentum, epsilon, centered }, options);
  },
  adagrad: (...args) => {
    const [[learningRate, initialAccumulatorValue = 0.1], options] = withOptions(2, args);
    return new Optimizer('Adagrad', { learningRate, initialAccumulatorValue }, options);
  },
  adadelta: (...args) => {
    const [[learningRate = 0.001, rho = 0.95, epsilon = null], options] = withOptions(3, args);
    return new Optimizer('Adadelta', { learningRate, rho, epsilon }, options);
  },
  ...schedules,
};

// The strings compile() accepts, with TF.js's defaults for each (note adadelta's lr of 1).
const byName = {
  sgd: () => train.sgd(0.01),
  adam: () => train.adam(0.001, 0.9, 0.999, 1e-7),
  adamw: () => train.adamw(),
  adamax: () => train.adamax(0.002, 0.9, 0.999, 1e-7, 0),
  rmsprop: () => train.rmsprop(0.001, 0.9, 0, 1e-7, false),
  adagrad: () => train.adagrad(0.01),
  adadelta: () => train.adadelta(1.0, 0.95, 1e-7),
};
const classNames = { SGD: 'sgd', Adam: 'adam', AdamW: 'adamw', Adamax: 'adamax', RMSProp: 'rmsprop', Adagrad: 'adagrad', Adadelta: 'adadelta' };

function getOptimizer(identifier) {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') {
    const make = byName[identifier] || byName[classNames[identifier]];
    if (!make) fail(`compile: Unknown optimizer ${describe(identifier)}. Expected one of: ${Object.keys(byName).join(', ')} or a tf.train optimizer`);
    return make();
  }
  fail(`compile: optimizer must be an optimizer name or a tf.train optimizer but got ${describe(identifier)}`);
}

module.exports = { Optimizer, LearningRateSchedule, train, getOptimizer, attachModel, CLIP_OPTIONS };
