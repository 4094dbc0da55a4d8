'use strict';
// tf.util: the helpers of @tensorflow/tfjs's tf.util that data-preparation and test programs use,
// with TF.js's behaviour and messages (shuffle draws from Math.random exactly as TF.js does).
// Left out: the string/complex/WebGL internals (fingerPrint64, hexToLong,
// convertBackendValuesAndArrayBuffer, checkConversionForErrors, hasEncodingLoss).
const { performance } = require('perf_hooks');
const { computeStrides, sizeFromShape, typedArrayKind } = require('./tensor');
const { shuffle, shuffleCombo } = require('./ops/create');

/** The typed arrays tensors are made from, as TF.js's Node platform counts them. */
function isTypedArray(a) {
  return ['Float32Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray'].includes(typedArrayKind(a));
}

function assert(expr, msg) {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}

function arraysEqual(n1, n2) {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  for (let i = 0; i < n1.length; i++) if (n1[i] !== n2[i]) return false;
  return true;
}

/** As arraysEqual, but a null entry on either side matches anything (shapes with unknown batch). */
function arraysEqualWithNull(n1, n2) {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  for (let i = 0; i < n1.length; i++) if (n1[i] !== null && n2[i] !== null && n1[i] !== n2[i]) return false;
  return true;
}

function assertShapesMatch(shapeA, shapeB, errorMessagePrefix = '') {
  assert(arraysEqual(shapeA, shapeB), () => `${errorMessagePrefix} Shapes ${shapeA} and ${shapeB} must match`);
}

function assertNonNull(a) {
  assert(a != null, () => 'The input to the tensor constructor must be a non-null value.');
}

function assertNonNegativeIntegerDimensions(shape) {
  shape.forEach(d => assert(Number.isInteger(d) && d >= 0, () => `Tensor must have a shape comprised of positive integers but got shape [${shape}].`));
}

const isString = value => typeof value === 'string' || value instanceof String;
const isBoolean = value => typeof value === 'boolean';
const isNumber = value => typeof value === 'number';
const isInt = a => a % 1 === 0;
const isFunction = f => !!(f && f.constructor && f.call && f.apply);
const isPromise = object => object && object.then && typeof object.then === 'function';
const isScalarShape = shape => shape.length === 0;
const isValidDtype = dtype => ['bool', 'complex64', 'float32', 'int32', 'string'].includes(dtype);

/** Flattens nested arrays (and typed arrays unless skipTypedArray) into `result`. */
function flatten(arr, result = [], skipTypedArray = false) {
  if (result == null) result = [];
  if (typeof arr === 'boolean' || typeof arr === 'number' || typeof arr === 'string' || isPromise(arr) || arr == null ||
    (isTypedArray(arr) && skipTypedArray)) {
    result.push(arr);
  } else if (Array.isArray(arr) || isTypedArray(arr)) {
    for (let i = 0; i < arr.length; ++i) flatten(arr[i], result, skipTypedArray);
  } else {
    let maxIndex = -1;
    for (const key of Object.keys(arr)) if (/^([1-9]+[0-9]*|0)$/.test(key)) maxIndex = Math.max(maxIndex, Number(key));
    for (let i = 0; i <= maxIndex; i++) flatten(arr[i], result, skipTypedArray);
  }
  return result;
}

function inferDtype(values) {
  if (Array.isArray(values)) return inferDtype(values[0]);
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint8ClampedArray) return 'int32';
  if (isNumber(values)) return 'float32';
  if (isString(values)) return 'string';
  if (isBoolean(values)) return 'bool';
  return 'float32';
}

function getArrayFromDType(dtype, size) {
  if (dtype == null || dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  if (dtype === 'bool') return new Uint8Array(size);
  if (dtype === 'string') return new Array(size);
  throw new Error(`Unknown data type ${dtype}`);
}

function makeZerosTypedArray(size, dtype) {
  if (dtype == null || dtype === 'float32' || dtype === 'complex64') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  if (dtype === 'bool') return new Uint8Array(size);
  throw new Error(`Unknown data type ${dtype}`);
}

function makeOnesTypedArray(size, dtype) {
  return makeZerosTypedArray(size, dtype).fill(1);
}

function bytesPerElement(dtype) {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'complex64') return 8;
  if (dtype === 'bool') return 1;
  throw new Error(`Unknown dtype ${dtype}`);
}

function locToIndex(locs, rank, strides) {
  if (rank === 0) return 0;
  if (rank === 1) return locs[0];
  let index = locs[locs.length - 1];
  for (let i = 0; i < locs.length - 1; ++i) index += strides[i] * locs[i];
  return index;
}

function indexToLoc(index, rank, strides) {
  if (rank === 0) return [];
  if (rank === 1) return [index];
  const locs = new Array(rank);
  for (let i = 0; i < locs.length - 1; ++i) {
    locs[i] = Math.floor(index / strides[i]);
    index -= locs[i] * strides[i];
  }
  locs[locs.length - 1] = index;
  return locs;
}

function toNestedArray(shape, a) {
  if (shape.length === 0) return a[0];
  const size = shape.reduce((acc, c) => acc * c);
  if (size === 0) return [];
  if (size !== a.length) throw new Error(`[${shape}] does not match the input size ${a.length}.`);
  const nest = (offset, dims) => {
    if (dims.length === 1) return Array.from({ length: dims[0] }, (_, i) => a[offset + i]);
    const len = dims.slice(1).reduce((acc, c) => acc * c);
    return Array.from({ length: dims[0] }, (_, i) => nest(offset + i * len, dims.slice(1)));
  };
  return nest(0, shape);
}

