'use strict';
// The Alea generator of the seedrandom package (the one TF.js uses for shuffle, randomUniform and
// randomNormal), so that seeded results equal TF.js's. Port of Johannes Baagøe's algorithm
// (MIT licence, 2010), as published in seedrandom/lib/alea.js.

function mash() {
  let n = 0xefc8249d;
  return (data) => {
    data = String(data);
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
    return (n >>> 0) * 2.3283064365386963e-10;
  };
}

/** alea(seed): a function returning doubles in [0, 1), with .int32(). */
function alea(seed) {
  const m = mash();
  let s0 = m(' ');
  let s1 = m(' ');
  let s2 = m(' ');
  s0 -= m(seed);
  if (s0 < 0) s0 += 1;
  s1 -= m(seed);
  if (s1 < 0) s1 += 1;
  s2 -= m(seed);
  if (s2 < 0) s2 += 1;
  // The state lives in a Float64Array: doubles kept in closure variables would each be boxed
  // (a heap allocation per draw, and a shuffle draws once per element).
  const state = new Float64Array([s0, s1, s2, 1]); // s0, s1, s2 and the carry c
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
