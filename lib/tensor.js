'use strict';
// Pure-JS Tensor mirroring the dense subset of @tensorflow/tfjs 4.22.
// Data lives in a JS TypedArray, so the GC frees it; dispose() only updates
// the memory() counters early. Input validation is stricter than TF.js.

const DTYPES = ['float32', 'int32', 'bool'];
const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1 };

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

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
  return x instanceof Tensor;
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

// ---------------------------------------------------------------------------
// Memory tracking: counts tensors that are neither disposed nor collected.
// ---------------------------------------------------------------------------

const engine = {
  numTensors: 0,
  numDataBuffers: 0,
  numBytes: 0,
  nextTensorId: 0,
  nextScopeId: 0,
  scopeStack: [],
};

// One record per backing typed array, so shared buffers (reshape, clone)
// count once in numDataBuffers, like TF.js dataIds.
const bufferRecords = new WeakMap();

// Held value must not reference the tensor, or it could never be collected.
const registry = new FinalizationRegistry(releaseMemory);

function releaseMemory(mem) {
  engine.numTensors--;
  engine.numBytes -= mem.bytes;
  if (--mem.buffer.refs === 0) engine.numDataBuffers--;
}

function trackMemory(t, values) {
  let buffer = bufferRecords.get(values);
  if (buffer === undefined || buffer.refs === 0) {
    buffer = { refs: 0 };
    bufferRecords.set(values, buffer);
  }
  if (buffer.refs++ === 0) engine.numDataBuffers++;
  const mem = { bytes: t.size * BYTES_PER_ELEMENT[t.dtype], buffer };
  engine.numTensors++;
  engine.numBytes += mem.bytes;
  registry.register(t, mem, t);
  return mem;
}

function activeScope() {
  const stack = engine.scopeStack;
  return stack.length ? stack[stack.length - 1] : null;
}

function trackInScope(t) {
  const scope = activeScope();
  if (scope !== null) {
    t.scopeId = scope.id;
    scope.track.push(t);
  }
}

// ---------------------------------------------------------------------------
// Tensor
// ---------------------------------------------------------------------------

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
    this.id = engine.nextTensorId++;
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
    registry.unregister(this);
    releaseMemory(this._mem);
    this._values = null; // let the GC take the data even if `this` lives on
    this.isDisposedInternal = true;
  }

  argMax(axis = 0) { return argMax(this, axis); }
  reshape(shape) { return reshape(this, shape); }
  reshapeAs(x) { return reshape(this, x.shape); }
  cast(dtype) { return cast(this, dtype); }
  asType(dtype) { return cast(this, dtype); }
  toInt() { return cast(this, 'int32'); }
  toFloat() { return cast(this, 'float32'); }
  toBool() { return cast(this, 'bool'); }
  clone() { return clone(this); }
  squeeze(axis) { return squeeze(this, axis); }
  expandDims(axis = 0) { return expandDims(this, axis); }
  flatten() { return reshape(this, [this.size]); }
  as1D() { return reshape(this, [this.size]); }
  as2D(rows, columns) { return reshape(this, [rows, columns]); }
  as3D(rows, columns, depth) { return reshape(this, [rows, columns, depth]); }
  as4D(rows, columns, depth, depth2) {
    return reshape(this, [rows, columns, depth, depth2]);
  }

  asScalar() {
    this.throwIfDisposed();
    if (this.size !== 1) {
      throw new Error(`asScalar: the tensor must have exactly 1 value, ` +
        `got shape [${this.shape}] with ${this.size}`);
    }
    return reshape(this, []);
  }
}

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

// ---------------------------------------------------------------------------
// toString: a port of TF.js tensor_format.ts, kept quirk-for-quirk identical
// (e.g. single-row 2-D prints ' [[1, 2],]', scalars print unrounded).
// ---------------------------------------------------------------------------

const FORMAT_LIMIT_NUM_VALS = 20;
const FORMAT_NUM_FIRST_LAST_VALS = 3;
const FORMAT_NUM_SIG_DIGITS = 7;

