'use strict';
// tf.metrics.* and tf.losses.* as functions on tensors. The per-sample math runs in the core
// (the same code that training uses); compile() recognizes these functions by name.
const native = require('./native');
const { Tensor, isTensor, makeTensor, scalar, typedArrayKind } = require('./tensor');
const { fail, describe } = require('./errors');

function asMatrix(t, what) {
  if (!isTensor(t)) t = makeTensor(t, undefined, 'float32', what, 'values');
  const shape = t.rank === 1 ? [t.shape[0], 1] : t.shape;
  if (shape.length !== 2) fail(`${what} must be a 1-D or 2-D tensor but got shape [${t.shape}]`);
  const values = t.dataRef();
  return { data: typedArrayKind(values) === 'Float32Array' ? values : Float32Array.from(values), shape, rank: t.rank };
}

const named = (fn, name) => Object.defineProperty(fn, '_denseMtlName', { value: name });

function perSample(kind, name) {
  return named((yTrue, yPred) => {
    const p = asMatrix(yPred, `${name}: yPred`);
    const t = asMatrix(yTrue, `${name}: yTrue`);
    const out = kind === 'loss'
      ? native.lossPerSample(name, t.data, p.data, p.shape[1])
      : native.metricValues(name, t.data, p.data, p.shape[1]);
    if (name === 'precision' || name === 'recall') return scalar(out[0]);
    return p.rank === 1 ? scalar(out[0]) : Tensor.fromTypedArray(out, [p.shape[0]], 'float32');
  }, name);
}

/** The per-sample loss functions of tfjs-layers, keyed by TF.js name (the core's losses). */
const layerLosses = Object.fromEntries(native.lossNames().map(n => [n, perSample('loss', n)]));

function r2Score(yTrue, yPred) {
  return scalar(native.r2Score(asMatrix(yTrue, 'r2Score: yTrue').data, asMatrix(yPred, 'r2Score: yPred').data));
}

const mse = layerLosses.meanSquaredError;
const mae = layerLosses.meanAbsoluteError;
const mape = layerLosses.meanAbsolutePercentageError;
const metrics = {
  binaryAccuracy: perSample('metric', 'binaryAccuracy'),
  categoricalAccuracy: perSample('metric', 'categoricalAccuracy'),
  sparseCategoricalAccuracy: perSample('metric', 'sparseCategoricalAccuracy'),
  precision: perSample('metric', 'precision'),
  recall: perSample('metric', 'recall'),
  binaryCrossentropy: layerLosses.binaryCrossentropy,
  categoricalCrossentropy: layerLosses.categoricalCrossentropy,
  sparseCategoricalCrossentropy: layerLosses.sparseCategoricalCrossentropy,
  cosineProximity: layerLosses.cosineProximity,
  meanSquaredError: mse, mse, MSE: mse,
  meanAbsoluteError: mae, mae, MAE: mae,
  meanAbsolutePercentageError: mape, mape, MAPE: mape,
  r2Score,
};

// tf.losses: the tfjs-core losses, which reduce to a scalar (mean over all elements by default).
const Reduction = { NONE: 0, MEAN: 1, SUM: 2, SUM_BY_NONZERO_WEIGHTS: 3 };

/** A tf.losses function: the core's loss per element (with `parameter`), then computeWeightedLoss. */
function elementwiseLoss(name, labels, predictions, weights, parameter, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) {
  const t = asMatrix(labels, `${name}: labels`);
  const p = asMatrix(predictions, `${name}: predictions`);
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    fail(`${name}: labels and predictions must have the same shape but got [${t.shape}] and [${p.shape}]`);
  }
  const values = native.elementLosses(name, parameter ?? null, t.data, p.data);
  return computeWeightedLoss(Tensor.fromTypedArray(values, isTensor(predictions) ? predictions.shape.slice() : p.shape, 'float32'), weights, reduction);
}

function computeWeightedLoss(losses, weights, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) {
  let w = null;
  if (isTensor(weights)) w = Float32Array.from(weights.dataSync());
  else if (typeof weights === 'number') w = Float32Array.of(weights);
  else if (weights != null) fail(`computeWeightedLoss: weights must be a Tensor or a number but got ${describe(weights)}`);
  const out = native.weightedLoss(Float32Array.from(losses.dataSync()), w, reduction);
  return reduction === Reduction.NONE ? Tensor.fromTypedArray(out, losses.shape.slice(), 'float32') : scalar(out[0]);
}

const losses = {
  meanSquaredError: named((labels, predictions, weights, reduction) => elementwiseLoss('meanSquaredError', labels, predictions, weights, null, reduction), 'meanSquaredError'),
  absoluteDifference: named((labels, predictions, weights, reduction) => elementwiseLoss('absoluteDifference', labels, predictions, weights, null, reduction), 'meanAbsoluteError'),
  hingeLoss: (labels, predictions, weights, reduction) => elementwiseLoss('hingeLoss', labels, predictions, weights, null, reduction),
  logLoss: (labels, predictions, weights, epsilon, reduction) => elementwiseLoss('logLoss', labels, predictions, weights, epsilon, reduction),
  huberLoss: (labels, predictions, weights, delta, reduction) => elementwiseLoss('huberLoss', labels, predictions, weights, delta, reduction),
  // TF.js's argument order: (labels, logits, weights, labelSmoothing, reduction).
  sigmoidCrossEntropy: (labels, logits, weights, labelSmoothing, reduction) => elementwiseLoss('sigmoidCrossEntropy', labels, logits, weights, labelSmoothing, reduction),
  computeWeightedLoss,
  Reduction,
};

/** The TF.js name of a loss given to compile (a string, or one of our loss/metric functions). */
function lossName(loss, what) {
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function' && loss._denseMtlName) return loss._denseMtlName;
  fail(`${what} must be a loss name (e.g. 'meanSquaredError') or a tf.metrics/tf.losses function; custom JavaScript loss functions are not supported, got ${describe(loss)}`);
}

function metricName(metric, what) {
  if (typeof metric === 'string') return metric;
  if (typeof metric === 'function' && metric._denseMtlName) return metric._denseMtlName;
  fail(`${what} must be a metric name (e.g. 'accuracy') or a tf.metrics function; custom JavaScript metrics are not supported, got ${describe(metric)}`);
}

module.exports = { metrics, losses, layerLosses, lossName, metricName, Reduction };
