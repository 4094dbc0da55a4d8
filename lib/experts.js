'use strict';
// tf.layers.mixtureOfExperts (MMoE) and tf.layers.customizedGateControl (CGC, the layer of PLE):
// layers with one output per task. Applied to a symbolic tensor they return a list of symbolic
// tensors (tensorIndex 0, 1, ...), as a Keras layer with several outputs does; the core computes
// them in one node and picks each one's columns (crates/core/src/layers/gated_experts.rs).
// TF.js itself has no such layers: files with them load here, not in TF.js.
const { coreShape, Layer, SymbolicTensor } = require('./layers');
const { fail, describe, positiveInteger } = require('./errors');
const { getInitializer } = require('./initializers');
const { getRegularizer } = require('./regularizers');

class GatedExperts extends Layer {
  constructor(args, className, what) {
    super(args, className);
    this._what = `${what} '${this.name}'`;
    this.expertUnits = positiveInteger(args.expertUnits, `${this._what}: expertUnits`);
    this.numTasks = positiveInteger(args.numTasks, `${this._what}: numTasks`);
    this.expertActivation = args.expertActivation ?? 'relu';
    this.useBias = args.useBias !== undefined ? Boolean(args.useBias) : true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotNormal', `${this._what}: kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `${this._what}: biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this._what}: kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this._what}: biasRegularizer`);
  }

  get returnsList() { return true; }

  /** Number of tensors `apply` returns. */
  get outputCount() { return this.numTasks; }

  /** One `[batch, expertUnits]` shape per output; the core checks the inputs' count and widths. */
  computeOutputShape(shapes) {
    const { params } = coreShape(this, shapes);
    if (!this.inboundNodes.length) this._paramCount = params;
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
    coreShape(this); // the core checks the rest of the config (expertActivation, initializers)
  }
  _counts() { return { numExperts: this.numExperts, numTasks: this.numTasks }; }
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
    coreShape(this); // the core checks the rest of the config (expertActivation, initializers)
  }
  get outputCount() { return this.numTasks + (this.outputShared ? 1 : 0); }
  _counts() {
    return { numTasks: this.numTasks, sharedExperts: this.sharedExperts, taskExperts: this.taskExperts, outputShared: this.outputShared };
  }
}

const expertLayers = {
  mixtureOfExperts: (args) => new MixtureOfExperts(args),
  customizedGateControl: (args) => new CustomizedGateControl(args),
};

module.exports = { GatedExperts, MixtureOfExperts, CustomizedGateControl, expertLayers };
