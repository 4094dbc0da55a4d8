'use strict';
// tf.layers.* and tf.input: layer objects and symbolic tensors. Layers only describe themselves
// here; their weights live in the native model of the model that contains them.
const { defaultLayerName, getUid } = require('./names');
const { fail, describe, positiveInteger } = require('./errors');
const { getInitializer } = require('./initializers');
const { getRegularizer } = require('./regularizers');

const ACTIVATIONS = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus',
  'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new', 'logSoftmax'];

function checkActivation(activation, what) {
  if (activation == null) return 'linear';
  if (typeof activation !== 'string' || !ACTIVATIONS.includes(activation)) {
    fail(`${what}: Unknown activation ${describe(activation)}. Expected one of: ${ACTIVATIONS.join(', ')}`);
  }
  return activation;
}

/** The output of a layer inside a model being defined (no values, only a shape). */
class SymbolicTensor {
  constructor(shape, sourceLayer, nodeIndex, name) {
    this.shape = shape;
    this.dtype = 'float32';
    this.sourceLayer = sourceLayer;
    this.nodeIndex = nodeIndex;
    this.tensorIndex = 0;
    this.name = name;
    this.id = getUid('symbolic');
  }
  get rank() { return this.shape.length; }
}

/** Accepts [features] only: dense-mtl's layers work on [batch, features] tensors. */
function featureShape(shape, what) {
  if (!Array.isArray(shape) || shape.length !== 1 || !Number.isInteger(shape[0]) || shape[0] <= 0) {
    fail(`${what} must be [features] with a positive integer (dense-mtl works on 2-D [batch, features] data) but got ${describe(shape)}`);
  }
  return shape;
}

class Layer {
  constructor(args = {}, className) {
    this.className = className;
    this.name = args.name != null ? String(args.name) : defaultLayerName(className);
    this.trainable = args.trainable !== undefined ? Boolean(args.trainable) : true;
    this.inboundNodes = [];
    this.batchInputShape = null;
    if (args.batchInputShape != null) {
      if (!Array.isArray(args.batchInputShape) || args.batchInputShape.length !== 2) {
        fail(`${this.name}: batchInputShape must be [batchSize, features] but got ${describe(args.batchInputShape)}`);
      }
      featureShape(args.batchInputShape.slice(1), `${this.name}: batchInputShape features`);
      this.batchInputShape = args.batchInputShape.slice();
    } else if (args.inputShape != null) {
      this.batchInputShape = [args.batchSize ?? null, ...featureShape(args.inputShape, `${this.name}: inputShape`)];
    } else if (args.inputDim != null) {
      this.batchInputShape = [args.batchSize ?? null, positiveInteger(args.inputDim, `${this.name}: inputDim`)];
    }
    this._model = null;
  }

  getClassName() { return this.className; }

  /** Connects the layer to symbolic inputs and returns its symbolic output. */
  apply(inputs) {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (!list.every(x => x instanceof SymbolicTensor)) {
      fail(`${this.name}.apply: dense-mtl applies layers to symbolic tensors (from tf.input or another layer) but got ${describe(inputs)}; use model.predict for values`);
    }
    const outputShape = this.computeOutputShape(list.map(x => x.shape));
    const nodeIndex = this.inboundNodes.length;
    const suffix = nodeIndex === 0 ? '' : `_${nodeIndex}`;
    const output = new SymbolicTensor(outputShape, this, nodeIndex, `${this.name}/${this.name}${suffix}`);
    this.inboundNodes.push({ inputs: list, output });
    return output;
  }

  /** Output shape for the given input shapes; checks the number of inputs. */
  computeOutputShape(shapes) {
    if (shapes.length !== 1) fail(`${this.name} takes one input but got ${shapes.length}`);
    return shapes[0].slice();
  }

  countParams() { return 0; }

  getWeights() { return this._model ? this._model._layerWeights(this) : []; }

  setWeights(weights) {
    if (!this._model) fail(`${this.name}.setWeights: the layer is not part of a built model yet`);
    this._model._setLayerWeights(this, weights);
  }

  getConfig() { return { name: this.name, trainable: this.trainable }; }

  /** The description the native core builds from. */
  toNative() { return { className: this.className, name: this.name }; }
}

class InputLayer extends Layer {
  constructor(args) {
    super({ name: args.name ?? `input${getUid('input').slice('input'.length)}` }, 'InputLayer');
    this.batchInputShape = args.batchInputShape;
  }
  toNative() { return { className: 'InputLayer', name: this.name, width: this.batchInputShape[1] }; }
}

