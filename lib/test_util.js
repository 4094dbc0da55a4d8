'use strict';
// tf.test_util: TF.js's assertion helpers for tests (abalone-node's tests use expectArraysClose).
// One deliberate difference: given tensors, these compare their shapes and values. TF.js
// flattens a tensor into a one-element list and compares nothing, so every such check passes.
const { isTensor } = require('./tensor');
const { util } = require('./util');

const TEST_EPSILON_FLOAT32 = 1e-3;
const TEST_EPSILON_FLOAT16 = 1e-1;

/** The tolerance TF.js uses on a float32 backend (the only kind dense-mtl has). */
const testEpsilon = () => TEST_EPSILON_FLOAT32;

function areClose(a, e, epsilon) {
  if (!Number.isFinite(Number(a)) && !Number.isFinite(Number(e))) return true;
  return !(Number.isNaN(Number(a)) || Number.isNaN(Number(e)) || Math.abs(a - e) > epsilon);
}

/** Tells a running jasmine that the test asserted something (jest has no `nothing`). */
function countAssertion() {
  if (typeof expect !== 'undefined') {
    const matchers = expect(); // eslint-disable-line no-undef
    if (matchers && typeof matchers.nothing === 'function') matchers.nothing();
  }
}

function expectArraysPredicate(actual, expected, predicate) {
  if (isTensor(actual) || isTensor(expected)) {
    if (isTensor(actual) && isTensor(expected) && !util.arraysEqual(actual.shape, expected.shape)) {
      throw new Error(`Tensors have different shapes. Actual: [${actual.shape}]. Expected: [${expected.shape}]`);
    }
    actual = isTensor(actual) ? actual.dataSync() : actual;
    expected = isTensor(expected) ? expected.dataSync() : expected;
  }
  let checkClassType = !(util.isTypedArray(actual) || util.isTypedArray(expected));
  if (util.isTypedArray(actual) && util.isTypedArray(expected)) checkClassType = true;
  if (checkClassType) {
    const aType = actual.constructor.name;
    const bType = expected.constructor.name;
    if (aType !== bType) throw new Error(`Arrays are of different type. Actual: ${aType}. Expected: ${bType}`);
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const actualShape = shapeOf(actual);
    const expectedShape = shapeOf(expected);
    if (!util.arraysEqual(actualShape, expectedShape)) {
      throw new Error(`Arrays have different shapes. Actual: [${actualShape}]. Expected: [${expectedShape}]`);
    }
  }
  const actualFlat = util.isTypedArray(actual) ? actual : util.flatten(actual);
  const expectedFlat = util.isTypedArray(expected) ? expected : util.flatten(expected);
  if (actualFlat.length !== expectedFlat.length) {
    throw new Error(`Arrays have different lengths actual: ${actualFlat.length} vs expected: ${expectedFlat.length}.\n` +
      `Actual:   ${actualFlat}.\nExpected: ${expectedFlat}.`);
  }
  for (let i = 0; i < expectedFlat.length; ++i) {
    if (!predicate(actualFlat[i], expectedFlat[i])) {
      throw new Error(`Arrays differ: actual[${i}] = ${actualFlat[i]}, expected[${i}] = ${expectedFlat[i]}.\n` +
        `Actual:   ${actualFlat}.\nExpected: ${expectedFlat}.`);
    }
  }
  countAssertion();
}

function shapeOf(values) {
  const shape = [];
  for (let a = values; Array.isArray(a) || util.isTypedArray(a); a = a[0]) shape.push(a.length);
  return shape;
}

/** Throws unless actual and expected have the same shape and every pair differs by <= epsilon (1e-3). */
function expectArraysClose(actual, expected, epsilon) {
  const eps = epsilon ?? testEpsilon();
  return expectArraysPredicate(actual, expected, (a, b) => areClose(a, b, eps));
}

/** Throws unless actual and expected hold exactly the same values (strings compared with ==). */
function expectArraysEqual(actual, expected) {
  const exp = typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean' ? [expected] : expected;
  const hasString = v => util.isString(v) || (v != null && typeof v === 'object' && !isTensor(v) && util.isString(v[0]));
  if (hasString(actual) || hasString(expected)) return expectArraysPredicate(actual, exp, (a, b) => a == b);  
  return expectArraysPredicate(actual, expected, (a, b) => areClose(a, b, 0));
}

function expectNumbersClose(a, e, epsilon) {
  if (!areClose(a, e, epsilon ?? testEpsilon())) throw new Error(`Numbers differ: actual === ${a}, expected === ${e}`);
  countAssertion();
}

/** Calls done() when fn()'s promise rejects, done.fail() (or done(error)) when it resolves. */
function expectPromiseToFail(fn, done) {
  fn().then(() => (typeof done.fail === 'function' ? done.fail() : done(new Error('Expected the promise to fail'))), () => done());
  countAssertion();
}

function expectValuesInRange(actual, low, high) {
  const values = isTensor(actual) ? actual.dataSync() : actual;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < low || values[i] > high) throw new Error(`Value out of range:${values[i]} low: ${low}, high: ${high}`);
  }
}

function expectArrayBuffersEqual(actual, expected) {
  const actualArray = new Float32Array(actual);
  const expectedArray = new Float32Array(expected);
  if (actualArray.length !== expectedArray.length) {
    throw new Error(`Expected ArrayBuffer to be of length ${expectedArray.length}, but it was ${actualArray.length}`);
  }
  for (let i = 0; i < expectedArray.length; i++) {
    if (actualArray[i] !== expectedArray[i]) {
      throw new Error(`Expected ArrayBuffer value at ${i} to be ${expectedArray[i]} but got ${actualArray[i]} instead`);
    }
  }
}

/** Encodes every string of a (nested) array to UTF-8 bytes, in place. */
function encodeStrings(a) {
  for (let i = 0; i < a.length; i++) {
    if (Array.isArray(a[i])) encodeStrings(a[i]);
    else a[i] = util.encodeString(a[i]);
  }
  return a;
}

const test_util = {  
  TEST_EPSILON_FLOAT16, testEpsilon, expectArraysClose, expectArraysEqual, expectNumbersClose, expectPromiseToFail,
  expectValuesInRange, expectArrayBuffersEqual, encodeStrings,
};

module.exports = { test_util };  
