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

const LOSS_NAMES = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError',
  'squaredHinge', 'hinge', 'categoricalHinge', 'logcosh', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
  'binaryCrossentropy', 'kullbackLeiblerDivergence', 'poisson', 'cosineProximity'];

/** The per-sample loss functions of tfjs-layers, keyed by TF.js name. */
const layerLosses = Object.fromEntries(LOSS_NAMES.map(n => [n, perSample('loss', n)]));

function r2Score(yTrue, yPred) {
  const t = asMatrix(yTrue, 'r2Score: yTrue').data;
  const p = asMatrix(yPred, 'r2Score: yPred').data;
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  let residual = 0;
  let total = 0;
  t.forEach((v, i) => { residual += (v - p[i]) ** 2; total += (v - mean) ** 2; });
  return scalar(1 - residual / total);
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

function elementwiseLoss(name, f) {
  return named((labels, predictions, weights, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) => {
    const t = asMatrix(labels, `${name}: labels`);
    const p = asMatrix(predictions, `${name}: predictions`);
    if (t.data.length !== p.data.length) fail(`${name}: labels and predictions must have the same shape but got [${t.shape}] and [${p.shape}]`);
    const losses = new Float32Array(p.data.length);
    p.data.forEach((pv, i) => { losses[i] = f(t.data[i], pv); });
    return computeWeightedLoss(Tensor.fromTypedArray(losses, isTensor(predictions) ? predictions.shape.slice() : p.shape, 'float32'), weights, reduction);
  }, name === 'meanSquaredError' ? 'meanSquaredError' : name === 'absoluteDifference' ? 'meanAbsoluteError' : undefined);
}

function computeWeightedLoss(losses, weights, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) {
  const values = losses.dataSync();
  let w = null;
  if (weights != null) {
    w = isTensor(weights) ? weights.dataSync() : typeof weights === 'number' ? null : fail(`computeWeightedLoss: weights must be a Tensor or a number but got ${describe(weights)}`);
    if (typeof weights === 'number') w = new Float32Array(values.length).fill(weights);
    if (w.length === 1) w = new Float32Array(values.length).fill(w[0]);
    if (w.length !== values.length) fail(`computeWeightedLoss: weights has ${w.length} values but losses has ${values.length}`);
  }
  const weighted = Float32Array.from(values, (v, i) => (w ? v * w[i] : v));
  if (reduction === Reduction.NONE) return Tensor.fromTypedArray(weighted, losses.shape.slice(), 'float32');
  const sum = weighted.reduce((a, b) => a + b, 0);
  if (reduction === Reduction.SUM) return scalar(sum);
  if (reduction === Reduction.MEAN) return scalar(w ? sum / w.reduce((a, b) => a + b, 0) : sum / weighted.length);
  const nonzero = w ? w.filter(x => x !== 0).length : weighted.length;
  return scalar(nonzero ? sum / nonzero : 0);
}

const EPS = 1e-7;
const losses = {
  meanSquaredError: elementwiseLoss('meanSquaredError', (t, p) => (p - t) ** 2),
  absoluteDifference: elementwiseLoss('absoluteDifference', (t, p) => Math.abs(p - t)),
  hingeLoss: elementwiseLoss('hingeLoss', (t, p) => Math.max(0, 1 - (2 * t - 1) * p)),
  logLoss: (labels, predictions, weights, epsilon = EPS, reduction) => elementwiseLoss('logLoss',
    (t, p) => -t * Math.log(p + epsilon) - (1 - t) * Math.log(1 - p + epsilon))(labels, predictions, weights, reduction),
  huberLoss: (labels, predictions, weights, delta = 1, reduction) => elementwiseLoss('huberLoss', (t, p) => {
    const err = Math.abs(p - t);
    const quad = Math.min(err, delta);
    return 0.5 * quad * quad + delta * (err - quad);
  })(labels, predictions, weights, reduction),
  // TF.js's argument order: (labels, logits, weights, labelSmoothing, reduction).
  sigmoidCrossEntropy: (labels, logits, weights, labelSmoothing = 0, reduction) => elementwiseLoss('sigmoidCrossEntropy', (t, x) => {
    const smoothed = t * (1 - labelSmoothing) + 0.5 * labelSmoothing;
    return Math.max(x, 0) - x * smoothed + Math.log1p(Math.exp(-Math.abs(x)));
  })(labels, logits, weights, reduction),
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
