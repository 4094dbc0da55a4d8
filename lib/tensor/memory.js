'use strict';
// The memory engine: tf.memory()'s counters (tensors neither disposed nor collected, their
// buffers and bytes), and the scopes of tf.tidy, tf.keep and tf.dispose.
const { isThenable } = require('../thenable');
const { BYTES_PER_ELEMENT, isTensor, isTypedArray, describe } = require('./util');

const engine = {
  numTensors: 0,
  numDataBuffers: 0,
  numBytes: 0,
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

/** Stops counting a tensor (disposed before the GC collected it). */
function untrackMemory(t, mem) {
  registry.unregister(t);
  releaseMemory(mem);
}

/** Whether no tensor was made (or moved here) in the innermost scope so far. */
function scopeMadeNoTensor() {
  const scope = activeScope();
  return scope === null || scope.track.length === 0;
}

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

module.exports = { trackMemory, untrackMemory, trackInScope, startScope, endScope, scopeMadeNoTensor, getTensorsInContainer, tidy, keep, dispose, memory };
