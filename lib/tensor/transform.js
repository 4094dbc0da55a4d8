'use strict';
// The tensor ops that come with the Tensor class (clone, reshape, cast, squeeze, expandDims,
// argMax, oneHot) and its chainable methods for them (t.reshape(...), ...).
const { ARRAY_TYPES, sizeFromShape, isTensor, isInt, describe, checkDtype, normalizeAxis } = require('./util');
const { Tensor } = require('./tensor');
const { makeTensor } = require('./create');

// Runs body on x, first converting non-tensor input (like TF.js ops do) and
// disposing that temporary afterwards.
function withTensor(x, fnName, argName, body, dtype = null) {
  if (isTensor(x)) {
    x.throwIfDisposed();
    return body(x);
  }
  const tmp = makeTensor(x, null, dtype, fnName, argName);
  try {
    return body(tmp);
  } finally {
    tmp.dispose();
  }
}

// A new tensor sharing x's buffer (tensors are immutable, so this is safe).
function shareWith(x, shape, dtype = x.dtype) {
  return new Tensor(x.dataRef(), shape, dtype);
}

function clone(x) {
  return withTensor(x, 'clone', 'x', t => shareWith(t, t.shape));
}

// Resolves one -1 in `shape` from `size` (TF.js inferFromImplicitShape).
function resolveShape(shape, size, oldShape) {
  const fn = 'reshape';
  if (!Array.isArray(shape) || !shape.every(d => isInt(d) && d >= -1)) {
    throw new Error(`${fn}: shape must be an array of non-negative integers ` +
      `(and at most one -1), got ${describe(shape)}`);
  }
  const implicit = shape.indexOf(-1);
  if (implicit !== shape.lastIndexOf(-1)) {
    throw new Error(`${fn}: shape [${shape}] may contain only one -1`);
  }
  const known = sizeFromShape(shape.filter(d => d !== -1));
  let out = shape;
  if (implicit !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`${fn}: cannot infer the -1 in [${shape}] for a tensor ` +
        `of shape [${oldShape}] (${size} values)`);
    }
    out = shape.slice();
    out[implicit] = size / known;
  }
  if (sizeFromShape(out) !== size) {
    throw new Error(`${fn}: cannot reshape a tensor of shape [${oldShape}] ` +
      `(${size} values) into shape [${shape}] (${sizeFromShape(out)} values)`);
  }
  return out;
}

function reshape(x, shape) {
  return withTensor(x, 'reshape', 'x',
    t => shareWith(t, resolveShape(shape, t.size, t.shape)));
}

// Conversions follow the TF.js cpu Cast kernel: int32 truncates (NaN -> 0),
// bool is `x !== 0` (so 0.3 and NaN become true).
function convertValues(values, dtype) {
  if (dtype === 'bool') {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
    return out;
  }
  return ARRAY_TYPES[dtype].from(values);
}

function cast(x, dtype) {
  checkDtype(dtype, 'cast');
  return withTensor(x, 'cast', 'x', t => (t.dtype === dtype ?
    shareWith(t, t.shape) :
    new Tensor(convertValues(t.dataRef(), dtype), t.shape, dtype)));
}

function squeezedShape(shape, axis) {
  if (axis == null || (Array.isArray(axis) && axis.length === 0)) {
    return shape.filter(d => d !== 1);
  }
  const axes = (Array.isArray(axis) ? axis : [axis])
    .map(a => normalizeAxis(a, shape.length, 'squeeze'));
  for (const a of axes) {
    if (shape[a] !== 1) {
      throw new Error(`squeeze: cannot squeeze axis ${a} of shape [${shape}]: ` +
        `its size is ${shape[a]}, not 1`);
    }
  }
  return shape.filter((_, i) => !axes.includes(i));
}

function squeeze(x, axis) {
  return withTensor(x, 'squeeze', 'x', t => shareWith(t, squeezedShape(t.shape, axis)));
}

