'use strict';
// The Alea generator of the seedrandom package (the one TF.js uses for shuffle, randomUniform and
// randomNormal), so that seeded results equal TF.js's. Port of Johannes Baagøe's algorithm
// (MIT licence, 2010), as published in seedrandom/lib/alea.js. The core does the seeding (six
// Mash passes over the seed: a shuffle seeds a generator every epoch, and JavaScript would run
// them in its interpreter); the draws, a few float operations each, run here.
const { aleaState } = require('../native');

/** alea(seed): a function returning doubles in [0, 1), with .int32(). */
function alea(seed) {
  // s0, s1, s2 and the carry, in a Float64Array: doubles kept in closure variables would each be
  // boxed (a heap allocation per draw, and a shuffle draws once per element).
  const state = new Float64Array(4);
  aleaState(String(seed), state);
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
