'use strict';
// fit callbacks: user callbacks (objects, arrays, tf.CustomCallback), History, EarlyStopping and
// Keras's callbacks (lib/callbacks/*), run in TF.js's order and awaited one after another. A
// callback lists the hooks it needs in `hasUserHooks`: fit runs whole epochs natively unless one
// needs batch hooks.
const { fail, describe } = require('./errors');
const { isThenable } = require('./thenable');
const { BaseCallback } = require('./callbacks/base');
const { ModelCheckpoint } = require('./callbacks/model_checkpoint');
const { ReduceLROnPlateau, LearningRateScheduler } = require('./callbacks/learning_rate');
const { CSVLogger } = require('./callbacks/csv_logger');
const { TerminateOnNaN } = require('./callbacks/terminate_on_nan');

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'];

/** tf.CustomCallback({onEpochEnd, ...}). */
class CustomCallback extends BaseCallback {
  constructor(args = {}) {
    super();
    for (const hook of HOOKS) {
      if (args[hook] != null) {
        if (typeof args[hook] !== 'function') fail(`callbacks: ${hook} must be a function but got ${describe(args[hook])}`);
        this[hook] = args[hook];
      }
    }
    this.hasUserHooks = HOOKS.filter(h => typeof args[h] === 'function');
  }
}

/**
 * tf.callbacks.earlyStopping: stops when `monitor` stops improving, with TF.js's rule for when
 * to stop. Beyond TF.js (which throws "not implemented"), Keras's `restoreBestWeights` (the
 * weights of the best epoch seen are set back at the end of training, stopped early or not) and
 * `startFromEpoch` (epochs before it are not monitored).
 */
class EarlyStopping extends BaseCallback {
  constructor(args = {}) {
    super();
    args = args ?? {};
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline;
    this.restoreBestWeights = Boolean(args.restoreBestWeights);
    this.startFromEpoch = args.startFromEpoch ?? 0;
    if (!Number.isInteger(this.startFromEpoch) || this.startFromEpoch < 0) fail(`earlyStopping: startFromEpoch must be a non-negative integer but got ${describe(this.startFromEpoch)}`);
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) fail(`earlyStopping: mode must be one of auto, min, max but got ${describe(mode)}`);
    this.maximize = mode === 'max' || (mode === 'auto' && this.monitor.includes('acc'));
    this.hasUserHooks = ['onTrainBegin', 'onEpochEnd', 'onTrainEnd'];
  }
  improved(current, best) {
    return this.maximize ? current - this.minDelta > best : current + this.minDelta < best;
  }
  async onTrainBegin() {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.baseline ?? (this.maximize ? -Infinity : Infinity);
    this.bestWeights = null;
    this.bestEpoch = 0;
  }
  async onEpochEnd(epoch, logs) {
    const current = logs && logs[this.monitor];
    if (current == null) {
      console.warn(`Metric for EarlyStopping ${this.monitor} is not available. Available metrics are: ${Object.keys(logs || {}).join(',')}`);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    // Keras: the first monitored epoch's weights are the best until one improves on them.
    const keep = () => {
      this.bestWeights = this.model.getWeights().map(w => w.clone());
      this.bestEpoch = epoch;
    };
    if (this.restoreBestWeights && this.bestWeights == null) keep();
    if (this.improved(current, this.best)) {
      this.best = current;
      this.wait = 0;
      if (this.restoreBestWeights) keep();
    } else if (++this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }
  async onTrainEnd() {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights != null) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
  }
}

/** The History object fit resolves with (also `model.history`). */
class History extends BaseCallback {
  constructor() {
    super();
    this.epoch = [];
    this.history = {};
  }
  onEpochEnd(epoch, logs) {
    this.record(epoch, logs);
  }
  record(epoch, logs) {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ||= []).push(value);
  }
}

/** Normalizes fit's `callbacks` option into a list of callback objects. */
function standardizeCallbacks(callbacks) {
  if (callbacks == null) return [];
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  return list.map((cb) => {
    if (cb instanceof BaseCallback) return cb;
    if (cb && typeof cb === 'object') return new CustomCallback(cb);
    fail(`fit: callbacks must be callback objects (e.g. {onEpochEnd}) or tf.CustomCallback but got ${describe(cb)}`);
  });
}

/**
 * Calls a hook on every callback in order; a hook that returns a promise is awaited before the
 * next one runs (user errors propagate). Returns a promise only when a hook did, so that a fit
 * whose hooks are all synchronous takes no promise round per hook and epoch; BaseCallback's
 * empty hooks are skipped.
 */
function callAll(callbacks, hook, ...args) {
  for (let i = 0; i < callbacks.length; i++) {
    const run = callbacks[i][hook];
    if (typeof run !== 'function' || run === BaseCallback.prototype[hook]) continue;
    const result = run.apply(callbacks[i], args);
    // Promise.resolve: a thenable that is not a Promise may return nothing from then().
    if (isThenable(result)) return Promise.resolve(result).then(() => callAll(callbacks.slice(i + 1), hook, ...args));
  }
  return undefined;
}

function usesHook(callbacks, hook) {
  return callbacks.some(cb => cb.hasUserHooks ? cb.hasUserHooks.includes(hook) : cb[hook] !== BaseCallback.prototype[hook]);
}

/**
 * A step diverged (`message` says how): true when a callback (terminateOnNaN) turns the
 * rejection into a stop, after which fit ends the epoch and resolves.
 */
async function divergenceHandled(callbacks, message) {
  let handled = false;
  for (const cb of callbacks) {
    if (typeof cb.onDivergence === 'function' && (await cb.onDivergence(message))) handled = true;
  }
  return handled;
}

const callbacks = {
  earlyStopping: (args) => new EarlyStopping(args),
  modelCheckpoint: (filepath, args) => new ModelCheckpoint(filepath, args),
  reduceLROnPlateau: (args) => new ReduceLROnPlateau(args),
  learningRateScheduler: (schedule, args) => new LearningRateScheduler(schedule, args),
  csvLogger: (filename, args) => new CSVLogger(filename, args),
  terminateOnNaN: () => new TerminateOnNaN(),
};

module.exports = {
  BaseCallback, CustomCallback, EarlyStopping, History, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN,
  standardizeCallbacks, callAll, usesHook, divergenceHandled, callbacks,
};
