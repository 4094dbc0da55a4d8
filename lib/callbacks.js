'use strict';
// fit callbacks: user callbacks (objects, arrays, tf.CustomCallback), History and EarlyStopping,
// run in TF.js's order and awaited one after another.
const { fail, describe } = require('./errors');

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'];

class BaseCallback {
  setModel(model) { this.model = model; }
  setParams(params) { this.params = params; }
  async onTrainBegin() {}
  async onTrainEnd() {}
  async onEpochBegin() {}
  async onEpochEnd() {}
  async onBatchBegin() {}
  async onBatchEnd() {}
}

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

/** tf.callbacks.earlyStopping: stops when `monitor` stops improving (TF.js semantics). */
class EarlyStopping extends BaseCallback {
  constructor(args = {}) {
    super();
    if (args.restoreBestWeights) fail('earlyStopping: restoreBestWeights is not supported (TF.js does not implement it either)');
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline;
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) fail(`earlyStopping: mode must be one of auto, min, max but got ${describe(mode)}`);
    this.maximize = mode === 'max' || (mode === 'auto' && this.monitor.includes('acc'));
    this.hasUserHooks = ['onTrainBegin', 'onEpochEnd'];
  }
  improved(current, best) {
    return this.maximize ? current - this.minDelta > best : current + this.minDelta < best;
  }
  async onTrainBegin() {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.baseline ?? (this.maximize ? -Infinity : Infinity);
  }
  async onEpochEnd(epoch, logs) {
    const current = logs && logs[this.monitor];
    if (current == null) {
      console.warn(`Metric for EarlyStopping ${this.monitor} is not available. Available metrics are: ${Object.keys(logs || {}).join(',')}`);
      return;
    }
    if (this.improved(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (++this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
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
  async onEpochEnd(epoch, logs) {
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

/** Calls a hook on every callback in order, awaiting each; user errors propagate. */
async function callAll(callbacks, hook, ...args) {
  for (const cb of callbacks) {
    if (typeof cb[hook] === 'function') await cb[hook](...args);
  }
}

function usesHook(callbacks, hook) {
  return callbacks.some(cb => cb.hasUserHooks ? cb.hasUserHooks.includes(hook) : cb[hook] !== BaseCallback.prototype[hook]);
}

const callbacks = { earlyStopping: (args) => new EarlyStopping(args) };

module.exports = { BaseCallback, CustomCallback, EarlyStopping, History, standardizeCallbacks, callAll, usesHook, callbacks };
