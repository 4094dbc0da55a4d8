'use strict';
// matMul, norm, and the ops that rearrange or count along an axis (topk, unique, tile, pad,
// cumsum), with TF.js's semantics, dtypes and messages. Where TF.js returns garbage for bad
// arguments (a rank-1 matMul, paddings of the wrong length, a cumsum axis out of range) these
// throw a message naming the argument instead.
const { Tensor, sizeFromShape } = require('../tensor');
const { ARRAY_TYPES, assert, toTensor, upcast, build, parseAxis, broadcastShapes } = require('./util');
const elementwise = require('./elementwise');
const reduce = require('./reduce');

function stridesOf(shape) {
  const strides = new Array(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * matMul(a, b, transposeA, transposeB): the product of the last two axes, with the leading
 * (batch) axes broadcast. Sums are computed in doubles and stored in the result's dtype.
 */
function matMul(a, b, transposeA = false, transposeB = false) {
  const ta = toTensor(a, 'a', 'matMul');
  const tb = toTensor(b, 'b', 'matMul');
  assert(ta.rank >= 2 && tb.rank >= 2, () => `Error in matMul: inputs must have rank at least 2, got ranks ${ta.rank} and ${tb.rank} (shapes [${ta.shape}] and [${tb.shape}]). ` +
    'Reshape a vector to [1, n] or [n, 1] first.');
  const [ar, ac] = ta.shape.slice(-2);
  const [br, bc] = tb.shape.slice(-2);
  const inner = transposeA ? ar : ac;
  const innerB = transposeB ? bc : br;
  assert(inner === innerB, () => `Error in matMul: inner shapes (${inner}) and (${innerB}) of Tensors with shapes ${ta.shape} and ${tb.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const m = transposeA ? ac : ar;
  const n = transposeB ? br : bc;
  const batchA = ta.shape.slice(0, -2);
  const batchB = tb.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const dtype = upcast(ta.dtype, tb.dtype);
  const av = ta.dataRef();
  const bv = tb.dataRef();
  // Element strides of a's and b's rows and columns, after the optional transposition.
  const [aRow, aCol] = transposeA ? [1, ac] : [ac, 1];
  const [bRow, bCol] = transposeB ? [1, bc] : [bc, 1];
  const batches = sizeFromShape(batch);
  const offsetIn = (shape, index) => {
    // The matrix of a (or b) that batch element `index` of the broadcast shape reads.
    let offset = 0;
    let rest = index;
    const strides = stridesOf(batch);
    const own = stridesOf(shape);
    for (let d = 0; d < batch.length; d++) {
      const i = Math.floor(rest / strides[d]);
      rest %= strides[d];
      const k = d - (batch.length - shape.length);
      if (k >= 0 && shape[k] !== 1) offset += i * own[k];
    }
    return offset;
  };
  return build([...batch, m, n], dtype, (out) => {
    for (let bi = 0; bi < batches; bi++) {
      const aBase = offsetIn(batchA, bi) * ar * ac;
      const bBase = offsetIn(batchB, bi) * br * bc;
      const oBase = bi * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < inner; k++) s += av[aBase + i * aRow + k * aCol] * bv[bBase + k * bRow + j * bCol];
          out[oBase + i * n + j] = s;
        }
      }
    }
  });
}

/** tf.norm, composed of the same ops as TF.js's (so dtypes and float32 rounding match). */
function norm(x, ord = 'euclidean', axis = null, keepDims = false) {
  const t = toTensor(x, 'x', 'norm');
  const result = normOf(t, ord, axis);
  if (!keepDims) return result;
  const axes = parseAxis(axis, t.shape);
  return result.reshape(t.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

function normOf(x, p, axis) {
  const { abs, sqrt, pow, square } = elementwise;
  const { sum, max, min } = reduce;
  if (x.rank === 0) return abs(x);
  if (x.rank !== 1 && axis === null) return normOf(x.reshape([x.size]), p, axis);
  if (x.rank === 1 || typeof axis === 'number' || (Array.isArray(axis) && axis.length === 1)) {
    if (p === 1) return sum(abs(x), axis);
    if (p === Infinity) return max(abs(x), axis);
    if (p === -Infinity) return min(abs(x), axis);
    if (p === 'euclidean' || p === 2) return sqrt(sum(pow(abs(x), build([], 'int32', o => { o[0] = 2; })), axis));
    throw new Error(`Error in norm: invalid ord value: ${p}`);
  }
  if (Array.isArray(axis) && axis.length === 2) {
    if (p === 1) return max(sum(abs(x), axis[0]), axis[1] - 1);
    if (p === Infinity) return max(sum(abs(x), axis[1]), axis[0]);
    if (p === -Infinity) return min(sum(abs(x), axis[1]), axis[0]);
    if (p === 'fro' || p === 'euclidean') return sqrt(sum(square(x), axis));
    throw new Error(`Error in norm: invalid ord value: ${p}`);
  }
  throw new Error(`Error in norm: invalid axis: ${axis}`);
}

/**
 * The k largest values along the last axis and their indices; ties keep the lower index first.
 * sorted = false gives the same k in the order they appear in x (TF.js gives them in the order its
 * selection algorithm leaves them, which is the input order when k is the whole axis).
 */
function topk(x, k = 1, sorted = true) {
  const t = toTensor(x, 'x', 'topk');
  if (t.rank === 0) throw new Error('topk() expects the input to be of rank 1 or higher');
  const last = t.shape[t.rank - 1];
  if (k < 0) throw new Error(`'k' passed to topk() must be >= 0 but got ${k}`);
  if (k > last) throw new Error(`'k' passed to topk() must be <= the last dimension (${last}) but got ${k}`);
  const v = t.dataRef();
  const rows = t.size / Math.max(1, last);
  const outShape = [...t.shape.slice(0, -1), k];
  const values = new ARRAY_TYPES[t.dtype](rows * k);
  const indices = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: last }, (_, i) => i);
    order.sort((i, j) => (v[r * last + j] - v[r * last + i]) || (i - j));
    const chosen = sorted ? order.slice(0, k) : order.slice(0, k).sort((i, j) => i - j);
    for (let i = 0; i < k; i++) {
      values[r * k + i] = v[r * last + chosen[i]];
      indices[r * k + i] = chosen[i];
    }
  }
  return { values: new Tensor(values, outShape, t.dtype), indices: new Tensor(indices, outShape, 'int32') };
}

/**
 * The distinct slices along `axis` in order of first appearance, and for each slice of x the
 * index of its value in them.
 */
function unique(x, axis = 0) {
  const t = toTensor(x, 'x', 'unique');
  assert(t.rank > 0, 'The input tensor must be at least 1D');
  const [a] = parseAxis(axis, t.shape);
  const outer = sizeFromShape(t.shape.slice(0, a));
  const n = t.shape[a];
  const inner = sizeFromShape(t.shape.slice(a + 1));
  const v = t.dataRef();
  const sliceKey = (j) => {
    const parts = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts.push(v[(o * n + j) * inner + i]);
    return parts.join(',');
  };
  const seen = new Map();
  const firstOf = [];
  const indices = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const key = sliceKey(j);
    if (!seen.has(key)) {
      seen.set(key, firstOf.length);
      firstOf.push(j);
    }
    indices[j] = seen.get(key);
  }
  const shape = t.shape.slice();
  shape[a] = firstOf.length;
  const values = build(shape, t.dtype, (out) => {
    for (let o = 0; o < outer; o++) {
      firstOf.forEach((j, u) => {
        for (let i = 0; i < inner; i++) out[(o * firstOf.length + u) * inner + i] = v[(o * n + j) * inner + i];
      });
    }
  });
  return { values, indices: new Tensor(indices, [n], 'int32') };
}

/** Repeats x reps[i] times along axis i. */
function tile(x, reps) {
  const t = toTensor(x, 'x', 'tile');
  assert(Array.isArray(reps) && t.rank === reps.length, () => `Error in transpose: rank of input ${t.rank} must match length of reps ${reps}.`);
  const shape = t.shape.map((d, i) => d * reps[i]);
  const inStrides = stridesOf(t.shape);
  const outStrides = stridesOf(shape);
  const v = t.dataRef();
  return build(shape, t.dtype, (out) => {
    for (let o = 0; o < out.length; o++) {
      let src = 0;
      let rest = o;
      for (let d = 0; d < shape.length; d++) {
        const i = Math.floor(rest / outStrides[d]);
        rest %= outStrides[d];
        src += (i % t.shape[d]) * inStrides[d];
      }
      out[o] = v[src];
    }
  });
}

/** Pads each axis i with paddings[i] = [before, after] values equal to constantValue. */
function pad(x, paddings, constantValue = 0) {
  const t = toTensor(x, 'x', 'pad');
  if (t.rank === 0) throw new Error('pad(scalar) is not defined. Pass non-scalar to pad');
  assert(Array.isArray(paddings) && paddings.length === t.rank && paddings.every(p => Array.isArray(p) && p.length === 2 && p.every(q => Number.isInteger(q) && q >= 0)),
    () => `pad: paddings must hold one [before, after] pair of non-negative integers per axis of x (shape [${t.shape}], so ${t.rank}) but got ${JSON.stringify(paddings)}`);
  const shape = t.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const outStrides = stridesOf(shape);
  const v = t.dataRef();
  return build(shape, t.dtype, (out) => {
    out.fill(constantValue);
    const inStrides = stridesOf(t.shape);
    for (let s = 0; s < v.length; s++) {
      let o = 0;
      let rest = s;
      for (let d = 0; d < t.rank; d++) {
        const i = Math.floor(rest / inStrides[d]);
        rest %= inStrides[d];
        o += (i + paddings[d][0]) * outStrides[d];
      }
      out[o] = v[s];
    }
  });
}

/** Running sums along `axis` (exclusive: without the element itself; reverse: from the end). */
function cumsum(x, axis = 0, exclusive = false, reverse = false) {
  const t = toTensor(x, 'x', 'cumsum');
  assert(Number.isInteger(axis) && axis >= -t.rank && axis < t.rank, () => `cumsum: axis must be an integer in [${-t.rank}, ${t.rank}) for x of shape [${t.shape}] but got ${axis}`);
  const a = axis < 0 ? axis + t.rank : axis;
  const dtype = upcast(t.dtype, 'int32');
  const n = t.shape[a];
  const inner = sizeFromShape(t.shape.slice(a + 1));
  const outer = sizeFromShape(t.shape.slice(0, a));
  const v = t.dataRef();
  return build(t.shape, dtype, (out) => {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = j => (o * n + (reverse ? n - 1 - j : j)) * inner + i;
        for (let j = 0; j < n; j++) {
          const val = exclusive ? (j === 0 ? 0 : v[at(j - 1)]) : v[at(j)];
          out[at(j)] = j === 0 ? val : out[at(j - 1)] + val;
        }
      }
    }
  });
}

module.exports = { matMul, norm, topk, unique, tile, pad, cumsum };
