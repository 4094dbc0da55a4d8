'use strict';
// Reductions (sum, mean, min, max, argMin) and tf.moments, visiting values in the order of the
// TF.js cpu kernels (reduced axes moved innermost) so float32 sums round identically.
const { Tensor } = require('../tensor');
const { toTensor, upcast, build, parseAxis } = require('./util');
const { transposeValues } = require('./shape');

/**
 * Runs `reduce(values, offset, n)` over each group of reduced values; returns [values, outShape,
 * keptShape] where keptShape keeps the reduced axes as 1s.
 */
function reduceGroups(t, axis, Out, reduce) {
  const axes = [...new Set(parseAxis(axis, t.shape))]; // in the given order, as TF.js permutes
  const kept = t.shape.map((_, i) => i).filter(i => !axes.includes(i));
  const perm = [...kept, ...axes];
  const values = perm.every((p, i) => p === i) ? t.dataRef() : transposeValues(t.dataRef(), t.shape, perm);
  const n = axes.reduce((s, a) => s * t.shape[a], 1);
  const outShape = kept.map(i => t.shape[i]);
  const out = new Out(outShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = reduce(values, i * n, n);
  return { out, outShape, keptShape: t.shape.map((d, i) => (axes.includes(i) ? 1 : d)), n };
}

function finish({ out, outShape, keptShape }, dtype, keepDims) {
  return new Tensor(out, keepDims ? keptShape : outShape, dtype);
}

const TYPED = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };

function sumValues(v, offset, n) {
  let s = 0;
  for (let j = 0; j < n; j++) s += v[offset + j];
  return s;
}

function sum(x, axis = null, keepDims = false) {
  const t = toTensor(x, 'x', 'sum');
  const dtype = upcast(t.dtype, 'int32');
  return finish(reduceGroups(t, axis, TYPED[dtype], sumValues), dtype, keepDims);
}

/** As TF.js: each value is divided by the count (in float32) and the quotients are summed. */
function mean(x, axis = null, keepDims = false) {
  const t = toTensor(x, 'x', 'mean');
  const axes = parseAxis(axis, t.shape);
  const count = Math.fround([...new Set(axes)].reduce((s, a) => s * t.shape[a], 1));
  const src = t.dataRef();
  const scaled = new Tensor(Float32Array.from(src, v => v / count), t.shape, 'float32');
  return finish(reduceGroups(scaled, axis, Float32Array, sumValues), 'float32', keepDims);
}

function extreme(opName, better) {
  return (x, axis = null, keepDims = false) => {
    const t = toTensor(x, 'x', opName);
    return finish(reduceGroups(t, axis, TYPED[t.dtype], (v, offset, n) => {
      let m = v[offset];
      for (let j = 0; j < n; j++) {
        const a = v[offset + j];
        if (Number.isNaN(a) || better(a, m)) m = a;
      }
      return m;
    }), t.dtype, keepDims);
  };
}

const min = extreme('min', (a, m) => a < m);
const max = extreme('max', (a, m) => a > m);

function argMin(x, axis = 0) {
  const t = toTensor(x, 'x', 'argMin');
  const [a] = parseAxis(axis, t.shape);
  return finish(reduceGroups(t, a, Int32Array, (v, offset, n) => {
    let m = v[offset];
    let best = 0;
    for (let j = 0; j < n; j++) {
      if (v[offset + j] < m) {
        m = v[offset + j];
        best = j;
      }
    }
    return best;
  }), 'int32', false);
}

/** tf.moments: {mean, variance} over `axis` (population variance). */
function moments(x, axis = null, keepDims = false) {
  const t = toTensor(x, 'x', 'moments');
  const axes = parseAxis(axis, t.shape);
  const m = mean(t, axes, keepDims);
  const keptShape = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const { sub, square } = require('./elementwise');
  const centered = sub(t.dtype === 'float32' ? t : build(t.shape, 'float32', o => o.set(t.dataRef())), m.reshape(keptShape));
  return { mean: m, variance: mean(square(centered), axes, keepDims) };
}

module.exports = { sum, mean, min, max, argMin, moments };
