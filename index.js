'use strict';
// dense-mtl: the TensorFlow.js Layers API (dense subset) on a native Rust core.
// This file assembles the `tf` namespace; each part lives in lib/.
const tensors = require('./lib/tensor');
const { layers: coreLayers, input, Layer, SymbolicTensor } = require('./lib/layers');
const { expertLayers } = require('./lib/experts');
const { LayersModel, Sequential } = require('./lib/model');
const { initializers, Initializer } = require('./lib/initializers');
const { regularizers, Regularizer } = require('./lib/regularizers');
const { train, Optimizer, LearningRateSchedule } = require('./lib/optimizers');
const { metrics, losses } = require('./lib/functions');
const { callbacks: callbackFactories, CustomCallback, BaseCallback, History, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler,
  CSVLogger, TerminateOnNaN } = require('./lib/callbacks');
const { tensorBoard, TensorBoardCallback } = require('./lib/tensorboard');
const { io, loadLayersModel } = require('./lib/io');
// Ops for data preparation; requiring them also adds the chainable Tensor methods (t.add(u), ...).
const { add, sub, mul, div, pow, equal, notEqual, greater, greaterEqual, less, lessEqual, neg, abs, square, sqrt, log, exp,
  where, clipByValue, sum, mean, min, max, argMin, moments, slice, concat, stack, split, gather, transpose, fill, zerosLike,
  onesLike, linspace, range, randomUniform, randomNormal } = require('./lib/ops');
const { matMul, sigmoid, tanh, relu, softmax, logSoftmax, round, floor, ceil, sign, maximum, minimum, mod, logicalAnd,
  logicalOr, logicalXor, logicalNot, norm, topk, unique, tile, pad, cumsum } = require('./lib/ops');
const { util } = require('./lib/util');
const { test_util } = require('./lib/test_util');  
const { data } = require('./lib/dataset');
const { version: packageVersion } = require('./package.json');

const { Tensor, tensor, tensor1d, tensor2d, tensor3d, tensor4d, scalar, zeros, ones, oneHot, argMax, reshape, cast, clone,
  squeeze, expandDims, tidy, keep, dispose, memory, isTensor } = tensors;

// tf.layers: TF.js's layers, then dense-mtl's own (MMoE and CGC, which TF.js cannot load).
const layers = { ...coreLayers, ...expertLayers };

const sequential = (config) => new Sequential(config);
const model = (config) => new LayersModel(config);

// Backends: there is one (the native core); these exist so that TF.js programs run unchanged.
const BACKEND = 'dense-mtl';
const ready = async () => {};
const getBackend = () => BACKEND;
const setBackend = async () => true;
const nextFrame = () => new Promise(resolve => setImmediate(resolve));
const enableProdMode = () => {};
const version = { tfjs: '4.22.0', 'tfjs-core': '4.22.0', 'tfjs-layers': '4.22.0', 'dense-mtl': packageVersion };
// tf.callbacks.report (lib/report.js) joins the Keras callbacks; loaded on first use, since it
// brings in Vega.
const callbacks = { ...callbackFactories, report: (file, options) => require('./lib/report').report(file, options) };
// tfjs-node's tf.node namespace: the TensorBoard callback.
const node = { tensorBoard, TensorBoardCallback };

module.exports = {
  // tensors
  Tensor, tensor, tensor1d, tensor2d, tensor3d, tensor4d, scalar, zeros, ones, oneHot, argMax, reshape, cast, clone,
  squeeze, expandDims, tidy, keep, dispose, memory, isTensor,
  // models and layers
  sequential, model, input, layers, Sequential, LayersModel, Layer, SymbolicTensor,
  initializers, Initializer, regularizers, Regularizer, train, Optimizer, LearningRateSchedule,
  metrics, losses, callbacks, CustomCallback, BaseCallback, History, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,
  LearningRateScheduler, CSVLogger, TerminateOnNaN, node,
  // model files
  io, loadLayersModel,
  // data preparation: ops, tf.util and tf.data (listed by name so that ESM named imports see them)
  add, sub, mul, div, pow, equal, notEqual, greater, greaterEqual, less, lessEqual, neg, abs, square, sqrt, log, exp,
  where, clipByValue, sum, mean, min, max, argMin, moments, slice, concat, stack, split, gather, transpose, fill, zerosLike,
  onesLike, linspace, range, randomUniform, randomNormal, util, data,
  matMul, sigmoid, tanh, relu, softmax, logSoftmax, round, floor, ceil, sign, maximum, minimum, mod, logicalAnd, logicalOr,
  logicalXor, logicalNot, norm, topk, unique, tile, pad, cumsum, test_util,
  // environment
  ready, getBackend, setBackend, nextFrame, enableProdMode, version,
};
