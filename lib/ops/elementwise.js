'use strict';
// Element-wise ops with TF.js's broadcasting, dtype rules (the wider input dtype wins; int32
// division floors) and cpu-kernel arithmetic (computed in doubles, stored in the result's typed
// array, so float32 rounding and int32 truncation match).
const { assert, toTensor, upcast, build, broadcastShapes, forEachBroadcast } = require('./util');

function binary(opName, f, resultDtype) {
  return (a, b) => {
    const ta = toTensor(a, 'a', opName);
    const tb = toTensor(b, 'b', opName);
    const dtype = upcast(ta.dtype, tb.dtype);
    return binaryOn(ta, tb, resultDtype ? resultDtype(dtype) : dtype, f(dtype));
  };
}

function binaryOn(ta, tb, dtype, f) {
  const av = ta.dataRef();
  const bv = tb.dataRef();
  if (sameShape(ta.shape, tb.shape)) return build(ta.shape, dtype, out => { for (let i = 0; i < out.length; i++) out[i] = f(av[i], bv[i]); });
  const shape = broadcastShapes(ta.shape, tb.shape);
  if (tb.size === 1) return build(shape, dtype, (out) => { const b0 = bv[0]; for (let i = 0; i < out.length; i++) out[i] = f(av[i], b0); });
  if (ta.size === 1) return build(shape, dtype, (out) => { const a0 = av[0]; for (let i = 0; i < out.length; i++) out[i] = f(a0, bv[i]); });
  return build(shape, dtype, out => forEachBroadcast(shape, [ta.shape, tb.shape], (o, [i, j]) => { out[o] = f(av[i], bv[j]); }));
}

function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const add = binary('add', () => (a, b) => a + b);
const sub = binary('sub', () => (a, b) => a - b);
const mul = binary('mul', () => (a, b) => a * b);
const div = binary('div', dtype => (dtype === 'int32' ? (a, b) => Math.floor(a / b) : (a, b) => a / b));
const pow = binary('pow', () => Math.pow);
const toBool = () => 'bool';
const equal = binary('equal', () => (a, b) => (a === b ? 1 : 0), toBool);
const notEqual = binary('notEqual', () => (a, b) => (a !== b ? 1 : 0), toBool);
const greater = binary('greater', () => (a, b) => (a > b ? 1 : 0), toBool);
const greaterEqual = binary('greaterEqual', () => (a, b) => (a >= b ? 1 : 0), toBool);
const less = binary('less', () => (a, b) => (a < b ? 1 : 0), toBool);
const lessEqual = binary('lessEqual', () => (a, b) => (a <= b ? 1 : 0), toBool);

/** `need` restricts the input dtype; `outDtype` maps the input dtype to the result's. */
function unary(opName, f, { need = 'numeric', outDtype = d => d } = {}) {
  return (x) => {
    const t = toTensor(x, 'x', opName, need);
    const v = t.dataRef();
    const dtype = outDtype(t.dtype);
    const g = t.dtype === 'bool' && dtype === 'bool' ? (a => (f(a) !== 0 ? 1 : 0)) : f;
    return build(t.shape, dtype, (out) => { for (let i = 0; i < out.length; i++) out[i] = g(v[i]); });
  };
}

const neg = unary('neg', a => -a);
const abs = unary('abs', Math.abs);
const square = unary('square', a => a * a);
const sqrt = unary('sqrt', Math.sqrt, { need: 'float32' });
const log = unary('log', Math.log, { need: 'float32' });
const exp = unary('exp', Math.exp, { outDtype: () => 'float32' });

/** where(condition, a, b): a where condition is true, else b; all three broadcast. */
function where(condition, a, b) {
  const c = toTensor(condition, 'condition', 'where', 'bool');
  const ta = toTensor(a, 'a', 'where');
  const tb = toTensor(b, 'b', 'where');
  const dtype = upcast(ta.dtype, tb.dtype);
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape), tb.shape);
  const [cv, av, bv] = [c.dataRef(), ta.dataRef(), tb.dataRef()];
  return build(shape, dtype, out => forEachBroadcast(shape, [c.shape, ta.shape, tb.shape], (o, [i, j, k]) => {
    out[o] = cv[i] ? av[j] : bv[k];
  }));
}

function clipByValue(x, clipValueMin, clipValueMax) {
  const t = toTensor(x, 'x', 'clipByValue');
  assert(clipValueMin <= clipValueMax, () => `Error in clip: min (${clipValueMin}) must be less than or equal to max (${clipValueMax}).`);
  const v = t.dataRef();
  return build(t.shape, t.dtype, (out) => {
    for (let i = 0; i < out.length; i++) {
      const a = v[i];
      out[i] = a > clipValueMax ? clipValueMax : (a < clipValueMin ? clipValueMin : a);
    }
  });
}

module.exports = {
  binaryOn,
  add, sub, mul, div, pow, equal, notEqual, greater, greaterEqual, less, lessEqual,
  neg, abs, square, sqrt, log, exp, where, clipByValue,
};