function tensorToString(vals, shape, dtype, verbose) {
  const strides = computeStrides(shape);
  const padPerCol = computeMaxSizePerColumn(vals, shape, dtype);
  const valsLines = subTensorToString(vals, 0, shape, dtype, strides, padPerCol, true);
  const lines = ['Tensor'];
  if (verbose) {
    lines.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`,
      `  shape: [${shape}]`, '  values:');
  }
  lines.push(valsLines.map(l => '    ' + l).join('\n'));
  return lines.join('\n');
}

// Widest printed value per column; TF.js only pads for rank >= 2.
function computeMaxSizePerColumn(vals, shape, dtype) {
  if (shape.length < 2) return [];
  const numCols = shape[shape.length - 1];
  const pad = new Array(numCols).fill(0);
  const numRows = numCols === 0 ? 0 : vals.length / numCols;
  for (let row = 0; row < numRows; row++) {
    for (let j = 0; j < numCols; j++) {
      pad[j] = Math.max(pad[j], valToString(vals[row * numCols + j], 0, dtype).length);
    }
  }
  return pad;
}

function valToString(val, pad, dtype) {
  const str = dtype === 'bool' ? boolToString(val) :
    parseFloat(val.toFixed(FORMAT_NUM_SIG_DIGITS)).toString();
  return pad == null || pad <= str.length ? str : str + ' '.repeat(pad - str.length);
}

function boolToString(v) {
  return v === 0 ? 'false' : 'true';
}

function rowToString(vals, offset, size, dtype, padPerCol) {
  const fmt = (i) => valToString(vals[offset + i], padPerCol[i], dtype);
  if (size > FORMAT_LIMIT_NUM_VALS) {
    const first = [], last = [];
    for (let i = 0; i < FORMAT_NUM_FIRST_LAST_VALS; i++) {
      first.push(fmt(i));
      last.push(fmt(size - FORMAT_NUM_FIRST_LAST_VALS + i));
    }
    return '[' + first.join(', ') + ', ..., ' + last.join(', ') + ']';
  }
  const all = [];
  for (let i = 0; i < size; i++) all.push(fmt(i));
  return '[' + all.join(', ') + ']';
}

function subTensorToString(vals, offset, shape, dtype, strides, padPerCol, isLast) {
  const size = shape[0];
  const rank = shape.length;
  if (rank === 0) {
    return [dtype === 'bool' ? boolToString(vals[offset]) : vals[offset].toString()];
  }
  if (rank === 1) return [rowToString(vals, offset, size, dtype, padPerCol)];

  const subshape = shape.slice(1);
  const substrides = strides.slice(1);
  const stride = strides[0];
  const lines = [];
  const pushSub = (i, last) => lines.push(...subTensorToString(
    vals, offset + i * stride, subshape, dtype, substrides, padPerCol, last));
  if (size > FORMAT_LIMIT_NUM_VALS) {
    for (let i = 0; i < FORMAT_NUM_FIRST_LAST_VALS; i++) pushSub(i, false);
    lines.push('...');
    for (let i = size - FORMAT_NUM_FIRST_LAST_VALS; i < size; i++) pushSub(i, i === size - 1);
  } else {
    for (let i = 0; i < size; i++) pushSub(i, i === size - 1);
  }
  // Same line surgery as TF.js: with one line, first and last coincide,
  // which yields the ' [[1, 2],]' quirk.
  const sep = rank === 2 ? ',' : '';
  lines[0] = '[' + (size > 0 ? lines[0] + sep : '');
  for (let i = 1; i < lines.length - 1; i++) lines[i] = ' ' + lines[i] + sep;
  const newLineSep = ',\n' + '\n'.repeat(rank - 2);
  lines[lines.length - 1] = ' ' + lines[lines.length - 1] + ']' + (isLast ? '' : newLineSep);
  return lines;
}

// ---------------------------------------------------------------------------
// Creating tensors from JS values
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Ops
// ---------------------------------------------------------------------------

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
  return new Tensor(x._values, shape, dtype);
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
    new Tensor(convertValues(t._values, dtype), t.shape, dtype)));
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
    const vals = t._values;
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
    const idx = ind._values;
    const out = new ARRAY_TYPES[dtype](idx.length * depth);
    if (off !== 0) out.fill(off);
    for (let e = 0; e < idx.length; e++) {
      if (idx[e] >= 0 && idx[e] < depth) out[e * depth + idx[e]] = on;
    }
    return new Tensor(out, [...ind.shape, depth], dtype);
  }, 'int32');
}

// ---------------------------------------------------------------------------
// Scopes: tidy / keep / dispose / memory
// ---------------------------------------------------------------------------

function startScope(name) {
  engine.scopeStack.push({ track: [], name: name || 'unnamed scope', id: engine.nextScopeId++ });
}

// Disposes tensors created in the current scope unless kept or in `result`;
// result tensors born in this scope move to the parent scope.
function endScope(result) {
  const keepList = getTensorsInContainer(result);
  const keepIds = new Set(keepList.map(t => t.id));
  const scope = engine.scopeStack.pop();
  for (const t of scope.track) {
    if (!t.kept && !keepIds.has(t.id)) t.dispose();
  }
  for (const t of keepList) {
    if (!t.kept && t.scopeId === scope.id) trackInScope(t);
  }
}

function isThenable(x) {
  return x != null && typeof x.then === 'function';
}

function tidy(nameOrFn, fn) {
  let name = null;
  if (fn == null) {
    if (typeof nameOrFn !== 'function') {
      throw new Error('Please provide a function to tidy()');
    }
    fn = nameOrFn;
  } else {
    if (typeof nameOrFn !== 'string' && !(nameOrFn instanceof String)) {
      throw new Error('When calling with two arguments, the first argument to tidy() must be a string');
    }
    if (typeof fn !== 'function') {
      throw new Error('When calling with two arguments, the 2nd argument to tidy() must be a function');
    }
    name = nameOrFn;
  }
  startScope(name);
  let result;
  try {
    result = fn();
    // TF.js only logs this; we throw because the tensors are gone anyway.
    if (isThenable(result)) throw new Error('Cannot return a Promise inside of tidy.');
  } catch (e) {
    endScope(null);
    throw e;
  }
  endScope(result);
  return result;
}

function keep(t) {
  if (!isTensor(t)) throw new Error(`keep: expected a Tensor, got ${describe(t)}`);
  t.kept = true;
  return t;
}

// Every Tensor found in a tensor, array or object (walked recursively).
function getTensorsInContainer(container) {
  const list = [];
  walkContainer(container, list, new Set());
  return list;
}

function walkContainer(container, list, seen) {
  if (container == null) return;
  if (isTensor(container)) {
    list.push(container);
    return;
  }
  if (typeof container !== 'object' || isTypedArray(container)) return;
  for (const k in container) {
    const v = container[k];
    if (!seen.has(v)) {
      seen.add(v);
      walkContainer(v, list, seen);
    }
  }
}

function dispose(container) {
  for (const t of getTensorsInContainer(container)) t.dispose();
}

function memory() {
  return {
    numTensors: engine.numTensors,
    numDataBuffers: engine.numDataBuffers,
    numBytes: engine.numBytes,
    unreliable: false,
  };
}

module.exports = {
  Tensor,
  computeStrides,
  makeTensor,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  scalar,
  zeros,
  ones,
  oneHot,
  argMax,
  reshape,
  cast,
  clone,
  squeeze,
  expandDims,
  tidy,
  keep,
  dispose,
  memory,
  isTensor,
  // Internals useful to the rest of the package.
  startScope,
  endScope,
  getTensorsInContainer,
  tensorToString,
  sizeFromShape,
  typedArrayKind,
  typedArrayDtype,
  DTYPES,
};
