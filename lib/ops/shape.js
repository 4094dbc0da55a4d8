'use strict';
// Ops that rearrange values: slice, concat, stack, split, gather, transpose (TF.js semantics,
// argument forms and error messages).
const { Tensor, sizeFromShape, expandDims } = require('../tensor');
const { ARRAY_TYPES, assert, toTensor, parseAxis } = require('./util');

function stridesOf(shape) {
  const strides = new Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Values of a tensor of `shape` permuted by `perm` (out axis i = in axis perm[i]). */
function transposeValues(values, shape, perm) {
  const outShape = perm.map(p => shape[p]);
  const inStrides = stridesOf(shape);
  const steps = perm.map(p => inStrides[p]);
  const out = new values.constructor(values.length);
  const rank = outShape.length;
  const counter = new Array(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = values[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < outShape[d]) {
        src += steps[d];
        break;
      }
      counter[d] = 0;
      src -= steps[d] * (outShape[d] - 1);
    }
  }
  return out;
}

function transpose(x, perm) {
  const t = toTensor(x, 'x', 'transpose');
  if (perm == null) perm = t.shape.map((_, i) => i).reverse();
  assert(t.rank === perm.length, () => `Error in transpose: rank of input ${t.rank} must match length of perm ${perm}.`);
  perm.forEach(a => assert(Number.isInteger(a) && a >= 0 && a < t.rank, () => `All entries in 'perm' must be between 0 and ${t.rank - 1} but got ${perm}`));
  assert(new Set(perm).size === perm.length, () => `transpose: perm must not repeat an axis but got ${perm}`);
  return new Tensor(transposeValues(t.dataRef(), t.shape, perm), perm.map(p => t.shape[p]), t.dtype);
}

/** slice(x, begin, size): begin/size may be numbers or shorter than the rank; size -1 = to the end. */
function slice(x, begin, size) {
  const t = toTensor(x, 'x', 'slice');
  const rank = t.rank;
  if (rank === 0) throw new Error('Slicing scalar is not possible');
  const b = typeof begin === 'number' ? [begin, ...new Array(rank - 1).fill(0)] : [...begin, ...new Array(Math.max(0, rank - begin.length)).fill(0)];
  b.forEach(d => assert(d >= 0, 'slice() does not support negative begin indexing.'));
  let s = size == null ? new Array(rank).fill(-1) : typeof size === 'number' ? [size, ...new Array(rank - 1).fill(-1)] : [...size, ...new Array(Math.max(0, rank - size.length)).fill(-1)];
  s = s.map((d, i) => {
    if (d >= 0) return d;
    assert(d === -1, () => `Negative size values should be exactly -1 but got ${d} for the slice() size at index ${i}.`);
    return t.shape[i] - b[i];
  });
  assert(b.length === rank, () => `Error in slice${rank}D: Length of begin ${b} must match the rank of the array (${rank}).`);
  assert(s.length === rank, () => `Error in slice${rank}D: Length of size ${s} must match the rank of the array (${rank}).`);
  for (let i = 0; i < rank; i++) {
    assert(b[i] + s[i] <= t.shape[i], () => `Error in slice${rank}D: begin[${i}] + size[${i}] (${b[i] + s[i]}) would overflow input.shape[${i}] (${t.shape[i]})`);
  }
  const src = t.dataRef();
  const strides = stridesOf(t.shape);
  const out = new src.constructor(sizeFromShape(s));
  const counter = new Array(rank).fill(0);
  const start = b.reduce((acc, v, i) => acc + v * strides[i], 0);
  for (let o = 0, at = start; o < out.length; o++) {
    out[o] = src[at];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < s[d]) {
        at += strides[d];
        break;
      }
      counter[d] = 0;
      at -= strides[d] * (s[d] - 1);
    }
  }
  return new Tensor(out, s, t.dtype);
}

function toTensorList(tensors, opName) {
  if (!Array.isArray(tensors)) throw new Error(`Argument tensors passed to ${opName} must be a \`Tensor[]\` or \`TensorLike[]\``);
  return tensors.map((x, i) => toTensor(x, `tensors[${i}]`, opName));
}

