'use strict';
// tf.callbacks.reduceLROnPlateau and learningRateScheduler: Keras 3's, changing the optimizer's
// learning rate between epochs (it takes effect at the next step, in the core).
const { fail, describe, finiteNumber } = require('../errors');
const { BaseCallback, checkArgs, checkMode } = require('./base');

const PLATEAU_OPTIONS = ['monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr'];

class ReduceLROnPlateau extends BaseCallback {
  constructor(args = {}) {
    super();
    args = checkArgs(args, PLATEAU_OPTIONS, 'reduceLROnPlateau');
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = finiteNumber(args.factor ?? 0.1, 'reduceLROnPlateau: factor');
    if (this.factor >= 1) fail(`reduceLROnPlateau: factor must be < 1 (it multiplies the learning rate) but got ${this.factor}`);
    this.patience = args.patience ?? 10;
    this.verbose = args.verbose ?? 0;
    this.mode = checkMode(args.mode ?? 'auto', 'reduceLROnPlateau');
    this.minDelta = finiteNumber(args.minDelta ?? 1e-4, 'reduceLROnPlateau: minDelta');
    this.cooldown = args.cooldown ?? 0;
    this.minLr = finiteNumber(args.minLr ?? 0, 'reduceLROnPlateau: minLr');
    this.hasUserHooks = ['onTrainBegin', 'onEpochEnd'];
    this.reset();
  }

  /** Keras: 'auto' minimizes unless the monitor names an accuracy. */
  reset() {
    this.maximize = !(this.mode === 'min' || (this.mode === 'auto' && !this.monitor.includes('acc')));
    this.best = this.maximize ? -Infinity : Infinity;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  improved(current) {
    return this.maximize ? current > this.best + this.minDelta : current < this.best - this.minDelta;
  }

  async onTrainBegin() { this.reset(); }

  async onEpochEnd(epoch, logs = {}) {
    const optimizer = this.model.optimizer;
    logs.learning_rate = optimizer.learningRate; // Keras adds it to the epoch logs (History sees it)
    const current = logs[this.monitor];
    if (current == null) {
      console.warn(`Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}.`);
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
    } else if (!(this.cooldownCounter > 0)) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const old = optimizer.learningRate;
        if (old > Math.fround(this.minLr)) {
          const next = Math.max(old * this.factor, this.minLr);
          optimizer.learningRate = next;
          if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

class LearningRateScheduler extends BaseCallback {
  /** `schedule(epoch, lr)` returns (or resolves to) the learning rate for that epoch. */
  constructor(schedule, args = {}) {
    super();
    if (typeof schedule !== 'function') fail(`learningRateScheduler: schedule must be a function (epoch, learningRate) => number but got ${describe(schedule)}`);
    args = checkArgs(args, ['verbose'], 'learningRateScheduler');
    this.schedule = schedule;
    this.verbose = args.verbose ?? 0;
    this.hasUserHooks = ['onEpochBegin', 'onEpochEnd'];
  }

  async onEpochBegin(epoch) {
    const optimizer = this.model.optimizer;
    const lr = await this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr)) fail(`learningRateScheduler: the schedule must return a finite number but returned ${describe(lr)} for epoch ${epoch}`);
    optimizer.learningRate = lr;
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  async onEpochEnd(epoch, logs = {}) {
    logs.learning_rate = this.model.optimizer.learningRate;
  }
}

module.exports = { ReduceLROnPlateau, LearningRateScheduler };
