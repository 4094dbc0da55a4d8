'use strict';
// The oracle: pure @tensorflow/tfjs 4.22 on its cpu backend, quiet.
let tfjs;
function loadTfjs() {
  if (!tfjs) {
    const warn = console.warn;
    console.warn = () => {};
    tfjs = require('@tensorflow/tfjs');
    tfjs.setBackend('cpu');
    tfjs.tensor([0]).dataSync(); // trigger the one-time Node banner while silenced
    console.warn = warn;
  }
  return tfjs;
}

/** Deterministic pseudo-random numbers in [lo, hi) (an LCG: tests need repeatable data, not quality). */
function seededValues(n, seed, lo = -1, hi = 1) {
  let s = seed >>> 0;
  const out = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (hi - lo) * (s / 2 ** 32));
  }
  return out;
}

/** Max over elements of |a-b| / max(1, |b|). */
function maxRelativeError(actual, expected) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

module.exports = { loadTfjs, seededValues, maxRelativeError };