/** concat(tensors, axis): the result has the first tensor's dtype, as in TF.js's cpu kernel. */
function concat(tensors, axis = 0) {
  assert(Array.isArray(tensors) && tensors.length >= 1, 'Pass at least one tensor to concat');
  const list = toTensorList(tensors, 'concat');
  if (list.length === 1) return list[0].clone();
  const [ax] = parseAxis(axis, list[0].shape);
  const rank = list[0].rank;
  const first = list[0].shape;
  list.forEach((t, i) => assert(t.rank === rank, () => `Error in concat${rank}D: rank of tensors[${i}] must be the same as the rank of the rest (${rank})`));
  list.forEach((t, i) => t.shape.forEach((d, r) => assert(r === ax || d === first[r],
    () => `Error in concat${rank}D: Shape of tensors[${i}] (${t.shape}) does not match the shape of the rest (${first}) along the non-concatenated axis ${i}.`)));
  const shape = first.slice();
  shape[ax] = list.reduce((s, t) => s + t.shape[ax], 0);
  const dtype = list[0].dtype;
  const out = new ARRAY_TYPES[dtype](sizeFromShape(shape));
  const outer = sizeFromShape(first.slice(0, ax));
  const inner = sizeFromShape(first.slice(ax + 1));
  let offset = 0;
  for (const t of list) {
    const v = t.dataRef();
    const block = t.shape[ax] * inner;
    for (let o = 0; o < outer; o++) {
      const dst = o * shape[ax] * inner + offset;
      for (let j = 0; j < block; j++) out[dst + j] = v[o * block + j];
    }
    offset += block;
  }
  return new Tensor(out, shape, dtype);
}

function stack(tensors, axis = 0) {
  const list = toTensorList(tensors, 'stack');
  assert(list.length >= 1, 'Pass at least one tensor to tf.stack');
  assert(axis <= list[0].rank, 'Axis must be <= rank of the tensor');
  if (list.length === 1) return expandDims(list[0], axis);
  const { shape, dtype } = list[0];
  for (const t of list) {
    assert(t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]), () => `All tensors passed to stack must have matching shapes Shapes ${shape} and ${t.shape} must match`);
    assert(t.dtype === dtype, 'All tensors passed to stack must have matching dtypes');
  }
  const a = axis < 0 ? axis + shape.length + 1 : axis;
  return concat(list.map(t => expandDims(t, a)), a);
}

/** split(x, numOrSizeSplits, axis): equal parts, or the given sizes (one may be -1). */
function split(x, numOrSizeSplits, axis = 0) {
  const t = toTensor(x, 'x', 'split');
  const [ax] = parseAxis(axis, t.shape);
  const dim = t.shape[ax];
  let sizes;
  if (typeof numOrSizeSplits === 'number') {
    assert(dim % numOrSizeSplits === 0, 'Number of splits must evenly divide the axis.');
    sizes = new Array(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = numOrSizeSplits.slice();
    assert(sizes.filter(v => v === -1).length <= 1, 'There should be only one negative value in split array.');
    const neg = sizes.indexOf(-1);
    if (neg !== -1) sizes[neg] = dim - sizes.reduce((a, b) => (b > 0 ? a + b : a), 0);
    assert(dim === sizes.reduce((a, b) => a + b, 0), 'The sum of sizes must match the size of the axis dimension.');
  }
  let begin = 0;
  return sizes.map((n) => {
    const b = t.shape.map((_, i) => (i === ax ? begin : 0));
    const s = t.shape.map((d, i) => (i === ax ? n : d));
    begin += n;
    return slice(t, b, s);
  });
}

/** gather(x, indices, axis): slices of x along axis at int32 indices (batchDims 0). */
function gather(x, indices, axis = 0, batchDims = 0) {
  const t = toTensor(x, 'x', 'gather');
  const idx = toTensor(indices, 'indices', 'gather', 'int32');
  assert(batchDims === 0, () => `gather: batchDims other than 0 is not supported (got ${batchDims})`);
  const [ax] = parseAxis(axis, t.shape);
  const dim = t.shape[ax];
  const iv = idx.dataRef();
  for (const i of iv) assert(i >= 0 && i < dim, () => `GatherV2: the index value ${i} is not in [0, ${dim - 1}]`);
  const outer = sizeFromShape(t.shape.slice(0, ax));
  const inner = sizeFromShape(t.shape.slice(ax + 1));
  const shape = [...t.shape.slice(0, ax), ...idx.shape, ...t.shape.slice(ax + 1)];
  const src = t.dataRef();
  const out = new src.constructor(sizeFromShape(shape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const i of iv) {
      const base = (o * dim + i) * inner;
      for (let j = 0; j < inner; j++) out[k++] = src[base + j];
    }
  }
  return new Tensor(out, shape, t.dtype);
}

module.exports = { transpose, transposeValues, slice, concat, stack, split, gather };
