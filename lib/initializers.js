'use strict';
// tf.initializers.*: descriptors {className, config} that the core samples from (seedable).
const { fail, describe } = require('./errors');

class Initializer {
  constructor(className, config) {
    this.className = className;
    this.config = config;
  }
  getClassName() { return this.className; }
  getConfig() { return { ...this.config }; }
  /** The form the core reads. */
  toNative() { return { className: this.className, config: this.config }; }
}

// glorot/he/leCun are VarianceScaling with fixed parameters (serialized as VarianceScaling, as in TF.js).
function varianceScaling({ scale = 1, mode = 'fanIn', distribution = 'normal', seed = null } = {}) {
  if (!(scale > 0)) fail(`varianceScaling: scale must be a positive number but got ${describe(scale)}`);
  if (!['fanIn', 'fanOut', 'fanAvg'].includes(mode)) fail(`varianceScaling: mode must be one of fanIn, fanOut, fanAvg but got ${describe(mode)}`);
  if (!['normal', 'uniform', 'truncatedNormal'].includes(distribution)) {
    fail(`varianceScaling: distribution must be one of normal, uniform, truncatedNormal but got ${describe(distribution)}`);
  }
  return new Initializer('VarianceScaling', { scale, mode, distribution, seed: seedOf(seed) });
}

// TF.js treats a seed of 0 (falsy) as "no seed".
function seedOf(seed) {
  if (seed == null || seed === 0) return null;
  if (!Number.isInteger(seed) || seed < 0) fail(`initializer: seed must be a non-negative integer but got ${describe(seed)}`);
  return seed;
}

const vs = (scale, mode, distribution) => (args = {}) => varianceScaling({ scale, mode, distribution, seed: args.seed });

const initializers = {
  zeros: () => new Initializer('Zeros', {}),
  ones: () => new Initializer('Ones', {}),
  constant: ({ value } = {}) => {
    if (typeof value !== 'number') fail(`constant: value must be a number but got ${describe(value)}`);
    return new Initializer('Constant', { value });
  },
  randomUniform: ({ minval = -0.05, maxval = 0.05, seed } = {}) => new Initializer('RandomUniform', { minval, maxval, seed: seedOf(seed) }),
  randomNormal: ({ mean = 0, stddev = 0.05, seed } = {}) => new Initializer('RandomNormal', { mean, stddev, seed: seedOf(seed) }),
  truncatedNormal: ({ mean = 0, stddev = 0.05, seed } = {}) => new Initializer('TruncatedNormal', { mean, stddev, seed: seedOf(seed) }),
  varianceScaling,
  glorotNormal: vs(1, 'fanAvg', 'normal'),
  glorotUniform: vs(1, 'fanAvg', 'uniform'),
  heNormal: vs(2, 'fanIn', 'normal'),
  heUniform: vs(2, 'fanIn', 'uniform'),
  leCunNormal: vs(1, 'fanIn', 'normal'),
  leCunUniform: vs(1, 'fanIn', 'uniform'),
};

// Keras spellings found in saved models.
const aliases = { glorot_normal: 'glorotNormal', glorot_uniform: 'glorotUniform', he_normal: 'heNormal', he_uniform: 'heUniform',
  lecun_normal: 'leCunNormal', lecun_uniform: 'leCunUniform', random_normal: 'randomNormal', random_uniform: 'randomUniform',
  truncated_normal: 'truncatedNormal', variance_scaling: 'varianceScaling' };

/** An initializer from a string id or an Initializer object. */
function getInitializer(identifier, what) {
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === 'string') {
    const key = aliases[identifier] || identifier;
    const make = initializers[key];
    if (!make || key === 'constant') {
      fail(`${what}: Unknown initializer ${describe(identifier)}. Expected one of: ${Object.keys(initializers).filter(k => k !== 'constant').join(', ')} (or tf.initializers.constant({value}))`);
    }
    return make();
  }
  fail(`${what} must be an initializer name or a tf.initializers object but got ${describe(identifier)}`);
}

module.exports = { Initializer, initializers, getInitializer };
