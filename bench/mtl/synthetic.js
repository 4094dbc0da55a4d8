'use strict';
// The synthetic two-task regression data of the MMoE paper (Ma et al., KDD 2018, section 3.2),
// whose task relatedness is set by the cosine p of the two tasks' weight vectors:
//   u1, u2 orthogonal unit vectors in R^d; w1 = c·u1, w2 = c·(p·u1 + √(1 − p²)·u2);
//   x ~ N(0, I_d);  y_k = w_kᵀx + Σ_{i=1..m} sin(α_i·w_kᵀx + β_i) + ε_k,  ε_k ~ N(0, 0.01).
// α_i, β_i are drawn once per data set from N(0, 1), like u1 and u2.

/** A seeded uniform generator on [0, 1) (mulberry32: small, fast, good enough for data). */
function uniform(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A seeded standard normal generator (Box–Muller). */
function normal(seed) {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const unit = (v) => { const n = Math.sqrt(dot(v, v)); return v.map(x => x / n); };

/** Two orthonormal vectors of R^dim: Gram–Schmidt on two Gaussian vectors. */
function orthonormalPair(dim, randn) {
  const u1 = unit(Array.from({ length: dim }, randn));
  const r = Array.from({ length: dim }, randn);
  const proj = dot(r, u1);
  return [u1, unit(r.map((v, i) => v - proj * u1[i]))];
}

/** Pearson correlation of two equally long number lists. */
function pearson(a, b) {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  a.forEach((v, i) => { sab += (v - ma) * (b[i] - mb); saa += (v - ma) ** 2; sbb += (b[i] - mb) ** 2; });
  return sab / Math.sqrt(saa * sbb);
}

/**
 * `rows` examples of the two tasks at weight-vector cosine `correlation`. Returns
 * {x: number[][], y: [number[][], number[][]], weights: [w1, w2]} (y[k] rows are [y_k]).
 */
function mmoeSynthetic({ rows, correlation, dim = 100, scale = 1, sinusoids = 10, noiseSd = 0.1, seed }) {
  if (!(correlation >= -1 && correlation <= 1)) throw new Error(`mmoeSynthetic: correlation must be in [-1, 1] but got ${correlation}`);
  const randn = normal(seed);
  const [u1, u2] = orthonormalPair(dim, randn);
  const ortho = Math.sqrt(1 - correlation ** 2);
  const w1 = u1.map(v => scale * v);
  const w2 = u1.map((v, i) => scale * (correlation * v + ortho * u2[i]));
  const alpha = Array.from({ length: sinusoids }, randn);
  const beta = Array.from({ length: sinusoids }, randn);
  const label = (z) => z + alpha.reduce((s, a, i) => s + Math.sin(a * z + beta[i]), 0) + noiseSd * randn();
  const x = [];
  const y = [[], []];
  for (let r = 0; r < rows; r++) {
    const xr = Array.from({ length: dim }, randn);
    x.push(xr);
    y[0].push([label(dot(w1, xr))]);
    y[1].push([label(dot(w2, xr))]);
  }
  return { x, y, weights: [w1, w2] };
}

module.exports = { mmoeSynthetic, pearson, uniform, normal };
