'use strict';
// Helpers shared by the ops: argument conversion, dtypes, axes and broadcasting, with TF.js's
// rules and error messages.
const { Tensor, isTensor, makeTensor, sizeFromShape } = require('../tensor');

const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };

function assert(cond, message) {
  if (!cond) throw new Error(typeof message === 'function' ? message() : message);
}

/**
 * TF.js's convertToTensor: tensors pass through, numbers, booleans and (nested) arrays become
 * tensors (`dtype` forces theirs, e.g. int32 indices), anything else is refused.
 * `need` is 'numeric' (the default), 'float32', 'int32' or 'bool'.
 */
function toTensor(x, argName, opName, need = 'numeric', dtype = undefined) {
  if (isTensor(x)) {
    x.throwIfDisposed();
  } else {
    const kind = Array.isArray(x) ? firstLeaf(x) : x;
    if (typeof kind === 'string') throw new Error(`Argument '${argName}' passed to '${opName}' must be numeric tensor, but got string tensor`);
    const ok = typeof x === 'number' || typeof x === 'boolean' || Array.isArray(x) || ArrayBuffer.isView(x);
    if (!ok) {
      const name = x == null ? String(x) : (x.constructor && x.constructor.name) || typeof x;
      throw new Error(`Argument '${argName}' passed to '${opName}' must be a Tensor or TensorLike, but got '${name}'`);
    }
    x = makeTensor(x, undefined, dtype ?? (need === 'int32' ? 'int32' : undefined), opName, argName);
  }
  if (need !== 'numeric' && x.dtype !== need) {
    throw new Error(`Argument '${argName}' passed to '${opName}' must be ${need} tensor, but got ${x.dtype} tensor`);
  }
  return x;
}

function firstLeaf(a) {
  while (Array.isArray(a)) a = a[0];
  return a;
}

/** TF.js's upcastType: float32 beats int32 beats bool. */
function upcast(a, b) {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}

/** A new tensor over a fresh typed array of `dtype`, filled by fill(out). */
function build(shape, dtype, fill) {
  const out = new ARRAY_TYPES[dtype](sizeFromShape(shape));
  if (fill) fill(out);
  return new Tensor(out, shape, dtype);
}

/** TF.js's parseAxisParam: null = every axis; negative axes count from the end. */
function parseAxis(axis, shape) {
  const rank = shape.length;
  const axes = axis == null ? shape.map((_, i) => i) : [].concat(axis);
  assert(axes.every(a => a >= -rank && a < rank), () => `All values in axis param must be in range [-${rank}, ${rank}) but got axis ${axis}`);
  assert(axes.every(Number.isInteger), () => `All values in axis param must be integers but got axis ${axis}`);
  return axes.map(a => (a < 0 ? rank + a : a));
}

/** The broadcast shape of two shapes (numpy rules), or TF.js's error. */
function broadcastShapes(a, b) {
  const rank = Math.max(a.length, b.length);
  const out = new Array(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`Operands could not be broadcast together with shapes ${a} and ${b}.`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of `shape` seen from `outShape` (0 along broadcast axes). */
function broadcastStrides(shape, outShape) {
  const strides = new Array(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = outShape.length - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * Calls f(outIndex, indexInEach...) for every element of `outShape`, where each input is
 * broadcast to it. Walks an odometer, so the cost per element is O(1).
 */
function forEachBroadcast(outShape, shapes, f) {
  const size = sizeFromShape(outShape);
  const rank = outShape.length;
  const strides = shapes.map(s => broadcastStrides(s, outShape));
  const idx = new Array(shapes.length).fill(0);
  const counter = new Array(rank).fill(0);
  for (let o = 0; o < size; o++) {
    f(o, idx);
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < outShape[d]) {
        for (let k = 0; k < idx.length; k++) idx[k] += strides[k][d];
        break;
      }
      counter[d] = 0;
      for (let k = 0; k < idx.length; k++) idx[k] -= strides[k][d] * (outShape[d] - 1);
    }
  }
}

module.exports = { ARRAY_TYPES, assert, toTensor, upcast, build, parseAxis, broadcastShapes, forEachBroadcast, sizeFromShape };
