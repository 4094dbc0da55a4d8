'use strict';
// Argument checks shared by the API layer. Messages name the argument, what was expected and what came.

function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(describe).join(',')}]`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  return (v.constructor && v.constructor.name !== 'Object') ? v.constructor.name : 'an object';
}

function fail(message) {
  throw new Error(message);
}

function positiveInteger(value, what) {
  if (!Number.isInteger(value) || value <= 0) fail(`${what} must be a positive integer but got ${describe(value)}`);
  return value;
}

function nonNegativeInteger(value, what) {
  if (!Number.isInteger(value) || value < 0) fail(`${what} must be a non-negative integer but got ${describe(value)}`);
  return value;
}

function finiteNumber(value, what) {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${what} must be a finite number but got ${describe(value)}`);
  return value;
}

function oneOf(value, valid, what) {
  if (!valid.includes(value)) fail(`Unknown ${what} ${describe(value)}. Expected one of: ${valid.join(', ')}`);
  return value;
}

module.exports = { describe, fail, positiveInteger, nonNegativeInteger, finiteNumber, oneOf };