class Dense extends Layer {
  constructor(args = {}) {
    super(args, 'Dense');
    this.units = positiveInteger(args.units, `dense: units`);
    this.activation = checkActivation(args.activation, `dense '${this.name}'`);
    this.useBias = args.useBias !== undefined ? Boolean(args.useBias) : true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotNormal', `dense '${this.name}': kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `dense '${this.name}': biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `dense '${this.name}': kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `dense '${this.name}': biasRegularizer`);
    if (args.activityRegularizer != null) fail(`dense '${this.name}': activityRegularizer is not supported (TF.js does not support it either)`);
  }
  computeOutputShape(shapes) {
    super.computeOutputShape(shapes);
    const width = shapes[0][shapes[0].length - 1];
    if (this._inputDim != null && width !== this._inputDim) {
      fail(`dense '${this.name}': expected an input of ${this._inputDim} features (the width it was first applied to) but got ${width}`);
    }
    this._inputDim = width;
    return [shapes[0][0], this.units];
  }
  countParams() { return this._inputDim == null ? 0 : this._inputDim * this.units + (this.useBias ? this.units : 0); }
  getConfig() {
    return { units: this.units, activation: this.activation, useBias: this.useBias, kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer, kernelRegularizer: this.kernelRegularizer, biasRegularizer: this.biasRegularizer, ...super.getConfig() };
  }
  toNative() {
    return {
      className: 'Dense', name: this.name, units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.toNative(), biasInitializer: this.biasInitializer.toNative(),
      kernelRegularizer: this.kernelRegularizer && this.kernelRegularizer.toNative(),
      biasRegularizer: this.biasRegularizer && this.biasRegularizer.toNative(), trainable: this.trainable,
    };
  }
}

class Dropout extends Layer {
  constructor(args = {}) {
    super(args, 'Dropout');
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) fail(`dropout: rate must be a number in [0, 1) but got ${describe(args.rate)}`);
    if (args.noiseShape != null) fail(`dropout '${this.name}': noiseShape is not supported`);
    this.rate = args.rate;
    this.seed = args.seed ?? null;
  }
  getConfig() { return { rate: this.rate, seed: this.seed, ...super.getConfig() }; }
  toNative() { return { className: 'Dropout', name: this.name, rate: this.rate, seed: this.seed }; }
}

class Activation extends Layer {
  constructor(args = {}) {
    super(args, 'Activation');
    this.activation = checkActivation(args.activation, `activation '${this.name}'`);
  }
  getConfig() { return { activation: this.activation, ...super.getConfig() }; }
  toNative() { return { className: 'Activation', name: this.name, activation: this.activation }; }
}

class Merge extends Layer {
  computeOutputShape(shapes) {
    if (shapes.length < 2) fail(`${this.name}: a merge layer needs at least 2 inputs but got ${shapes.length}`);
    const widths = shapes.map(s => s[s.length - 1]);
    if (this.className === 'Concatenate') return [null, widths.reduce((a, b) => a + b, 0)];
    if (widths.some(w => w !== widths[0])) fail(`${this.name}: all inputs must have the same shape but got ${shapes.map(s => JSON.stringify(s)).join(', ')}`);
    return [null, widths[0]];
  }
}

const merge = (className) => class extends Merge {
  constructor(args = {}) {
    super(args, className);
    if (className === 'Concatenate') {
      if (args.axis != null && args.axis !== -1 && args.axis !== 1) fail(`concatenate: axis must be -1 (features) but got ${describe(args.axis)}`);
      this.axis = args.axis ?? -1;
    }
  }
};

const Concatenate = merge('Concatenate');
const Add = merge('Add');
const Multiply = merge('Multiply');
const Average = merge('Average');

/** tf.input({shape, name}) → a symbolic tensor fed by a new InputLayer. */
function input(config = {}) {
  let batchShape;
  if (config.batchShape != null) batchShape = [config.batchShape[0] ?? null, ...featureShape(config.batchShape.slice(1), 'input: batchShape features')];
  else batchShape = [null, ...featureShape(config.shape, 'input: shape')];
  const layer = new InputLayer({ name: config.name, batchInputShape: batchShape });
  const output = new SymbolicTensor(batchShape, layer, 0, layer.name);
  layer.inboundNodes.push({ inputs: [], output });
  return output;
}

// tf.layers.concatenate(args) returns a layer; tf.layers.concatenate([a, b]) applies it at once (as TF.js).
const mergeFactory = (Cls) => (argsOrInputs) => {
  if (Array.isArray(argsOrInputs)) return new Cls({}).apply(argsOrInputs);
  return new Cls(argsOrInputs);
};

const layers = {
  dense: (args) => new Dense(args),
  dropout: (args) => new Dropout(args),
  activation: (args) => new Activation(args),
  inputLayer: (args = {}) => {
    const batchInputShape = args.batchInputShape ?? [args.batchSize ?? null, ...featureShape(args.inputShape, 'inputLayer: inputShape')];
    return new InputLayer({ name: args.name, batchInputShape });
  },
  concatenate: mergeFactory(Concatenate),
  add: mergeFactory(Add),
  multiply: mergeFactory(Multiply),
  average: mergeFactory(Average),
};

module.exports = { Layer, InputLayer, Dense, Dropout, Activation, Concatenate, Add, Multiply, Average, SymbolicTensor, input, layers, ACTIVATIONS };
// The activation and noise layers extend Layer, so they are added once this module is exported.
Object.assign(layers, require('./activation_layers').factories);
