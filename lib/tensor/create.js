'use strict';
// Making tensors from JS values: tf.tensor, tensor1d..4d, scalar, zeros, ones, with TF.js's
// shape and dtype inference and stricter checks.
const { ARRAY_TYPES, sizeFromShape, typedArrayKind, isTypedArray, isArrayLike, describe, plural, checkDtype, checkShape } = require('./util');
const { Tensor } = require('./tensor');

// Shape implied by following the first element down (TF.js inferShape).
function inferShape(values) {
  if (isTypedArray(values)) return [values.length];
  const shape = [];
  let first = values;
  while (isArrayLike(first)) {
    shape.push(first.length);
    if (isTypedArray(first)) break;
    first = first[0];
  }
  return shape;
}

// The dtype TF.js infers for values held in a typed array of this kind: int32 for Int32Array,
// Uint8Array and Uint8ClampedArray, float32 for every other kind (TF.js refuses those at the top
// level but reads them as float32 when nested; here they are accepted at any level, by value:
// a Uint32Array's 4294967295 is 4294967296 in float32, never -1).
function typedArrayDtype(kind) {
  return ['Int32Array', 'Uint8Array', 'Uint8ClampedArray'].includes(kind) ? 'int32' : 'float32';
}

// TF.js picks the dtype from the first leaf value.
function inferDtype(values) {
  let first = values;
  while (Array.isArray(first)) first = first[0];
  if (isTypedArray(first)) return typedArrayDtype(typedArrayKind(first));
  if (typeof first === 'boolean') return 'bool';
  return 'float32';
}

// Integer kinds whose values may not fit in an int32 (copied into one, they would wrap).
const WIDE_UNSIGNED = ['Uint32Array'];
const INT32_MAX = 2147483647;

// Where a nested entry sits: 'row 1' for rows of a 2-D array, else 'values[0][2]'.
function positionName(path, argName, rank) {
  if (rank === 2 && path.length === 1) return `row ${path[0]}`;
  return argName + path.map(i => `[${i}]`).join('');
}

// expectedLen is null when a number was expected at that position.
function raggedError(fnName, argName, path, rank, got, expectedLen) {
  const where = positionName(path, argName, expectedLen == null ? 0 : rank);
  let what;
  if (expectedLen == null) what = 'is an array, expected a number';
  else if (isArrayLike(got)) what = `has ${plural(got.length, 'entry', 'entries')}, expected ${expectedLen}`;
  else what = `is ${describe(got)}, expected an array of ${expectedLen} entries`;
  return new Error(`${fnName}: ${argName} is ragged: ${where} ${what}`);
}

function badValueError(fnName, argName, path, got) {
  const where = argName + path.map(i => `[${i}]`).join('');
  return new Error(`${fnName}: ${where} must be a number or boolean, got ${describe(got)}`);
}

