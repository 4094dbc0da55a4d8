'use strict';
// tf.node.tensorBoard(logdir, {updateFreq, histogramFreq}): tfjs-node's TensorBoardCallback.
// As in tfjs-node: runs `train` and `val` under logdir; tags `epoch_<key>` at step epoch + 1 and,
// with updateFreq 'batch', `batch_<key>` at the count of batches seen; `val_` keys go to `val`
// without the prefix; weight histograms (tagged with the weight's name) at step `epoch` every
// histogramFreq epochs. Every epoch log is written, so every head's loss and metrics and, under
// adaptive task weighting, each output's weight (`epoch_<output>_weight`). Beyond tfjs-node: the
// learning rate (`epoch_learning_rate`, as Keras logs it). With updateFreq 'epoch' it uses no
// batch hooks, so fit keeps running whole epochs natively.
const path = require('path');
const { fail, describe } = require('./errors');
const { BaseCallback, checkArgs } = require('./callbacks/base');
const { SummaryFileWriter } = require('./tensorboard_events');

const SKIPPED = ['batch', 'size', 'num_steps'];

class TensorBoardCallback extends BaseCallback {
  constructor(logdir = './logs', args = {}) {
    super();
    args = checkArgs(args, ['updateFreq', 'histogramFreq'], 'tensorBoard');
    if (typeof logdir !== 'string' || logdir.length === 0) fail(`tensorBoard: logdir must be a non-empty string but got ${describe(logdir)}`);
    this.logdir = logdir.replace(/^file:\/\//, '');
    this.updateFreq = args.updateFreq ?? 'epoch';
    if (!['batch', 'epoch'].includes(this.updateFreq)) fail(`Expected updateFreq to be 'batch' or 'epoch', but got ${describe(this.updateFreq)}`);
    this.histogramFreq = args.histogramFreq ?? 0;
    if (!Number.isInteger(this.histogramFreq) || this.histogramFreq < 0) fail(`Expected histogramFreq to be a positive integer, but got ${describe(this.histogramFreq)}`);
    this.batchesSeen = 0;
    this.hasUserHooks = this.updateFreq === 'batch' ? ['onBatchEnd', 'onEpochEnd', 'onTrainEnd'] : ['onEpochEnd', 'onTrainEnd'];
  }

  writer(run) {
    const name = `${run}Writer`;
    if (!this[name]) this[name] = new SummaryFileWriter(path.join(this.logdir, run));
    return this[name];
  }

  logMetrics(logs, prefix, step) {
    for (const [key, value] of Object.entries(logs || {})) {
      if (SKIPPED.includes(key) || typeof value !== 'number') continue;
      if (key.startsWith('val_')) this.writer('val').scalar(prefix + key.slice(4), value, step);
      else this.writer('train').scalar(prefix + key, value, step);
    }
  }

  async onBatchEnd(batch, logs) {
    this.batchesSeen += 1;
    this.logMetrics(logs, 'batch_', this.batchesSeen);
  }

  async onEpochEnd(epoch, logs = {}) {
    this.logMetrics(logs, 'epoch_', epoch + 1);
    const train = this.writer('train');
    if (!('learning_rate' in logs) && this.model.optimizer) train.scalar('epoch_learning_rate', this.model.optimizer.learningRate, epoch + 1);
    if (this.histogramFreq > 0 && epoch % this.histogramFreq === 0) {
      for (const w of this.model.weights) train.histogram(w.name, w.read().dataSync(), epoch);
    }
    this.flush();
  }

  flush() {
    if (this.trainWriter) this.trainWriter.flush();
    if (this.valWriter) this.valWriter.flush();
  }

  async onTrainEnd() { this.flush(); }
}

const tensorBoard = (logdir, args) => new TensorBoardCallback(logdir, args);

module.exports = { TensorBoardCallback, tensorBoard };
