'use strict';
// tf.layers.* and tf.input: layer objects and symbolic tensors. Layers only describe themselves
// here; their weights live in the native model of the model that contains them.
const { defaultLayerName, getUid } = require('./names');
const { fail, describe, positiveInteger, finiteNumber } = require('./errors');
const { getInitializer } = require('./initializers');
const { getRegularizer } = require('./regularizers');
const native = require('./native');
const { internals, ownerOf } = require('./model_internals');

/**
 * The core's view of a layer: it checks the config (units, activation, rate, initializers,
 * sizes) and, given input shapes, the inputs (count, widths), and says the output width and
 * the number of weights. The weights are built for the width of the layer's first input.
 */
function coreShape(layer, shapes) {
  const first = layer.inboundNodes.length ? layer.inboundNodes[0].inputs.map(t => t.shape) : shapes;
  const built = first && first.length ? first[0][first[0].length - 1] : 1;
  return native.layerShape(layer.toNative(), built, shapes && shapes.map(s => s.slice(1)));
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
  }

  getClassName() { return this.className; }

  /** Whether `apply` returns a list of tensors (the multi-task layers, one output per task). */
  get returnsList() { return false; }

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

  /** Output shape for the given input shapes (the core checks the inputs). */
  computeOutputShape(shapes) {
    const { outputShape, params } = coreShape(this, shapes);
    if (!this.inboundNodes.length) this._paramCount = params;
    return [shapes[0][0], ...outputShape];
  }

  countParams() { return this._paramCount ?? 0; }

  getWeights() {
    const owner = ownerOf(this);
    return owner ? internals(owner).layerWeights(this) : [];
  }

  setWeights(weights) {
    const owner = ownerOf(this);
    if (!owner) fail(`${this.name}.setWeights: the layer is not part of a built model yet`);
    internals(owner).setLayerWeights(this, weights);
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
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias !== undefined ? Boolean(args.useBias) : true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotNormal', `dense '${this.name}': kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros', `dense '${this.name}': biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `dense '${this.name}': kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `dense '${this.name}': biasRegularizer`);
    if (args.activityRegularizer != null) fail(`dense '${this.name}': activityRegularizer is not supported (TF.js does not support it either)`);
    coreShape(this);
  }
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
    // A NaN would not reach the core (JSON has none); the core checks the range.
    finiteNumber(args.rate, `dropout '${this.name}': rate`);
    if (args.noiseShape != null) fail(`dropout '${this.name}': noiseShape is not supported`);
    this.rate = args.rate;
    this.seed = args.seed ?? null;
    coreShape(this);
  }
  getConfig() { return { rate: this.rate, seed: this.seed, ...super.getConfig() }; }
  toNative() { return { className: 'Dropout', name: this.name, rate: this.rate, seed: this.seed }; }
}

class Activation extends Layer {
  constructor(args = {}) {
    super(args, 'Activation');
    this.activation = args.activation ?? 'linear';
    coreShape(this);
  }
  getConfig() { return { activation: this.activation, ...super.getConfig() }; }
  toNative() { return { className: 'Activation', name: this.name, activation: this.activation }; }
}