// Copies nested `values` of the given shape into `out`, checking that the
// array is rectangular and every leaf is a number or boolean.
function fillFromNested(values, shape, out, fnName, argName) {
  const toBool = typedArrayKind(out) === 'Uint8Array';
  const toInt32 = typedArrayKind(out) === 'Int32Array';
  let k = 0;
  const path = [];
  const walk = (node, dim) => {
    const n = shape[dim];
    if (!isArrayLike(node) || node.length !== n) {
      throw raggedError(fnName, argName, path, shape.length, node, n);
    }
    if (dim === shape.length - 1) {
      if (toInt32 && WIDE_UNSIGNED.includes(typedArrayKind(node))) checkFitsInt32(node, path, fnName, argName);
      for (let i = 0; i < n; i++) {
        const v = node[i];
        if (typeof v !== 'number' && typeof v !== 'boolean') {
          path.push(i);
          if (isArrayLike(v)) throw raggedError(fnName, argName, path, shape.length, v, null);
          throw badValueError(fnName, argName, path, v);
        }
        // TF.js rounds before testing for bool: 0.3 -> false, NaN -> true.
        out[k++] = toBool ? (Math.round(v) !== 0 ? 1 : 0) : v;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      path.push(i);
      walk(node[i], dim + 1);
      path.pop();
    }
  };
  if (shape.length === 0) {
    out[0] = toBool ? (Math.round(values) !== 0 ? 1 : 0) : values;
  } else {
    walk(values, 0);
  }
  return out;
}

// A Uint32Array's values copied into int32 must fit: refused rather than wrapped to negatives.
function checkFitsInt32(node, path, fnName, argName) {
  for (let i = 0; i < node.length; i++) {
    if (node[i] > INT32_MAX) {
      const where = argName + [...path, i].map(j => `[${j}]`).join('');
      throw new Error(`${fnName}: ${where} is ${node[i]}, which does not fit in dtype 'int32' ` +
        `(at most ${INT32_MAX}); use dtype 'float32' to keep its value`);
    }
  }
}

// TF.js accepts nested values whose last dims are flattened, e.g.
// [[1,2,3,4],[5,6,7,8]] for shape [2,2,2], but no other mismatch.
function nestedShapeFits(inferred, shape) {
  for (let i = 0; i < inferred.length; i++) {
    if (inferred[i] === shape[i]) continue;
    const isLastDim = i === inferred.length - 1;
    if (!isLastDim || inferred[i] !== sizeFromShape(shape.slice(i))) return false;
  }
  return true;
}

function checkTopLevelValues(values, fnName, argName) {
  const ok = typeof values === 'number' || typeof values === 'boolean' || isArrayLike(values);
  if (!ok) {
    throw new Error(`${fnName}: ${argName} must be a number, boolean, (nested) array ` +
      `or TypedArray, got ${describe(values)}`);
  }
}

/**
 * Validated, copying constructor behind all factories.
 * values: number | boolean | (nested) array | TypedArray; shape optional.
 */
function makeTensor(values, shape, dtype, callerName = 'tensor', argName = 'values') {
  const fn = callerName;
  checkTopLevelValues(values, fn, argName);
  if (shape != null) checkShape(shape, fn);
  if (dtype != null) checkDtype(dtype, fn);
  dtype = dtype || inferDtype(values);

  const inferred = inferShape(values);
  const out = new ARRAY_TYPES[dtype](sizeFromShape(inferred));
  fillFromNested(values, inferred, out, fn, argName);
  if (shape == null) return new Tensor(out, inferred, dtype);

  const needed = sizeFromShape(shape);
  if (needed !== out.length) {
    throw new Error(`${fn}: shape [${shape}] needs ${needed} values but ${argName} ` +
      `has ${out.length}`);
  }
  if (!nestedShapeFits(inferred, shape)) {
    throw new Error(`${fn}: ${argName} has shape [${inferred}], which does not ` +
      `match shape [${shape}]`);
  }
  return new Tensor(out, shape, dtype);
}

function tensor(values, shape, dtype) {
  return makeTensor(values, shape, dtype, 'tensor');
}

function rankName(values) {
  if (!isArrayLike(values)) return `a ${typeof values}`;
  if (isTypedArray(values)) return 'a TypedArray';
  return `a ${inferShape(values).length}-D nested array`;
}

function tensor1d(values, dtype) {
  checkTopLevelValues(values, 'tensor1d', 'values');
  if (!isArrayLike(values) || inferShape(values).length !== 1) {
    throw new Error(`tensor1d: values must be a flat array or TypedArray, ` +
      `got ${rankName(values)}`);
  }
  return makeTensor(values, null, dtype, 'tensor1d');
}

// tensor2d/3d/4d: nested values of that rank, or flat values plus a shape.
function tensorNd(rank, values, shape, dtype) {
  const fn = `tensor${rank}d`;
  checkTopLevelValues(values, fn, 'values');
  if (shape != null && (!Array.isArray(shape) || shape.length !== rank)) {
    throw new Error(`${fn}: shape must have ${rank} dimensions, got ${describe(shape)}`);
  }
  const inferredRank = isArrayLike(values) ? inferShape(values).length : 0;
  if (inferredRank !== rank && inferredRank !== 1) {
    throw new Error(`${fn}: values must be a ${rank}-D nested array, or a flat ` +
      `array or TypedArray with a shape; got ${rankName(values)}`);
  }
  if (inferredRank === 1 && shape == null) {
    throw new Error(`${fn}: shape is required when values is a flat array or TypedArray`);
  }
  return makeTensor(values, shape, dtype, fn);
}

const tensor2d = (values, shape, dtype) => tensorNd(2, values, shape, dtype);
const tensor3d = (values, shape, dtype) => tensorNd(3, values, shape, dtype);
const tensor4d = (values, shape, dtype) => tensorNd(4, values, shape, dtype);

function scalar(value, dtype) {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`scalar: value must be a number or boolean, got ${describe(value)}`);
  }
  return makeTensor(value, [], dtype, 'scalar', 'value');
}

function filled(fnName, shape, dtype, fillValue) {
  checkShape(shape, fnName);
  checkDtype(dtype, fnName);
  const values = new ARRAY_TYPES[dtype](sizeFromShape(shape));
  if (fillValue !== 0) values.fill(fillValue);
  return new Tensor(values, shape, dtype);
}

function zeros(shape, dtype = 'float32') {
  return filled('zeros', shape, dtype, 0);
}

function ones(shape, dtype = 'float32') {
  return filled('ones', shape, dtype, 1);
}

module.exports = { makeTensor, tensor, tensor1d, tensor2d, tensor3d, tensor4d, scalar, zeros, ones, typedArrayDtype };
