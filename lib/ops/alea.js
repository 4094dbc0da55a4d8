'use strict';
// The Alea generator of the seedrandom package (the one TF.js uses for shuffle, randomUniform and
// randomNormal), so that seeded results equal TF.js's. Port of Johannes Baagøe's algorithm
// (MIT licence, 2010), as published in seedrandom/lib/alea.js.

const MASH_START = 0xefc8249d;

/** Mash's state after hashing `data` from state `n`. */
function mash(n, data) {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000;
  }
  return n;
}

/** Mash's output for a state: a double in [0, 1). */
const mashValue = n => (n >>> 0) * 2.3283064365386963e-10;

// Alea seeds its three state words by mashing ' ' three times, then the seed three times. The
// first three do not depend on the seed: done once here (a shuffle seeds a generator per epoch).
const SPACES = (() => {
  let n = MASH_START;
  const words = [];
  for (let k = 0; k < 3; k++) {
    n = mash(n, ' ');
    words.push(mashValue(n));
  }
  return { n, words };
})();

/** alea(seed): a function returning doubles in [0, 1), with .int32(). */
function alea(seed) {
  const text = String(seed);
  // The state lives in a Float64Array: doubles kept in closure variables would each be boxed
  // (a heap allocation per draw, and a shuffle draws once per element). s0, s1, s2, carry.
  const state = new Float64Array(4);
  let n = SPACES.n;
  for (let k = 0; k < 3; k++) {
    n = mash(n, text);
    const word = SPACES.words[k] - mashValue(n);
    state[k] = word < 0 ? word + 1 : word;
  }
  state[3] = 1;
  const next = () => {
    const t = 2091639 * state[0] + state[3] * 2.3283064365386963e-10;
    state[0] = state[1];
    state[1] = state[2];
    state[3] = t | 0;
    return (state[2] = t - state[3]);
  };
  next.int32 = () => (next() * 0x100000000) | 0;
  return next;
}

module.exports = { alea };
