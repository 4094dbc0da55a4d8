'use strict';
// Merging a batch of elements into one element of tensors, as tfjs-data's deepBatchConcat does:
// tensors are stacked; numbers, booleans and (nested) arrays become one tensor; objects and
// arrays of objects are merged key by key.
const { Tensor, isTensor, typedArrayKind, typedArrayDtype } = require('../tensor');
const { canTensorify, deepZip } = require('./deep_map');

function batchElements(rows) {
  return deepZip(rows, (list) => (canTensorify(list[0]) ? { value: batchConcat(list), recurse: false } : { value: null, recurse: true }));
}

function batchConcat(list) {
  if (list.length === 0) throw new Error('Can\'t make a batch of zero elements.');
  if (isTensor(list[0])) return require('../ops').stack(list);
  return tensorFromRows(list);
}

// Like tf.tensor(list): the first leaf sets the dtype; as in TF.js's float32 conversion,
// undefined (an empty CSV cell) becomes NaN and null becomes 0.
function tensorFromRows(list) {
  const quick = numberRows(list);
  if (quick) return quick;
  const shape = [list.length];
  let first = list[0];
  while (Array.isArray(first) || ArrayBuffer.isView(first)) {
    shape.push(first.length);
    if (ArrayBuffer.isView(first)) break;
    first = first[0];
  }
  if (typeof first === 'string') {
    throw new Error(`batch: cannot make a tensor of strings (got ${JSON.stringify(first)}); ` +
      'map string values to numbers (e.g. class indices) before batch()');
  }
  const kind = typedArrayKind(first);
  const dtype = typeof first === 'boolean' ? 'bool' : (kind ? typedArrayDtype(kind) : 'float32');
  const size = shape.reduce((a, b) => a * b, 1);
  const out = dtype === 'bool' ? new Uint8Array(size) : dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  let k = 0;
  const fill = (node, dim, path) => {
    if (dim === shape.length) {
      if (typeof node === 'string' || (node !== null && typeof node === 'object')) {
        throw new Error(`batch: element ${path} is ${typeof node === 'string' ? JSON.stringify(node) : 'an object'}; every element must have the same structure and hold numbers`);
      }
      out[k++] = dtype === 'bool' ? (node ? 1 : 0) : (node === undefined ? NaN : Number(node));
      return;
    }
    if (!(Array.isArray(node) || ArrayBuffer.isView(node)) || node.length !== shape[dim]) {
      throw new Error(`batch: element ${path} should have length ${shape[dim]} like the first element's, but has ${node != null && node.length != null ? `length ${node.length}` : 'no length'}`);
    }
    for (let i = 0; i < node.length; i++) fill(node[i], dim + 1, `${path}[${i}]`);
  };
  fill(list, 0, '');
  return new Tensor(out, shape, dtype);
}

/**
 * The common case, quickly: rows that are all numbers, or all arrays of the same number of
 * numbers, as float32. Null when the rows are anything else (the general path decides then).
 */
function numberRows(list) {
  const first = list[0];
  if (typeof first === 'number') {
    const out = new Float32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v !== 'number') return null;
      out[i] = v;
    }
    return new Tensor(out, [list.length], 'float32');
  }
  if (!Array.isArray(first) || typeof first[0] !== 'number') return null;
  const width = first.length;
  const out = new Float32Array(list.length * width);
  for (let i = 0; i < list.length; i++) if (!writeNumberArray(list[i], width, out, i)) return null;
  return new Tensor(out, [list.length, width], 'float32');
}

/**
 * Writes an array of `width` numbers as row `r` of `out`; false for anything else. Shared with
 * fitDataset, which writes batch rows straight into its arrays.
 */
function writeNumberArray(v, width, out, r) {
  if (!Array.isArray(v) || v.length !== width) return false;
  const at = r * width;
  for (let j = 0; j < width; j++) {
    const x = v[j];
    if (typeof x !== 'number') return false;
    out[at + j] = x;
  }
  return true;
}

module.exports = { batchElements, writeNumberArray };
