'use strict';
// Converts the x/y arguments of fit, evaluate and predict (a Tensor, an array of Tensors, or an
// object keyed by input/output name) into row-major Float32Arrays for the native core.
const { Tensor, isTensor, makeTensor, typedArrayKind } = require('./tensor');
const { fail, describe, finiteNumber } = require('./errors');

function toMatrix(value, what) {
  let t = value;
  if (!isTensor(t)) {
    if (!Array.isArray(t) && !ArrayBuffer.isView(t)) fail(`${what} must be a Tensor (or a nested array) but got ${describe(value)}`);
    t = makeTensor(t, undefined, 'float32', what, 'values');
  }
  t.throwIfDisposed();
  if (t.rank === 1) return { data: asFloat32(t), rows: t.shape[0], cols: 1, shape: t.shape };
  if (t.rank !== 2) fail(`${what} must be a 2-D tensor [rows, features] (or 1-D) but got shape [${t.shape}]`);
  return { data: asFloat32(t), rows: t.shape[0], cols: t.shape[1], shape: t.shape };
}

/**
 * How a wrong-width block reads in an error, in shapes as TF.js words it: "array with shape
 * [1,3]"; a 1-D tensor is read as one column, which is said, since it is the usual surprise.
 */
function shapeMismatch(name, width, shape) {
  const got = shape.length === 1
    ? `a 1-D tensor of shape [${shape}], which is read as ${shape[0]} row(s) of 1 value (shape [${shape[0]},1]); ` +
      `one example of ${width} values is a 2-D tensor of shape [1,${width}], e.g. tf.tensor2d([[...]])`
    : `array with shape [${shape}]`;
  return `expected ${name} to have shape [null,${width}] but got ${got}`;
}

function asFloat32(t) {
  const values = t.dataRef();
  return typedArrayKind(values) === 'Float32Array' ? values : Float32Array.from(values);
}

/**
 * @param value Tensor | Tensor[] | {name: Tensor}
 * @param names the model's input (or output) names, in order
 * @param what 'fit: x', ...
 * @returns {arrays: Float32Array[], rows: number, cols: number[], shapes: number[][]} (shapes as given)
 */
function toBlocks(value, names, what) {
  let list;
  if (isTensor(value) || (Array.isArray(value) && (value.length === 0 || !isTensor(value[0])) && names.length === 1)) {
    list = [value];
  } else if (Array.isArray(value)) {
    list = value;
  } else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const unknown = Object.keys(value).filter(k => !names.includes(k));
    if (unknown.length) fail(`${what}: '${unknown[0]}' is not one of the model's names (${names.join(', ')})`);
    list = names.map((n) => {
      if (!(n in value)) fail(`${what}: no data for '${n}'; expected keys ${names.join(', ')}`);
      return value[n];
    });
  } else {
    fail(`${what} must be a Tensor, an array of Tensors or an object keyed by name but got ${describe(value)}`);
  }
  if (list.length !== names.length) fail(`${what}: the model has ${names.length} (${names.join(', ')}) but ${list.length} array(s) were given`);
  const mats = list.map((v, i) => toMatrix(v, names.length > 1 ? `${what} '${names[i]}'` : what));
  const rows = mats[0].rows;
  mats.forEach((m, i) => {
    if (m.rows !== rows) fail(`${what}: all arrays must have the same number of rows, but '${names[0]}' has ${rows} and '${names[i]}' has ${m.rows}`);
  });
  return { arrays: mats.map(m => m.data), rows, cols: mats.map(m => m.cols), shapes: mats.map(m => m.shape) };
}

/** Wraps a native row-major result as a [rows, cols] tensor without copying. */
function matrixTensor(data, rows, cols) {
  return Tensor.fromTypedArray(data, [rows, cols], 'float32');
}

/** fit's classWeight as one map (or null) per output: one map, an array per output, or keyed by output name. */
function classWeightsPerOutput(classWeight, outputs) {
  if (classWeight == null) return [];
  // The binding checks the keys (class indices); a NaN or an infinity could not reach it (JSON has none).
  const one = (cw) => {
    if (cw == null) return null;
    for (const [k, v] of Object.entries(cw)) finiteNumber(v, `fit: classWeight for class ${k}`);
    return cw;
  };
  if (Array.isArray(classWeight)) return classWeight.map(one);
  const keys = Object.keys(classWeight);
  if (keys.length && keys.every(k => outputs.includes(k)) && outputs.length > 1) return outputs.map(o => one(classWeight[o]));
  return [one(classWeight)];
}

module.exports = { shapeMismatch, toBlocks, matrixTensor, classWeightsPerOutput };
