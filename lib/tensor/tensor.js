'use strict';
// The Tensor class, mirroring the dense subset of @tensorflow/tfjs 4.22. Data lives in a JS
// TypedArray, so the GC frees it; dispose() only updates the memory() counters early. Its
// shape-changing methods (reshape, cast, ...) come from lib/tensor/transform.js.
const { ARRAY_TYPES, TENSOR_BRAND, sizeFromShape, computeStrides, typedArrayKind, describe, checkDtype, checkShape } = require('./util');
const { trackMemory, untrackMemory, trackInScope } = require('./memory');
const { tensorToString } = require('./format');

let nextTensorId = 0;

class Tensor {
  // Internal: wraps `values` (already the right TypedArray) without copying.
  // Use the factories or Tensor.fromTypedArray instead.
  constructor(values, shape, dtype) {
    this.kept = false;
    this.isDisposedInternal = false;
    this.shape = shape.slice();
    this.dtype = dtype;
    this.size = sizeFromShape(shape);
    this.strides = computeStrides(shape);
    this.id = nextTensorId++;
    this.scopeId = undefined;
    this._values = values;
    this._mem = trackMemory(this, values);
    trackInScope(this);
  }

  // Wraps an existing typed array without copying (for the native binding).
  static fromTypedArray(values, shape, dtype) {
    const fn = 'Tensor.fromTypedArray';
    checkDtype(dtype, fn);
    checkShape(shape, fn);
    const Ctor = ARRAY_TYPES[dtype];
    if (typedArrayKind(values) !== Ctor.name) {
      throw new Error(`${fn}: dtype '${dtype}' needs values of type ${Ctor.name}, ` +
        `got ${describe(values)}`);
    }
    const size = sizeFromShape(shape);
    if (values.length !== size) {
      throw new Error(`${fn}: shape [${shape}] needs ${size} values but values ` +
        `has ${values.length}`);
    }
    return new Tensor(values, shape, dtype);
  }

  get rank() {
    return this.shape.length;
  }

  get isDisposed() {
    return this.isDisposedInternal;
  }

  throwIfDisposed() {
    if (this.isDisposedInternal) throw new Error('Tensor is disposed.');
  }

  // The backing typed array, not a copy. Callers must not mutate it.
  dataRef() {
    this.throwIfDisposed();
    return this._values;
  }

  // Unlike the TF.js cpu backend (which hands out its internal buffer), this
  // always returns a copy, so callers cannot mutate the tensor by accident.
  dataSync() {
    this.throwIfDisposed();
    return this._values.slice();
  }

  async data() {
    return this.dataSync();
  }

  arraySync() {
    this.throwIfDisposed();
    return toNestedArray(this.shape, this._values);
  }

  async array() {
    return this.arraySync();
  }

  toString(verbose = false) {
    this.throwIfDisposed();
    return tensorToString(this._values, this.shape, this.dtype, verbose);
  }

  print(verbose = false) {
    console.log(this.toString(verbose));
  }

  dispose() {
    if (this.isDisposedInternal) return;
    untrackMemory(this, this._mem);
    this._values = null; // let the GC take the data even if `this` lives on
    this.isDisposedInternal = true;
  }
}

Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

// TF.js returns [] for any tensor with zero values, even shape [2, 0].
function toNestedArray(shape, values) {
  if (shape.length === 0) return values[0];
  if (sizeFromShape(shape) === 0) return [];
  return nestedFrom(values, 0, shape, 0);
}

function nestedFrom(values, offset, shape, dim) {
  const n = shape[dim];
  const out = new Array(n);
  if (dim === shape.length - 1) {
    for (let i = 0; i < n; i++) out[i] = values[offset + i];
    return out;
  }
  const stride = sizeFromShape(shape.slice(dim + 1));
  for (let i = 0; i < n; i++) out[i] = nestedFrom(values, offset + i * stride, shape, dim + 1);
  return out;
}

module.exports = { Tensor };
