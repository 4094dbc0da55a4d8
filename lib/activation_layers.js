'use strict';
// tf.layers.leakyReLU, prelu, elu, thresholdedReLU, softmax (TF.js's "advanced activations") and
// the noise layers gaussianNoise, gaussianDropout, alphaDropout. The formulas live in the core
// (crates/core/src/layers/); here are TF.js's arguments, defaults and config. Values are checked
// when the layer is made, as TF.js users expect, so that a bad layer never reaches a model.
const { coreShape, Layer } = require('./layers');
const { fail, describe, finiteNumber } = require('./errors');
const { getInitializer } = require('./initializers');
const { getRegularizer } = require('./regularizers');

/** A finite number, or `fallback` when absent (TF.js's `args.x == null ? default : args.x`). */
const numberOr = (value, fallback, what) => (value == null ? fallback : finiteNumber(value, what));

/** A rate as a number (its range is the core's check: NaN and non-numbers cannot reach it). */
function rateArg(rate, what) {
  if (typeof rate !== 'number' || Number.isNaN(rate)) fail(`${what}: rate must be a number in [0, 1) but got ${describe(rate)}`);
  return rate;
}

/**
 * Element-wise layers: the output has the input's shape. `_options()` gives the layer's own config
 * keys in TF.js's order (lib/io/topology.js writes them to files as they are).
 */
class ElementwiseLayer extends Layer {
  toNative() { return { className: this.className, name: this.name, ...this._options() }; }
  getConfig() { return { ...this._options(), ...super.getConfig() }; }
}

class LeakyReLU extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'LeakyReLU');
    this.alpha = numberOr(args.alpha, 0.3, `leakyReLU '${this.name}': alpha`);
  }
  _options() { return { alpha: this.alpha }; }
}

class ELU extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'ELU');
    this.alpha = numberOr(args.alpha, 1.0, `elu '${this.name}': alpha`);
  }
  _options() { return { alpha: this.alpha }; }
}

class ThresholdedReLU extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'ThresholdedReLU');
    this.theta = numberOr(args.theta, 1.0, `thresholdedReLU '${this.name}': theta`);
  }
  _options() { return { theta: this.theta }; }
}

class Softmax extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'Softmax');
    // TF.js's default is 1; on [batch, features] data, 1 and -1 are both the features axis.
    const axis = args.axis ?? 1;
    const axes = Array.isArray(axis) ? axis : [axis];
    if (axes.length !== 1 || (axes[0] !== 1 && axes[0] !== -1)) {
      fail(`softmax '${this.name}': axis must be 1 or -1 (the features axis of [batch, features] data) but got ${describe(axis)}`);
    }
    this.axis = axis;
  }
  _options() { return { axis: this.axis }; }
}

class GaussianNoise extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'GaussianNoise');
    if (typeof args.stddev !== 'number' || !Number.isFinite(args.stddev)) {
      fail(`gaussianNoise '${this.name}': stddev must be a finite number >= 0 but got ${describe(args.stddev)}`);
    }
    this.stddev = args.stddev;
  }
  _options() { return { stddev: this.stddev }; }
}

class GaussianDropout extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'GaussianDropout');
    this.rate = rateArg(args.rate, `gaussianDropout '${this.name}'`);
  }
  _options() { return { rate: this.rate }; }
}

class AlphaDropout extends ElementwiseLayer {
  constructor(args = {}) {
    super(args, 'AlphaDropout');
    this.rate = rateArg(args.rate, `alphaDropout '${this.name}'`);
    const shape = args.noiseShape;
    if (shape != null && !(Array.isArray(shape) && shape.length === 2 && shape.every(d => d === null || (Number.isInteger(d) && d > 0)))) {
      fail(`alphaDropout '${this.name}': noiseShape must be [batch, features], each null, 1 or the input's size, but got ${describe(shape)}`);
    }
    this.noiseShape = shape ?? null;
  }
  // TF.js's getConfig leaves noiseShape out; it is written only when set (TF.js reads it back).
  _options() { return this.noiseShape ? { rate: this.rate, noiseShape: this.noiseShape } : { rate: this.rate }; }
}

class PReLU extends Layer {
  constructor(args = {}) {
    super(args, 'PReLU');
    const what = `prelu '${this.name}'`;
    this.alphaInitializer = getInitializer(args.alphaInitializer ?? 'zeros', `${what}: alphaInitializer`);
    this.alphaRegularizer = getRegularizer(args.alphaRegularizer, `${what}: alphaRegularizer`);
    if (args.alphaConstraint != null) fail(`${what}: alphaConstraint is not supported by dense-mtl`);
    const axes = args.sharedAxes;
    if (axes == null) this.sharedAxes = null;
    else if (typeof axes === 'number') this.sharedAxes = [axes];
    else if (Array.isArray(axes) && axes.every(a => typeof a === 'number')) this.sharedAxes = axes.slice();
    else fail(`${what}: Expected sharedAxes to be a number or an array of numbers, but got ${describe(axes)}`);
  }
  computeOutputShape(shapes) {
    const shape = super.computeOutputShape(shapes);
    // TF.js sets alpha's size to 1 along each shared axis; the batch axis (0) has no alpha.
    const bad = (this.sharedAxes || []).find(a => !(Number.isInteger(a) && a >= 1 && a < shape.length));
    if (bad !== undefined) {
      fail(`prelu '${this.name}': sharedAxes must list axes of the input other than the batch axis (only 1, the features axis, for [batch, features] data) but got ${describe(bad)}`);
    }
    const width = shape[shape.length - 1];
    if (this._inputDim != null && width !== this._inputDim) {
      fail(`prelu '${this.name}': expected an input of ${this._inputDim} features (the width it was first applied to) but got ${width}`);
    }
    this._inputDim = width;
    return shape;
  }
  /** alpha: one value per feature, or one in all with `sharedAxes: [1]`. */
  countParams() { return this._inputDim == null ? 0 : this.sharedAxes && this.sharedAxes.length ? 1 : this._inputDim; }
  getConfig() {
    return { alphaInitializer: this.alphaInitializer, alphaRegularizer: this.alphaRegularizer, sharedAxes: this.sharedAxes, ...super.getConfig() };
  }
  toNative() {
    return {
      className: 'PReLU', name: this.name, alphaInitializer: this.alphaInitializer.toNative(),
      alphaRegularizer: this.alphaRegularizer && this.alphaRegularizer.toNative(), sharedAxes: this.sharedAxes, trainable: this.trainable,
    };
  }
}

// TF.js accepts a missing or null argument object for every one of them.
/** Makes a layer and has the core check its values (ranges, initializers) before anyone uses it. */
const checked = (Cls) => (args) => {
  const layer = new Cls(args ?? {});
  coreShape(layer);
  return layer;
};

const factories = {
  leakyReLU: checked(LeakyReLU),
  prelu: checked(PReLU),
  elu: checked(ELU),
  thresholdedReLU: checked(ThresholdedReLU),
  softmax: checked(Softmax),
  gaussianNoise: checked(GaussianNoise),
  gaussianDropout: checked(GaussianDropout),
  alphaDropout: (args) => {
    const layer = new AlphaDropout(args ?? {});
    // The rate now; the noiseShape against the input's width when the layer is applied.
    coreShape({ inboundNodes: [], toNative: () => ({ ...layer.toNative(), noiseShape: undefined }) });
    return layer;
  },
};

module.exports = { LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, GaussianNoise, GaussianDropout, AlphaDropout, factories };