function expandDims(x, axis = 0) {
  return withTensor(x, 'expandDims', 'x', (t) => {
    const a = normalizeAxis(axis, t.rank, 'expandDims', 1);
    const shape = t.shape.slice();
    shape.splice(a, 0, 1);
    return shareWith(t, shape);
  });
}

// Index of the first maximum along `axis`; like the TF.js cpu kernel, a
// leading NaN wins (nothing compares greater) and later NaNs are ignored.
function argMax(x, axis = 0) {
  return withTensor(x, 'argMax', 'x', (t) => {
    if (t.rank === 0) throw new Error('argMax: x must have rank >= 1, got a scalar');
    const ax = normalizeAxis(axis, t.rank, 'argMax');
    const n = t.shape[ax];
    const inner = sizeFromShape(t.shape.slice(ax + 1));
    const outer = sizeFromShape(t.shape.slice(0, ax));
    const vals = t.dataRef();
    const out = new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let max = vals[base];
        let best = 0;
        for (let j = 1; j < n; j++) {
          const v = vals[base + j * inner];
          if (v > max) { max = v; best = j; }
        }
        out[o * inner + i] = best;
      }
    }
    return new Tensor(out, t.shape.filter((_, i) => i !== ax), 'int32');
  });
}

function checkNumber(v, fnName, argName) {
  if (typeof v !== 'number') {
    throw new Error(`${fnName}: ${argName} must be a number, got ${describe(v)}`);
  }
}

// Output is [...indices.shape, depth]; out-of-range indices give an all-off row.
function oneHot(indices, depth, onValue = 1, offValue = 0, dtype = 'int32') {
  const fn = 'oneHot';
  if (!isInt(depth) || depth < 2) {
    throw new Error(`${fn}: depth must be an integer >= 2, got ${describe(depth)}`);
  }
  checkNumber(onValue, fn, 'onValue');
  checkNumber(offValue, fn, 'offValue');
  checkDtype(dtype, fn);
  if (isTensor(indices) && indices.dtype !== 'int32') {
    throw new Error(`${fn}: indices must be an int32 tensor, got a ${indices.dtype} tensor`);
  }
  // Values pass through float32 then the target dtype, as in TF.js (0.5 -> 0 for int32).
  const [on, off] = convertValues(new Float32Array([onValue, offValue]), dtype);
  return withTensor(indices, fn, 'indices', (ind) => {
    const idx = ind.dataRef();
    const out = new ARRAY_TYPES[dtype](idx.length * depth);
    if (off !== 0) out.fill(off);
    for (let e = 0; e < idx.length; e++) {
      if (idx[e] >= 0 && idx[e] < depth) out[e * depth + idx[e]] = on;
    }
    return new Tensor(out, [...ind.shape, depth], dtype);
  }, 'int32');
}

const methods = {
  argMax(axis = 0) { return argMax(this, axis); },
  reshape(shape) { return reshape(this, shape); },
  reshapeAs(x) { return reshape(this, x.shape); },
  cast(dtype) { return cast(this, dtype); },
  asType(dtype) { return cast(this, dtype); },
  toInt() { return cast(this, 'int32'); },
  toFloat() { return cast(this, 'float32'); },
  toBool() { return cast(this, 'bool'); },
  clone() { return clone(this); },
  squeeze(axis) { return squeeze(this, axis); },
  expandDims(axis = 0) { return expandDims(this, axis); },
  flatten() { return reshape(this, [this.size]); },
  as1D() { return reshape(this, [this.size]); },
  as2D(rows, columns) { return reshape(this, [rows, columns]); },
  as3D(rows, columns, depth) { return reshape(this, [rows, columns, depth]); },
  as4D(rows, columns, depth, depth2) { return reshape(this, [rows, columns, depth, depth2]); },
  asScalar() {
    this.throwIfDisposed();
    if (this.size !== 1) {
      throw new Error(`asScalar: the tensor must have exactly 1 value, ` +
        `got shape [${this.shape}] with ${this.size}`);
    }
    return reshape(this, []);
  },
};
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

module.exports = { clone, reshape, cast, squeeze, expandDims, argMax, oneHot };
