'use strict';
// tf.callbacks.terminateOnNaN. Without it, a step whose loss is not finite rejects fit with an
// Error (the step is not applied). With it, fit stops as Keras's TerminateOnNaN stops it: the
// epoch ends with the means of the batches run, onEpochEnd and onTrainEnd are called, and fit
// resolves with the History. It needs no batch hooks: the native loop reports the divergence.
const { BaseCallback } = require('./base');

class TerminateOnNaN extends BaseCallback {
  constructor() {
    super();
    this.hasUserHooks = [];
  }

  /** Called by fit when a step diverged; returning true turns the rejection into a stop. */
  async onDivergence(message) {
    console.log(`${message}: terminating training (terminateOnNaN)`);
    this.model.stopTraining = true;
    return true;
  }
}

module.exports = { TerminateOnNaN };
