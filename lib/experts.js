'use strict';
// tf.layers.mixtureOfExperts (MMoE) and tf.layers.customizedGateControl (CGC, the layer of PLE):
// layers with one output per task. Applied to a symbolic tensor they return a list of symbolic
// tensors (tensorIndex 0, 1, ...), as a Keras layer with several outputs does; the core computes
// them in one node and picks each one's columns (crates/core/src/layers/gated_experts.rs).
// TF.js itself has no such layers: files with them load here, not in TF.js.
const { Layer, SymbolicTensor, ACTIVATIONS } = require('./layers');
const { fail, describe, positiveInteger } = require('./errors');
const { getInitializer } = require('./initializers');
const { getRegularizer } = require('./regularizers');

class GatedExperts extends Layer {
  constructor(args, className, what) {
    super(args, className);
    this._what = `${what} '${this.name}'`;
    this.expertUnits = positiveInteger(args.expertUnits, `${this._what}: expertUnits`);
    this.numTasks = positiveInteger(args.numTasks, `${this._what}: numTasks`);
    const activation = args.expertActivation ?? 'relu';
    if (typeof activation !== 'string' || !ACTIVATIONS.includes(activation)) {
      fail(`${this._what}: Unknown expertActivation ${describe(activation)}. Expected one of: ${ACTIVATIONS.join(', ')}`);
    }
    this.expertActivation = activation;
    this.useBias = args.useBias !== undefined ? Boolean(args.useBias) : true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotNormal', `${this._what}: kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `${this._what}: biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this._what}: kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this._what}: biasRegularizer`);
  }

  /** Number of tensors `apply` returns. */
  get outputCount() { return this.numTasks; }

  /** Input counts the layer accepts. */
  _inputCounts() { return [1]; }

  computeOutputShape(shapes) {
    const counts = this._inputCounts();
    if (!counts.includes(shapes.length)) {
      fail(`${this._what} takes ${counts.join(' or ')} input(s)${counts.length > 1 ? ' (one per task, then the shared one)' : ''} but got ${shapes.length}`);
    }
    const widths = shapes.map(s => s[s.length - 1]);
    const expected = this._inputDim ?? widths[0];
    const bad = widths.find(w => w !== expected);
    if (bad !== undefined) {
      fail(`${this._what}: expected inputs of ${expected} features${this._inputDim != null ? ' (the width it was first applied to)' : ''} but got ${bad}`);
    }
    this._inputDim = expected;
    return Array.from({ length: this.outputCount }, () => [shapes[0][0], this.expertUnits]);
  }

  /** Returns one symbolic tensor per output (a list even for one output). */
  apply(inputs) {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (!list.every(x => x instanceof SymbolicTensor)) {
      fail(`${this.name}.apply: dense-mtl applies layers to symbolic tensors (from tf.input or another layer) but got ${describe(inputs)}; use model.predict for values`);
    }
    const shapes = this.computeOutputShape(list.map(x => x.shape));
    const nodeIndex = this.inboundNodes.length;
    const suffix = nodeIndex === 0 ? '' : `_${nodeIndex}`;
    const outputs = shapes.map((shape, k) => {
      const t = new SymbolicTensor(shape, this, nodeIndex, `${this.name}/${this.name}${suffix}:${k}`);
      t.tensorIndex = k;
      return t;
    });
    this.inboundNodes.push({ inputs: list, output: outputs });
    return outputs;
  }

  _weightCount(columns) {
    return this._inputDim * columns + (this.useBias ? columns : 0);
  }

  getConfig() {
    return {
      ...this._counts(), expertUnits: this.expertUnits, expertActivation: this.expertActivation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer, kernelRegularizer: this.kernelRegularizer,
      biasRegularizer: this.biasRegularizer, ...super.getConfig(),
    };
  }

  toNative() {
    return {
      className: this.className, name: this.name, ...this._counts(), expertUnits: this.expertUnits, expertActivation: this.expertActivation,
      useBias: this.useBias, kernelInitializer: this.kernelInitializer.toNative(), biasInitializer: this.biasInitializer.toNative(),
      kernelRegularizer: this.kernelRegularizer && this.kernelRegularizer.toNative(),
      biasRegularizer: this.biasRegularizer && this.biasRegularizer.toNative(), trainable: this.trainable,
    };
  }
}

/** Multi-gate Mixture-of-Experts (Ma et al., KDD 2018); `numTasks: 1` is the one-gate MoE. */
class MixtureOfExperts extends GatedExperts {
  constructor(args = {}) {
    super(args, 'MixtureOfExperts', 'mixtureOfExperts');
    this.numExperts = positiveInteger(args.numExperts, `${this._what}: numExperts`);
  }
  _counts() { return { numExperts: this.numExperts, numTasks: this.numTasks }; }
  countParams() {
    if (this._inputDim == null) return 0;
    return this._weightCount(this.numExperts * this.expertUnits) + this.numTasks * this._weightCount(this.numExperts);
  }
}

/**
 * Customized Gate Control (Tang et al., RecSys 2020): shared and per-task experts; stacked with
 * `outputShared` (and the next layer applied to `[...tasks, shared]`) it is PLE.
 */
class CustomizedGateControl extends GatedExperts {
  constructor(args = {}) {
    super(args, 'CustomizedGateControl', 'customizedGateControl');
    this.sharedExperts = positiveInteger(args.sharedExperts, `${this._what}: sharedExperts`);
    this.taskExperts = positiveInteger(args.taskExperts, `${this._what}: taskExperts`);
    this.outputShared = args.outputShared !== undefined ? Boolean(args.outputShared) : false;
  }
  get outputCount() { return this.numTasks + (this.outputShared ? 1 : 0); }
  _inputCounts() { return [1, this.numTasks + 1]; }
  _counts() {
    return { numTasks: this.numTasks, sharedExperts: this.sharedExperts, taskExperts: this.taskExperts, outputShared: this.outputShared };
  }
  countParams() {
    if (this._inputDim == null) return 0;
    const [S, P, T, u] = [this.sharedExperts, this.taskExperts, this.numTasks, this.expertUnits];
    return this._weightCount(S * u) + T * this._weightCount(P * u) + T * this._weightCount(P + S) + (this.outputShared ? this._weightCount(S + T * P) : 0);
  }
}

const expertLayers = {
  mixtureOfExperts: (args) => new MixtureOfExperts(args),
  customizedGateControl: (args) => new CustomizedGateControl(args),
};

module.exports = { GatedExperts, MixtureOfExperts, CustomizedGateControl, expertLayers };
