'use strict';
// tf.train.*: optimizer descriptors with TF.js's defaults. The update rules run in the core.
const { fail, describe, finiteNumber } = require('./errors');

class Optimizer {
  constructor(className, config) {
    for (const [key, value] of Object.entries(config)) {
      if (value !== null && typeof value !== 'boolean') finiteNumber(value, `${className} ${key}`);
    }
    this.className = className;
    this.config = config;
  }
  getClassName() { return this.className; }
  getConfig() { return { ...this.config }; }
  get learningRate() { return this.config.learningRate; }
  toNative() { return { className: this.className, config: this.config }; }
  dispose() {}
}

const train = {
  sgd: (learningRate) => new Optimizer('SGD', { learningRate }),
  momentum: (learningRate, momentum, useNesterov = false) => new Optimizer('Momentum', { learningRate, momentum, useNesterov }),
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = null) => new Optimizer('Adam', { learningRate, beta1, beta2, epsilon }),
  adamax: (learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = null, decay = 0) =>
    new Optimizer('Adamax', { learningRate, beta1, beta2, epsilon, decay }),
  rmsprop: (learningRate, decay = 0.9, momentum = 0, epsilon = null, centered = false) =>
    new Optimizer('RMSProp', { learningRate, decay, momentum, epsilon, centered }),
  adagrad: (learningRate, initialAccumulatorValue = 0.1) => new Optimizer('Adagrad', { learningRate, initialAccumulatorValue }),
  adadelta: (learningRate = 0.001, rho = 0.95, epsilon = null) => new Optimizer('Adadelta', { learningRate, rho, epsilon }),
};

// The strings compile() accepts, with TF.js's defaults for each (note adadelta's lr of 1).
const byName = {
  sgd: () => train.sgd(0.01),
  adam: () => train.adam(0.001, 0.9, 0.999, 1e-7),
  adamax: () => train.adamax(0.002, 0.9, 0.999, 1e-7, 0),
  rmsprop: () => train.rmsprop(0.001, 0.9, 0, 1e-7, false),
  adagrad: () => train.adagrad(0.01),
  adadelta: () => train.adadelta(1.0, 0.95, 1e-7),
};
const classNames = { SGD: 'sgd', Adam: 'adam', Adamax: 'adamax', RMSProp: 'rmsprop', Adagrad: 'adagrad', Adadelta: 'adadelta' };

function getOptimizer(identifier) {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') {
    const make = byName[identifier] || byName[classNames[identifier]];
    if (!make) fail(`compile: Unknown optimizer ${describe(identifier)}. Expected one of: ${Object.keys(byName).join(', ')} or a tf.train optimizer`);
    return make();
  }
  fail(`compile: optimizer must be an optimizer name or a tf.train optimizer but got ${describe(identifier)}`);
}

module.exports = { Optimizer, train, getOptimizer };
