'use strict';
// Walking nested elements (objects and arrays holding tensors and numbers), as tfjs-data's
// deep_map.ts does: cloning, zipping a batch of elements into one, awaiting promises inside.
const { isTensor } = require('../tensor');

/** An object or array to recurse into (not a tensor, typed array or promise). */
function isIterable(obj) {
  return obj != null && !ArrayBuffer.isView(obj) &&
    (Array.isArray(obj) || (typeof obj === 'object' && !isTensor(obj) && !(obj instanceof Promise)));
}

/** A leaf that batching turns into one tensor. */
function canTensorify(obj) {
  return obj == null || (typeof obj !== 'object' && typeof obj !== 'function') || Array.isArray(obj) ||
    isTensor(obj) || ArrayBuffer.isView(obj);
}

/**
 * Maps `input` with mapFn(x) -> {value, recurse}; recursing copies objects and arrays.
 * `seen` caches results per input object.
 */
function deepMap(input, mapFn, seen = new Map(), containedIn = new Set()) {
  if (input == null) return null;
  if (containedIn.has(input)) throw new Error('Circular references are not supported.');
  if (seen.has(input)) return seen.get(input);
  const result = mapFn(input);
  if (!result.recurse) {
    seen.set(input, result.value);
    return result.value;
  }
  if (!isIterable(input)) throw new Error(`Can't recurse into non-iterable type: ${input}`);
  const out = Array.isArray(input) ? [] : {};
  containedIn.add(input);
  for (const k in input) setOwn(out, k, deepMap(input[k], mapFn, seen, containedIn));
  containedIn.delete(input);
  if (!Array.isArray(input) && Object.getPrototypeOf(input)) Object.setPrototypeOf(out, Object.getPrototypeOf(input));
  return out;
}

/** out[k] = value, as an own property even for `__proto__` (a CSV column may be named so). */
function setOwn(out, k, value) {
  if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  else out[k] = value;
}

/** Copies nested objects and arrays, cloning tensors (so consumers may dispose them). */
function deepClone(container) {
  return deepMap(container, (item) => {
    if (isTensor(item)) return { value: item.clone(), recurse: false };
    if (isIterable(item)) return { value: null, recurse: true };
    return { value: item, recurse: false };
  });
}

/**
 * deepClone for the elements a dataset yields: the same copies (tensors cloned, objects and
 * arrays copied, null and undefined read as null, typed arrays shared) in one quick walk.
 */
function cloneElement(x, depth = 0) {
  if (x == null) return null;
  if (typeof x !== 'object' || ArrayBuffer.isView(x) || x instanceof Promise) return x;
  if (isTensor(x)) return x.clone();
  if (depth > 64) throw new Error('Circular references are not supported.');
  if (Array.isArray(x)) {
    const out = new Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v == null ? null : typeof v === 'object' ? cloneElement(v, depth + 1) : v;
    }
    return out;
  }
  const out = {};
  for (const k in x) {
    const v = x[k];
    out[k] = v == null ? null : typeof v === 'object' ? cloneElement(v, depth + 1) : v;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto && proto !== Object.prototype) Object.setPrototypeOf(out, proto);
  return out;
}

/** deepMap whose leaves may be promises: awaits them all, then builds the result. */
async function deepMapAndAwaitAll(input, mapFn) {
  const seen = new Map();
  deepMap(input, mapFn, seen);
  for (const [key, value] of seen) {
    if (value instanceof Promise || (value && typeof value.then === 'function')) seen.set(key, await value);
  }
  return deepMap(input, mapFn, seen);
}

/**
 * Zips a list of like-shaped elements into one: zipFn(list) -> {value, recurse}; recursing
 * zips each key of the first element over the whole list.
 */
function deepZip(inputs, zipFn, containedIn = new Set()) {
  const input = inputs[0];
  if (containedIn.has(input)) throw new Error('Circular references are not supported.');
  const result = zipFn(inputs);
  if (!result.recurse) return result.value;
  if (!isIterable(input)) throw new Error(`Can't recurse into non-iterable type: ${input}`);
  const out = Array.isArray(input) ? [] : {};
  containedIn.add(input);
  for (const k in input) setOwn(out, k, deepZip(inputs.map(x => x[k]), zipFn, containedIn));
  containedIn.delete(input);
  return out;
}

/**
 * The tensors inside nested objects and arrays (a faster getTensorsInContainer for elements,
 * which are walked once per step: primitives and arrays of numbers are skipped cheaply, and
 * nothing is allocated when there is no tensor).
 */
function tensorsIn(x, out = [], depth = 0) {
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return out;
  if (isTensor(x)) {
    out.push(x);
    return out;
  }
  if (depth > 64) throw new Error('Circular references are not supported.');
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== null && typeof v === 'object') tensorsIn(v, out, depth + 1);
    }
  } else {
    for (const k in x) {
      const v = x[k];
      if (v !== null && typeof v === 'object') tensorsIn(v, out, depth + 1);
    }
  }
  return out;
}

/** Whether nested objects and arrays hold a tensor (allocates nothing). */
function hasTensor(x, depth = 0) {
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return false;
  if (isTensor(x)) return true;
  if (depth > 64) throw new Error('Circular references are not supported.');
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== null && typeof v === 'object' && hasTensor(v, depth + 1)) return true;
    }
    return false;
  }
  for (const k in x) {
    const v = x[k];
    if (v !== null && typeof v === 'object' && hasTensor(v, depth + 1)) return true;
  }
  return false;
}

const NONE = Object.freeze([]);

/** tensorsIn for a list of elements; a shared empty list when there is none. */
function tensorsInAll(list) {
  let out = NONE;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (hasTensor(v)) {
      if (out === NONE) out = [];
      tensorsIn(v, out, 1);
    }
  }
  return out.length ? out : NONE;
}

module.exports = { tensorsIn, tensorsInAll, hasTensor, isIterable, canTensorify, deepMap, deepClone, cloneElement, deepMapAndAwaitAll, deepZip };
