'use strict';
// Activations, rounding and element-wise comparisons/logic with TF.js's cpu-kernel semantics:
// the same input dtype rules (sigmoid, tanh, floor, ceil and the softmaxes want float32; the
// logical ops want bool; bool becomes int32 in relu, maximum and minimum), the same arithmetic
// (round is banker's rounding, mod takes the sign of the divisor) and the same messages.
const { assert, toTensor, upcast, build } = require('./util');
const elementwise = require('./elementwise');
const reduce = require('./reduce');

function mapValues(t, dtype, f) {
  const v = t.dataRef();
  return build(t.shape, dtype, (out) => { for (let i = 0; i < out.length; i++) out[i] = f(v[i]); });
}

/** A unary op over `need`-typed input; bool input is read as int32 when `boolAsInt`. */
function unary(opName, f, { need = 'numeric', boolAsInt = false } = {}) {
  return (x) => {
    const t = toTensor(x, 'x', opName, need);
    const dtype = boolAsInt && t.dtype === 'bool' ? 'int32' : t.dtype;
    return mapValues(t, dtype, f);
  };
}

const sigmoid = unary('sigmoid', a => 1 / (1 + Math.exp(-a)), { need: 'float32' });
const tanh = unary('tanh', Math.tanh, { need: 'float32' });
const relu = unary('relu', a => (a < 0 ? 0 : a), { boolAsInt: true });
const floor = unary('floor', Math.floor, { need: 'float32' });
const ceil = unary('ceil', Math.ceil, { need: 'float32' });
const sign = unary('sign', a => (a < 0 ? -1 : a > 0 ? 1 : 0));

/** Rounds half to even, as TF.js (round(0.5) = 0, round(1.5) = 2, round(2.5) = 2). */
const round = unary('round', (a) => {
  const base = Math.floor(a);
  if (a - base < 0.5) return base;
  if (a - base > 0.5) return Math.ceil(a);
  return base % 2 === 0 ? base : base + 1;
});

function binary(opName, f, { boolAsInt = false, need = 'numeric', outDtype } = {}) {
  return (a, b) => {
    const ta = toTensor(a, 'a', opName, need);
    const tb = toTensor(b, 'b', opName, need);
    let dtype = upcast(ta.dtype, tb.dtype);
    if (boolAsInt && dtype === 'bool') dtype = 'int32';
    if (outDtype) dtype = outDtype;
    return elementwise.binaryOn(ta, tb, dtype, f);
  };
}

const maximum = binary('maximum', (a, b) => Math.max(a, b), { boolAsInt: true });
const minimum = binary('minimum', (a, b) => Math.min(a, b), { boolAsInt: true });
/** The remainder with the divisor's sign (Python's %), as TF.js's mod. */
const mod = binary('mod', (a, b) => {
  const rem = a % b;
  return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? rem : (rem + b) % b;
});
const logicalAnd = binary('logicalAnd', (a, b) => (a && b ? 1 : 0), { need: 'bool' });
const logicalOr = binary('logicalOr', (a, b) => (a || b ? 1 : 0), { need: 'bool' });
const logicalXor = binary('logicalXor', (a, b) => ((a ? 1 : 0) ^ (b ? 1 : 0)), { need: 'bool' });
const logicalNot = unary('logicalNot', a => (a ? 0 : 1), { need: 'bool' });

function lastAxis(t, axis, opName, what) {
  if (t.rank === 0) throw new Error(`All values in axis param must be in range [-0, 0) but got axis ${axis}`);
  const a = axis < 0 ? axis + t.rank : axis;
  assert(a === t.rank - 1, () => `${opName} along a non-last dimension is not yet supported. Logits was rank ${t.rank} and ${what} was ${axis}`);
}

/** softmax along the last axis: exp(x - max) / sum, each step rounded to float32 as in TF.js. */
function softmax(logits, dim = -1) {
  const t = toTensor(logits, 'logits', 'softmax', 'float32');
  lastAxis(t, dim, 'Softmax', 'dim');
  const e = elementwise.exp(elementwise.sub(t, reduce.max(t, -1, true)));
  return elementwise.div(e, reduce.sum(e, -1, true));
}

/** logSoftmax along the last axis: (x - max) - log(sum(exp(x - max))). */
function logSoftmax(logits, axis = -1) {
  const t = toTensor(logits, 'logits', 'logSoftmax', 'float32');
  lastAxis(t, axis, 'Log Softmax', 'axis');
  const shifted = elementwise.sub(t, reduce.max(t, -1, true));
  return elementwise.sub(shifted, elementwise.log(reduce.sum(elementwise.exp(shifted), -1, true)));
}

module.exports = {
  sigmoid, tanh, relu, softmax, logSoftmax, round, floor, ceil, sign,
  maximum, minimum, mod, logicalAnd, logicalOr, logicalXor, logicalNot,
};