function makeZerosNestedTypedArray(shape, dtype) {
  return toNestedArray(shape, makeZerosTypedArray(shape.reduce((p, c) => p * c, 1), dtype));
}

function parseAxisParam(axis, shape) {
  const rank = shape.length;
  axis = axis == null ? shape.map((s, i) => i) : [].concat(axis);
  assert(axis.every(ax => ax >= -rank && ax < rank), () => `All values in axis param must be in range [-${rank}, ${rank}) but got axis ${axis}`);
  assert(axis.every(ax => isInt(ax)), () => `All values in axis param must be integers but got axis ${axis}`);
  return axis.map(a => (a < 0 ? rank + a : a));
}

function squeezeShape(shape, axis) {
  const newShape = [];
  const keptDims = [];
  const isEmptyArray = axis != null && Array.isArray(axis) && axis.length === 0;
  const axes = axis == null || isEmptyArray ? null : parseAxisParam(axis, shape).sort();
  let j = 0;
  for (let i = 0; i < shape.length; ++i) {
    if (axes != null) {
      if (axes[j] === i && shape[i] !== 1) throw new Error(`Can't squeeze axis ${i} since its dim '${shape[i]}' is not 1`);
      if ((axes[j] == null || axes[j] > i) && shape[i] === 1) {
        newShape.push(shape[i]);
        keptDims.push(i);
      }
      if (axes[j] <= i) j++;
    }
    if (shape[i] !== 1) {
      newShape.push(shape[i]);
      keptDims.push(i);
    }
  }
  return { newShape, keptDims };
}

function inferFromImplicitShape(shape, size) {
  let shapeProd = 1;
  let implicitIdx = -1;
  for (let i = 0; i < shape.length; ++i) {
    if (shape[i] >= 0) shapeProd *= shape[i];
    else if (shape[i] === -1) {
      if (implicitIdx !== -1) throw Error(`Shapes can only have 1 implicit size. Found -1 at dim ${implicitIdx} and dim ${i}`);
      implicitIdx = i;
    } else if (shape[i] < 0) throw Error(`Shapes can not be < 0. Found ${shape[i]} at dim ${i}`);
  }
  if (implicitIdx === -1) {
    if (size > 0 && size !== shapeProd) throw Error(`Size(${size}) must match the product of shape ${shape}`);
    return shape;
  }
  if (shapeProd === 0) throw Error(`Cannot infer the missing size in [${shape}] when there are 0 elements`);
  if (size % shapeProd !== 0) throw Error(`The implicit shape can't be a fractional number. Got ${size} / ${shapeProd}`);
  const newShape = shape.slice();
  newShape[implicitIdx] = size / shapeProd;
  return newShape;
}

function createShuffledIndices(n) {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; ++i) indices[i] = i;
  shuffle(indices);
  return indices;
}

function swap(object, left, right) {
  const temp = object[left];
  object[left] = object[right];
  object[right] = temp;
}

function sum(arr) {
  let s = 0;
  for (let i = 0; i < arr.length; i++) s += arr[i];
  return s;
}

function distSquared(a, b) {
  let result = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Number(a[i]) - Number(b[i]);
    result += diff * diff;
  }
  return result;
}

function nearestDivisor(size, start) {
  for (let i = start; i < size; ++i) if (size % i === 0) return i;
  return size;
}

function sizeToSquarishShape(size) {
  const width = Math.ceil(Math.sqrt(size));
  return [width, Math.ceil(size / width)];
}

function repeatedTry(checkFn, delayFn = () => 0, maxCounter, scheduleFn) {
  return new Promise((resolve, reject) => {
    let tryCount = 0;
    const tryFn = () => {
      if (checkFn()) {
        resolve();
        return;
      }
      tryCount++;
      const nextBackoff = delayFn(tryCount);
      if (maxCounter != null && tryCount >= maxCounter) {
        reject();
        return;
      }
      (scheduleFn ?? setTimeout)(tryFn, nextBackoff);
    };
    tryFn();
  });
}

const util = {
  arraysEqual, arraysEqualWithNull, assert, assertNonNegativeIntegerDimensions, assertNonNull, assertShapesMatch,
  bytesPerElement, clamp: (min, x, max) => Math.max(min, Math.min(x, max)), computeStrides, createShuffledIndices,
  decodeString: (bytes, encoding = 'utf-8') => new TextDecoder(encoding || 'utf-8').decode(bytes),
  distSquared,
  encodeString: (s, encoding = 'utf-8') => {
    if ((encoding || 'utf-8').toLowerCase().replace('-', '') !== 'utf8') throw new Error(`Node built-in encoder only supports utf-8, but got ${encoding}`);
    return new Uint8Array(Buffer.from(s, 'utf8'));
  },
  fetch: (path, requestInits) => globalThis.fetch(path, requestInits),
  flatten, getArrayFromDType, getTypedArrayFromDType: getArrayFromDType, indexToLoc, inferDtype, inferFromImplicitShape,
  isBoolean, isFunction, isInt, isNumber, isPromise, isScalarShape, isString, isTypedArray, isValidDtype, locToIndex,
  makeOnesTypedArray, makeZerosNestedTypedArray, makeZerosTypedArray, nearestDivisor,
  nearestLargerEven: val => (val % 2 === 0 ? val : val + 1),
  now: () => performance.now(), parseAxisParam,
  randUniform: (a, b) => {
    const r = Math.random();
    return b * r + (1 - r) * a;
  },
  repeatedTry, rightPad: (a, size) => (size <= a.length ? a : a + ' '.repeat(size - a.length)),
  shuffle, shuffleCombo, sizeFromShape, sizeToSquarishShape, squeezeShape, sum, swap, tanh: Math.tanh, toNestedArray,
};

module.exports = { util };
