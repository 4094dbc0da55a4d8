'use strict';
// What every tensor module shares: dtypes, shapes, strides, typed-array kinds, the Tensor brand
// and argument checks. Requires nothing.

const DTYPES = ['float32', 'int32', 'bool'];
const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1 };

// Set on Tensor.prototype (lib/tensor/tensor.js): isTensor without requiring the class.
const TENSOR_BRAND = Symbol('dense-mtl Tensor');

function sizeFromShape(shape) {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

function computeStrides(shape) {
  const rank = shape.length;
  if (rank < 2) return [];
  const strides = new Array(rank - 1);
  strides[rank - 2] = shape[rank - 1];
  for (let i = rank - 3; i >= 0; --i) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

// Typed arrays made by the native addon come from Node's main realm, where `instanceof` fails
// under test runners with their own realm (jest): compare the built-in tag instead.
function typedArrayKind(x) {
  return ArrayBuffer.isView(x) ? Object.prototype.toString.call(x).slice(8, -1) : null;
}

function isTypedArray(x) {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) &&
    !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

function isArrayLike(x) {
  return Array.isArray(x) || isTypedArray(x);
}
function isTensor(x) {
  return x != null && x[TENSOR_BRAND] === true;
}

// Human-readable kind of a value, for error messages.
function describe(x) {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return `string ${JSON.stringify(x)}`;
  if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${x}`;
  if (Array.isArray(x)) {
    const flat = x.length <= 8 && x.every(v => v === null || typeof v !== 'object');
    return flat ? `[${x.map(v => JSON.stringify(v)).join(',')}]` : `an array of length ${x.length}`;
  }
  if (isTensor(x)) return `Tensor of shape [${x.shape}]`;
  if (typeof x === 'function') return 'function';
  const name = x.constructor && x.constructor.name;
  return !name || name === 'Object' ? 'an object' : name;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function isInt(x) {
  return typeof x === 'number' && Number.isInteger(x);
}

function checkDtype(dtype, fnName, argName = 'dtype') {
  if (!DTYPES.includes(dtype)) {
    throw new Error(`${fnName}: ${argName} must be 'float32', 'int32' or 'bool', ` +
      `got ${describe(dtype)}`);
  }
}

function checkShape(shape, fnName, argName = 'shape') {
  if (!Array.isArray(shape) || !shape.every(d => isInt(d) && d >= 0)) {
    throw new Error(`${fnName}: ${argName} must be an array of non-negative ` +
      `integers, got ${describe(shape)}`);
  }
}

// Normalises a possibly negative axis, validating it against the rank.
function normalizeAxis(axis, rank, fnName, extra = 0) {
  const hi = rank + extra;
  if (!isInt(axis) || axis < -hi || axis >= hi) {
    throw new Error(`${fnName}: axis must be an integer in [${-hi}, ${hi - 1}] ` +
      `for a tensor of rank ${rank}, got ${describe(axis)}`);
  }
  return axis < 0 ? axis + hi : axis;
}

module.exports = {
  DTYPES, ARRAY_TYPES, BYTES_PER_ELEMENT, TENSOR_BRAND, sizeFromShape, computeStrides, typedArrayKind, isTypedArray, isArrayLike,
  isTensor, describe, plural, isInt, checkDtype, checkShape, normalizeAxis,
};