class Merge extends Layer {
  computeOutputShape(shapes) {
    // TF.js's wording for the shapes of symbolic inputs; the core checks the count and widths.
    const listed = shapes.map(s => JSON.stringify(s)).join(', ');
    const leading = (s) => JSON.stringify(s.slice(1, -1));
    if (this.className === 'Concatenate' && shapes.some(s => leading(s) !== leading(shapes[0]))) {
      fail(`${this.name}: A \`Concatenate\` layer requires inputs with matching shapes except for the concat axis. Got input shapes: ${listed}`);
    }
    return [null, ...coreShape(this, shapes).outputShape];
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

/** Ids per row: a positive integer, or TF.js's one-element list form. */
function inputLengthOf(value, what) {
  if (value == null) return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1) fail(`${what}: inputLength must be a positive integer (dense-mtl embeds [batch, ids] inputs) but got ${describe(value)}`);
  return positiveInteger(list[0], `${what}: inputLength`);
}

class Embedding extends Layer {
  constructor(args = {}) {
    // inputDim is the vocabulary here, not the features of the base layer's input shape.
    super({ ...args, inputDim: undefined }, 'Embedding');
    const what = `embedding '${this.name}'`;
    this.inputDim = positiveInteger(args.inputDim, `${what}: inputDim`);
    this.outputDim = positiveInteger(args.outputDim, `${what}: outputDim`);
    this.inputLength = args.inputLength ?? null;
    const length = inputLengthOf(this.inputLength, what);
    // As TF.js: inputLength alone gives the layer an input shape (but, unlike inputShape, no dtype in its config).
    this._shapeFromInputLength = this.batchInputShape == null && length != null;
    if (this._shapeFromInputLength) this.batchInputShape = [args.batchSize ?? null, length];
    this.embeddingsInitializer = getInitializer(args.embeddingsInitializer ?? 'randomUniform', `${what}: embeddingsInitializer`);
    this.embeddingsRegularizer = getRegularizer(args.embeddingsRegularizer, `${what}: embeddingsRegularizer`);
    if (args.maskZero) fail(`${what}: maskZero must be false (dense-mtl has no masking; use an id of its own for padding) but got ${describe(args.maskZero)}`);
    this.maskZero = args.maskZero ?? null;
    if (args.activityRegularizer != null) fail(`${what}: activityRegularizer is not supported`);
    if (args.embeddingsConstraint != null) fail(`${what}: embeddingsConstraint is not supported`);
  }
  /** `[batch, L]` ids → `[batch, L, outputDim]`. */
  computeOutputShape(shapes) {
    // TF.js's wording first; the core checks the same and says the output shape.
    const shape = shapes[0];
    const length = inputLengthOf(this.inputLength, `embedding '${this.name}'`);
    if (shape.length !== 2) fail(`embedding '${this.name}': expected ids of shape [null, inputLength] but got ${JSON.stringify(shape)}`);
    if (length != null && shape[1] !== length) fail(`embedding '${this.name}': "inputLength" is ${length}, but received input shape has shape ${JSON.stringify(shape)}`);
    return super.computeOutputShape(shapes);
  }
  getConfig() {
    return { inputDim: this.inputDim, outputDim: this.outputDim, embeddingsInitializer: this.embeddingsInitializer,
      embeddingsRegularizer: this.embeddingsRegularizer, maskZero: this.maskZero, inputLength: this.inputLength, ...super.getConfig() };
  }
  toNative() {
    return {
      className: 'Embedding', name: this.name, inputDim: this.inputDim, outputDim: this.outputDim,
      inputLength: inputLengthOf(this.inputLength, this.name), embeddingsInitializer: this.embeddingsInitializer.toNative(),
      embeddingsRegularizer: this.embeddingsRegularizer && this.embeddingsRegularizer.toNative(), maskZero: Boolean(this.maskZero), trainable: this.trainable,
    };
  }
}

/**
 * What batchNormalization and layerNormalization share: TF.js's defaults; the subclasses have the
 * core check their values when the layer is made (as Dense and Dropout do).
 */
class Normalization extends Layer {
  constructor(args, className, what) {
    super(args, className);
    const label = `${what} '${this.name}'`;
    // TF.js takes a number, and layerNormalization also a list (its saved configs hold [1]).
    // JS checks only what JSON cannot carry to the core (a list of axes, NaN); the core checks the values.
    const axis = Array.isArray(args.axis) && args.axis.length === 1 ? args.axis[0] : (args.axis ?? -1);
    if (typeof axis !== 'number') {
      fail(`${label}: axis must be -1 (the feature axis; dense-mtl works on [batch, features] data) but got ${describe(args.axis)}`);
    }
    this.axis = axis;
    this.epsilon = finiteNumber(args.epsilon ?? 1e-3, `${label}: epsilon`);
    for (const key of ['center', 'scale']) {
      if (args[key] != null && typeof args[key] !== 'boolean') fail(`${label}: ${key} must be true or false but got ${describe(args[key])}`);
      this[key] = args[key] ?? true;
    }
    this.betaInitializer = getInitializer(args.betaInitializer ?? 'zeros', `${label}: betaInitializer`);
    this.gammaInitializer = getInitializer(args.gammaInitializer ?? 'ones', `${label}: gammaInitializer`);
    this.betaRegularizer = getRegularizer(args.betaRegularizer, `${label}: betaRegularizer`);
    this.gammaRegularizer = getRegularizer(args.gammaRegularizer, `${label}: gammaRegularizer`);
    for (const key of ['betaConstraint', 'gammaConstraint']) {
      if (args[key] != null) fail(`${label}: ${key} is not supported (dense-mtl has no weight constraints)`);
    }
  }
  toNative() {
    const reg = (r) => r && r.toNative();
    return {
      className: this.className, name: this.name, axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer.toNative(), gammaInitializer: this.gammaInitializer.toNative(),
      betaRegularizer: reg(this.betaRegularizer), gammaRegularizer: reg(this.gammaRegularizer), trainable: this.trainable,
    };
  }
}

class Flatten extends Layer {
  constructor(args = {}) {
    super(args, 'Flatten');
    if (args.dataFormat != null && args.dataFormat !== 'channelsLast') fail(`flatten '${this.name}': dataFormat must be 'channelsLast' (dense-mtl's only layout) but got ${describe(args.dataFormat)}`);
    this.dataFormat = args.dataFormat ?? null;
  }
  /** `[batch, a, b, ...]` → `[batch, a·b·...]`; TF.js requires rank 3 or more. */
  computeOutputShape(shapes) {
    // TF.js's wording; the core checks the same and says the output shape.
    if (shapes[0].length < 3) fail(`Input 0 is incompatible with layer ${this.name}: expected min_ndim=3, found ndim=${shapes[0].length}.`);
    return super.computeOutputShape(shapes);
  }
  getConfig() { return { ...(this.dataFormat ? { dataFormat: this.dataFormat } : {}), ...super.getConfig() }; }
}

/** tf.layers.batchNormalization: batch statistics in training, moving statistics otherwise. */
class BatchNormalization extends Normalization {
  constructor(args = {}) {
    super(args, 'BatchNormalization', 'batchNormalization');
    const label = `batchNormalization '${this.name}'`;
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || Number.isNaN(this.momentum)) {
      fail(`${label}: momentum must be a number in [0, 1] but got ${describe(args.momentum)}`);
    }
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer ?? 'zeros', `${label}: movingMeanInitializer`);
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer ?? 'ones', `${label}: movingVarianceInitializer`);
    coreShape(this); // the core checks axis, epsilon, momentum and the initializers
  }
  getConfig() {
    return { axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer, movingMeanInitializer: this.movingMeanInitializer,
      movingVarianceInitializer: this.movingVarianceInitializer, betaRegularizer: this.betaRegularizer, gammaRegularizer: this.gammaRegularizer,
      ...super.getConfig() };
  }
  toNative() {
    return { ...super.toNative(), momentum: this.momentum, movingMeanInitializer: this.movingMeanInitializer.toNative(),
      movingVarianceInitializer: this.movingVarianceInitializer.toNative() };
  }
}

/** tf.layers.layerNormalization: each row normalized over its features. */
class LayerNormalization extends Normalization {
  constructor(args = {}) {
    super(args, 'LayerNormalization', 'layerNormalization');
    coreShape(this); // the core checks axis, epsilon and the initializers
  }
  getConfig() {
    return { axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale, betaInitializer: this.betaInitializer,
      gammaInitializer: this.gammaInitializer, betaRegularizer: this.betaRegularizer, gammaRegularizer: this.gammaRegularizer, ...super.getConfig() };
  }
}

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
  embedding: (args) => new Embedding(args),
  flatten: (args) => new Flatten(args),
  batchNormalization: (args) => new BatchNormalization(args),
  layerNormalization: (args) => new LayerNormalization(args),
};

module.exports = { coreShape, Layer, InputLayer, Dense, Dropout, Activation, Concatenate, Add, Multiply, Average, SymbolicTensor, input, layers, BatchNormalization, LayerNormalization,
  Embedding, Flatten };
