'use strict';
// modelTopology: our models written as TF.js's `model.toJSON()` writes them (reading them back
// is lib/io/read_topology.js, which needs the model classes: this side must not).
const { fail } = require('../errors');
const { convertTsToPythonic } = require('./pythonic');
const { internals } = require('../model_internals');

const TFJS_VERSION = '4.22.0';
const KERAS_VERSION = `tfjs-layers ${TFJS_VERSION}`;
const MERGE_CLASSES = ['Concatenate', 'Add', 'Multiply', 'Average'];

const serializeInitializer = (init) => ({ className: init.className, config: { ...init.config } });
const serializeRegularizer = (reg) => (reg ? { className: 'L1L2', config: { l1: reg.l1, l2: reg.l2 } } : null);

/** TF.js `Layer.getConfig()` base: name and trainable, then the input shape if the layer was given one. */
function baseConfig(layer) {
  const config = { name: layer.name, trainable: layer.trainable };
  if (layer.batchInputShape) {
    config.batchInputShape = layer.batchInputShape.slice();
    config.dtype = 'float32';
  }
  return config;
}

/** A layer's config in TF.js's camelCase form, with every key TF.js writes, in its order. */
function layerConfig(layer) {
  switch (layer.className) {
    case 'InputLayer':
      return { batchInputShape: layer.batchInputShape.slice(), dtype: 'float32', sparse: false, name: layer.name };
    case 'Dense':
      return {
        units: layer.units, activation: layer.activation, useBias: layer.useBias,
        kernelInitializer: serializeInitializer(layer.kernelInitializer), biasInitializer: serializeInitializer(layer.biasInitializer),
        kernelRegularizer: serializeRegularizer(layer.kernelRegularizer), biasRegularizer: serializeRegularizer(layer.biasRegularizer),
        activityRegularizer: null, kernelConstraint: null, biasConstraint: null, ...baseConfig(layer),
      };
    case 'Dropout':
      return { rate: layer.rate, noiseShape: null, seed: layer.seed ?? null, ...baseConfig(layer) };
    case 'Activation':
      return { activation: layer.activation, ...baseConfig(layer) };
    case 'Concatenate':
      return { axis: layer.axis ?? -1, ...baseConfig(layer) };
    case 'Add': case 'Multiply': case 'Average':
      return baseConfig(layer);
    case 'Embedding': {
      const base = baseConfig(layer);
      if (layer._shapeFromInputLength) delete base.dtype;
      return {
        inputDim: layer.inputDim, outputDim: layer.outputDim, embeddingsInitializer: serializeInitializer(layer.embeddingsInitializer),
        embeddingsRegularizer: serializeRegularizer(layer.embeddingsRegularizer), activityRegularizer: null, embeddingsConstraint: null,
        maskZero: layer.maskZero ?? undefined, inputLength: layer.inputLength ?? undefined, ...base,
      };
    }
    case 'Flatten':
      return { ...(layer.dataFormat ? { dataFormat: layer.dataFormat } : {}), ...baseConfig(layer) };
    case 'BatchNormalization':
      return {
        axis: layer.axis, momentum: layer.momentum, epsilon: layer.epsilon, center: layer.center, scale: layer.scale,
        betaInitializer: serializeInitializer(layer.betaInitializer), gammaInitializer: serializeInitializer(layer.gammaInitializer),
        movingMeanInitializer: serializeInitializer(layer.movingMeanInitializer),
        movingVarianceInitializer: serializeInitializer(layer.movingVarianceInitializer),
        betaRegularizer: serializeRegularizer(layer.betaRegularizer), gammaRegularizer: serializeRegularizer(layer.gammaRegularizer),
        betaConstraint: null, gammaConstraint: null, ...baseConfig(layer),
      };
    case 'LayerNormalization':
      // TF.js writes the axis as its built layer holds it: a list of non-negative axes.
      return {
        axis: [layer.axis < 0 ? layer.axis + 2 : layer.axis], epsilon: layer.epsilon, center: layer.center, scale: layer.scale,
        betaInitializer: serializeInitializer(layer.betaInitializer), gammaInitializer: serializeInitializer(layer.gammaInitializer),
        betaRegularizer: serializeRegularizer(layer.betaRegularizer), gammaRegularizer: serializeRegularizer(layer.gammaRegularizer),
        ...baseConfig(layer),
      };
    case 'PReLU':
      return {
        alphaInitializer: serializeInitializer(layer.alphaInitializer), alphaRegularizer: serializeRegularizer(layer.alphaRegularizer),
        alphaConstraint: null, sharedAxes: layer.sharedAxes, ...baseConfig(layer),
      };
    case 'LeakyReLU': case 'ELU': case 'ThresholdedReLU': case 'Softmax': case 'GaussianNoise': case 'GaussianDropout': case 'AlphaDropout':
      return { ...layer._options(), ...baseConfig(layer) };
    case 'MixtureOfExperts': case 'CustomizedGateControl': {
      const { kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, name, trainable, ...options } = layer.getConfig();
      return {
        ...options, kernelInitializer: serializeInitializer(kernelInitializer), biasInitializer: serializeInitializer(biasInitializer),
        kernelRegularizer: serializeRegularizer(kernelRegularizer), biasRegularizer: serializeRegularizer(biasRegularizer), ...baseConfig(layer),
      };
    }
    default:
      return fail(`model.save: cannot serialize layer '${layer.name}' of class ${layer.className}`);
  }
}

/** TF.js `Container.getConfig()`: layers with the inbound nodes that belong to this model. */
function functionalConfig(model) {
  const g = internals(model).structure();
  // Which nodes of each layer are in this model (a layer may also be called in other models).
  const inModel = new Map(g.layers.map(l => [l, new Set()]));
  g.nodes.forEach(({ entry }) => inModel.get(entry.layer).add(entry.nodeIndex));
  // Node indices are renumbered over the nodes kept, as TF.js's node conversion map does.
  const newIndex = (layer, nodeIndex) => [...(inModel.get(layer) || [])].sort((a, b) => a - b).indexOf(nodeIndex);
  const ref = (t) => [t.sourceLayer.name, Math.max(0, newIndex(t.sourceLayer, t.nodeIndex)), t.tensorIndex];
  const layers = g.layers.map(layer => ({
    name: layer.name,
    className: layer.className,
    config: layerConfig(layer),
    inboundNodes: layer.inboundNodes
      .filter((node, i) => inModel.get(layer).has(i) && node.inputs.length > 0)
      .map(node => node.inputs.map(t => [...ref(t), {}])),
  }));
  return { name: model.name, layers, inputLayers: model.inputs.map(ref), outputLayers: model.outputs.map(ref) };
}

function sequentialConfig(model) {
  return { name: model.name, layers: model.layers.map(layer => ({ className: layer.className, config: layerConfig(layer) })) };
}

/** `model.toJSON(null, false)`: the python-style topology TF.js writes into model.json. */
function modelTopology(model) {
  const sequential = model.getClassName() === 'Sequential';
  return convertTsToPythonic({
    className: model.getClassName(),
    config: sequential ? sequentialConfig(model) : functionalConfig(model),
    kerasVersion: KERAS_VERSION,
    backend: 'TensorFlow.js',
  });
}

module.exports = { modelTopology, TFJS_VERSION, MERGE_CLASSES };
