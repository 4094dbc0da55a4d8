'use strict';
// tf.regularizers.*: L1/L2 penalties on weights.
const { fail, describe, finiteNumber } = require('./errors');

class Regularizer {
  constructor(l1, l2) {
    this.l1 = finiteNumber(l1, 'regularizer l1');
    this.l2 = finiteNumber(l2, 'regularizer l2');
  }
  getClassName() { return 'L1L2'; }
  getConfig() { return { l1: this.l1, l2: this.l2 }; }
  toNative() { return { l1: this.l1, l2: this.l2 }; }
}

const regularizers = {
  l1: ({ l1 = 0.01 } = {}) => new Regularizer(l1, 0),
  l2: ({ l2 = 0.01 } = {}) => new Regularizer(0, l2),
  l1l2: ({ l1 = 0.01, l2 = 0.01 } = {}) => new Regularizer(l1, l2),
};

function getRegularizer(identifier, what) {
  if (identifier == null) return null;
  if (identifier instanceof Regularizer) return identifier;
  if (typeof identifier === 'string' && regularizers[identifier === 'l1_l2' ? 'l1l2' : identifier]) {
    return regularizers[identifier === 'l1_l2' ? 'l1l2' : identifier]();
  }
  fail(`${what}: Unknown regularizer ${describe(identifier)}. Expected one of: l1, l2, l1l2 or a tf.regularizers object`);
}

module.exports = { Regularizer, regularizers, getRegularizer };
