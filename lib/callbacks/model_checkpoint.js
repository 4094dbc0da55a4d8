'use strict';
// tf.callbacks.modelCheckpoint: Keras's ModelCheckpoint, saving TF.js model directories through
// the atomic directory save (lib/io/files.js), so a kill mid-save leaves the old or new model.
const { fail, describe } = require('../errors');
const { BaseCallback, checkArgs, checkMode, maximizes } = require('./base');
const { pyFormat } = require('./pyformat');
const { saveToDirectory } = require('../io/save');

const OPTIONS = ['filepath', 'monitor', 'verbose', 'saveBestOnly', 'saveWeightsOnly', 'mode', 'saveFreq', 'initialValueThreshold'];

class ModelCheckpoint extends BaseCallback {
  /**
   * `modelCheckpoint(filepath, {monitor, mode, saveBestOnly, saveWeightsOnly, saveFreq, ...})` or
   * `modelCheckpoint({filepath, ...})`. `filepath` names a directory (model.json + weights), with
   * Keras's placeholders: '{epoch:02d}' (1-based) and any log value, '{val_loss:.2f}'.
   */
  constructor(filepath, args = {}) {
    super();
    if (filepath != null && typeof filepath === 'object') [filepath, args] = [filepath.filepath, filepath];
    args = checkArgs(args, OPTIONS, 'modelCheckpoint');
    if (typeof filepath !== 'string' || filepath.length === 0) fail(`modelCheckpoint: filepath must be a non-empty string (a directory path, may hold {epoch} and log placeholders) but got ${describe(filepath)}`);
    this.filepath = filepath.replace(/^file:\/\//, '');
    this.monitor = args.monitor ?? 'val_loss';
    this.verbose = args.verbose ?? 0;
    this.saveBestOnly = Boolean(args.saveBestOnly);
    this.saveWeightsOnly = Boolean(args.saveWeightsOnly);
    this.mode = checkMode(args.mode ?? 'auto', 'modelCheckpoint');
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch') fail(`modelCheckpoint: saveFreq must be 'epoch' (saving every N batches is not supported) but got ${describe(this.saveFreq)}`);
    if (this.saveBestOnly) this.maximize = maximizes(this.monitor, this.mode, 'modelCheckpoint');
    this.initialValueThreshold = args.initialValueThreshold;
    this.best = this.initialValueThreshold ?? null;
    this.hooks = {}; // {onStep} for tests that kill a save
    this.hasUserHooks = ['onEpochEnd']; // epoch logs only: fit keeps running whole epochs natively
  }

  /** Keras's `_is_improvement` (no min_delta for checkpoints). */
  improved(current) {
    return this.best == null || (this.maximize ? current > this.best : current < this.best);
  }

  async onEpochEnd(epoch, logs = {}) {
    const dir = pyFormat(this.filepath, { ...logs, epoch: epoch + 1 }, new Set(['epoch']));
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current == null) {
        console.warn(`Can save best model only with ${this.monitor} available.`);
      } else if (this.improved(current)) {
        if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${this.best == null ? 'None' : this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${dir}`);
        this.best = current;
      } else {
        if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
    } else if (this.verbose > 0) {
      console.log(`\nEpoch ${epoch + 1}: saving model to ${dir}`);
    }
    await saveToDirectory(this.model, dir, { includeOptimizer: !this.saveWeightsOnly }, this.hooks);
  }
}

module.exports = { ModelCheckpoint };
