'use strict';
// The callback base class and the monitoring rules Keras's callbacks share.
const { fail, describe } = require('../errors');

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

/** Rejects arguments a callback does not know (a misspelt option would otherwise do nothing). */
function checkArgs(args, known, what) {
  if (args == null) return {};
  if (typeof args !== 'object') fail(`${what}: expected an options object but got ${describe(args)}`);
  const unknown = Object.keys(args).filter(k => !known.includes(k));
  if (unknown.length) fail(`${what}: unknown option ${describe(unknown[0])}; expected one of ${known.join(', ')}`);
  return args;
}

function checkMode(mode, what) {
  if (!['auto', 'min', 'max'].includes(mode)) fail(`${what}: mode must be one of auto, min, max but got ${describe(mode)}`);
  return mode;
}

// Keras 3 (`MonitorCallback._set_monitor_op`): 'auto' minimizes losses and maximizes metrics
// whose direction is up; our metric names, per output as well ('out_acc').
const UP = /(^|_)(acc|accuracy|binaryAccuracy|categoricalAccuracy|sparseCategoricalAccuracy|precision|recall|auc)$/;
const DOWN = /(^|_)(loss|mse|mae|mape|msle|meanSquaredError|meanAbsoluteError|meanAbsolutePercentageError|meanSquaredLogarithmicError|binaryCrossentropy|categoricalCrossentropy|sparseCategoricalCrossentropy|hinge|squaredHinge|categoricalHinge|logcosh|kld|kullbackLeiblerDivergence|poisson)$/;

/** true when `monitor` improves upward; Keras's error when 'auto' cannot tell. */
function maximizes(monitor, mode, what) {
  if (mode !== 'auto') return mode === 'max';
  const name = monitor.replace(/^val_/, '');
  if (UP.test(name)) return true;
  if (DOWN.test(name)) return false;
  fail(`${what} callback received monitor=${monitor}, but it cannot determine whether that metric should be maximized or minimized. Pass mode: 'max' in order to monitor based on the highest metric value, or mode: 'min' in order to use the lowest value.`);
}

module.exports = { BaseCallback, checkArgs, checkMode, maximizes };
