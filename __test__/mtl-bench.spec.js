'use strict';
// The multi-task benchmark's harness (bench/mtl.js and bench/mtl/): its statistics against hand
// computation, its synthetic data against the MMoE paper's definition, that it covers every
// balancing method compile accepts, and that a smoke run (2 folds × 1 repeat, 1 epoch) writes
// complete results. Nothing here measures speed or claims a result.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tf = require('..');
const { pairedComparison, signTest, holm } = require('../bench/mtl/stats');
const { mmoeSynthetic, pearson } = require('../bench/mtl/synthetic');
const { METHODS, TASK_WEIGHTINGS, GRADIENT_SURGERIES } = require('../bench/mtl/methods');

describe('statistics', () => {
  test('the corrected paired t test matches the closed form of the t distribution with 2 degrees of freedom', () => {
    // d = [1, 2, 4]: mean 7/3, s² = 7/3; corrected variance (1/3 + 1/4)·7/3 = 49/36, so t = 2.
    // With 2 degrees of freedom, P(T ≤ t) = ½ + t / (2√(2 + t²)): p = 2·(½ − 2/(2√6)).
    const r = pairedComparison([11, 12, 14], [10, 10, 10], { testFraction: 0.25, higherIsBetter: true });
    expect(r.improvement).toBeCloseTo(7 / 3, 12);
    expect(r.t).toBeCloseTo(2, 12);
    expect(r.p).toBeCloseTo(2 * (0.5 - 1 / Math.sqrt(6)), 9);
    expect([r.wins, r.losses, r.ties]).toEqual([3, 0, 0]);
  });

  test('improvement is oriented: a lower error is a positive improvement when lower is better', () => {
    const r = pairedComparison([1, 2, 3], [2, 3, 5], { testFraction: 0.25, higherIsBetter: false });
    expect(r.improvement).toBeCloseTo(4 / 3, 12);
    expect([r.wins, r.losses]).toEqual([3, 0]);
  });

  test('the sign test is the exact two-sided binomial tail: 2 wins, 8 losses', () => {
    // 2·(C(10,0) + C(10,1) + C(10,2)) / 2¹⁰ = 2·56/1024.
    expect(signTest(2, 8)).toBeCloseTo(112 / 1024, 12);
    expect(signTest(8, 2)).toBeCloseTo(112 / 1024, 12);
    expect(signTest(5, 5)).toBe(1);
  });

  test("Holm's adjustment multiplies the k-th smallest p by (m − k + 1) and keeps the order monotone", () => {
    // Sorted: 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06.
    const adjusted = holm([0.01, 0.04, 0.03, NaN]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
    expect(adjusted[3]).toBeNaN();
  });
});

describe('MMoE synthetic data', () => {
  test.each([1, 0.9, 0.5])('the weight vectors have norm c and cosine p = %p', (p) => {
    const { weights: [w1, w2] } = mmoeSynthetic({ rows: 1, correlation: p, scale: 2, seed: 3 });
    const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(Math.sqrt(dot(w1, w1))).toBeCloseTo(2, 10);
    expect(Math.sqrt(dot(w2, w2))).toBeCloseTo(2, 10);
    expect(dot(w1, w2) / 4).toBeCloseTo(p, 10);
  });

  test('without sinusoids and noise the labels are the linear part wᵀx', () => {
    const { x, y, weights } = mmoeSynthetic({ rows: 5, correlation: 0.3, sinusoids: 0, noiseSd: 0, dim: 7, seed: 9 });
    x.forEach((row, r) => weights.forEach((w, k) => expect(y[k][r][0]).toBeCloseTo(row.reduce((s, v, i) => s + v * w[i], 0), 12)));
  });

  test('the label correlation falls with p and the same seed gives the same data', () => {
    const corr = [1, 0.9, 0.5].map((p) => {
      const { y } = mmoeSynthetic({ rows: 4000, correlation: p, seed: 5 });
      return pearson(y[0].map(r => r[0]), y[1].map(r => r[0]));
    });
    expect(corr[0]).toBeGreaterThan(corr[1]);
    expect(corr[1]).toBeGreaterThan(corr[2]);
    expect(mmoeSynthetic({ rows: 3, correlation: 0.5, seed: 5 })).toEqual(mmoeSynthetic({ rows: 3, correlation: 0.5, seed: 5 }));
  });
});

test('the benchmark covers every taskWeighting and gradientSurgery that compile accepts', () => {
  const input = tf.input({ shape: [2] });
  const model = tf.model({ inputs: input, outputs: [tf.layers.dense({ units: 1 }).apply(input), tf.layers.dense({ units: 1 }).apply(input)] });
  const accepted = (option) => {
    try {
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', [option]: 'no-such-method' });
    } catch (e) {
      return e.message.match(/Expected one of: ([a-z, -]+)/)[1].split(',').map(s => s.trim());
    }
    throw new Error(`compile accepted ${option} 'no-such-method'`);
  };
  expect(TASK_WEIGHTINGS).toEqual(accepted('taskWeighting'));
  expect(GRADIENT_SURGERIES).toEqual(accepted('gradientSurgery'));
  expect(METHODS.map(m => m.name)).toEqual([...TASK_WEIGHTINGS, ...GRADIENT_SURGERIES]);
});

test('a smoke run (2 folds × 1 repeat, 1 epoch) writes scores for every method, data set and task, and the figure', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-bench-'));
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'bench', 'mtl.js'), '--smoke', '--out', out], { encoding: 'utf8', timeout: 120e3 });
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.status).toBe(0);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'mtl-results.json'), 'utf8'));
  expect(results.balancing.map(s => s.name)).toEqual(['Iris', 'Penguins', 'Linnerud', 'Synthetic (p = 0.5)']);
  for (const set of results.balancing) {
    expect(Object.keys(set.methods)).toEqual(METHODS.map(m => m.name));
    for (const r of Object.values(set.methods)) {
      expect(r.scores).toHaveLength(set.tasks.length);
      r.scores.forEach(s => { expect(s).toHaveLength(2); expect(s.every(Number.isFinite)).toBe(true); });
    }
  }
  // Every method but the baseline against each of the two baselines, for all 10 tasks.
  expect(results.comparisons).toHaveLength(2 * 11 * 10);
  // The smoke plan: correlations 1 and 0.5, one seed, each of the three models.
  expect(results.mmoe.map(r => `${r.correlation} ${r.architecture}`)).toEqual(
    [1, 0.5].flatMap(p => ['shared-bottom', 'one-gate MoE', 'MMoE'].map(a => `${p} ${a}`)));
  results.mmoe.forEach(r => expect(r.testMse.every(Number.isFinite)).toBe(true));
  const markdown = fs.readFileSync(path.join(out, 'MTL-RESULTS.md'), 'utf8');
  METHODS.forEach(m => expect(markdown).toContain(`| ${m.name} |`));
  expect(fs.readFileSync(path.join(out, 'mtl.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  fs.rmSync(out, { recursive: true, force: true });
});
