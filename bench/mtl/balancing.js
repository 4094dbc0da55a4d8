'use strict';
// Part (a) of the multi-task benchmark: every balancing method on every data set under repeated
// k-fold, then each method compared split by split with the two baselines (fixed weights, RLW).
const { irisTasks, penguinsTasks, linnerudTasks, regression } = require('../../examples/lib/datasets');
const { mmoeSynthetic } = require('./synthetic');
const { crossValidate } = require('./crossval');
const { METHODS, BASELINES } = require('./methods');
const { mean, pairedComparison, holm } = require('./stats');
const { median } = require('../common');

/** The synthetic data of the MMoE paper as a tabular two-task problem. */
function syntheticTasks(rows, correlation) {
  const data = mmoeSynthetic({ rows, correlation, seed: 7 });
  return { x: data.x, tasks: data.y.map((y, k) => regression(`task${k + 1}`, y.map(r => r[0]), '')) };
}

/**
 * The data sets with their training settings (the examples' settings for the bundled ones).
 * `syntheticRows` sizes the synthetic one.
 */
function datasets({ syntheticRows }) {
  return [
    { name: 'Iris', data: irisTasks(), epochs: 150, batchSize: 16 },
    { name: 'Penguins', data: penguinsTasks(), epochs: 100, batchSize: 32 },
    { name: 'Linnerud', data: linnerudTasks(), epochs: 200, batchSize: 8, trunk: [8] },
    { name: 'Synthetic (p = 0.5)', data: syntheticTasks(syntheticRows, 0.5), epochs: 60, batchSize: 32 },
  ];
}

/**
 * Runs every method on every data set. Returns [{name, settings, tasks: [{name, kind, unit}],
 * methods: {[method]: {scores, msPerEpoch}}}]. `epochs` overrides every data set's epochs.
 */
async function runBalancing({ folds, repeats, syntheticRows, epochs, log = () => {} }) {
  const results = [];
  for (const set of datasets({ syntheticRows })) {
    const settings = { folds, repeats, epochs: epochs ?? set.epochs, batchSize: set.batchSize, trunk: set.trunk };
    const methods = {};
    for (const method of METHODS) {
      methods[method.name] = await crossValidate(set.data, method, settings);
      log(`  ${set.name}: ${method.name} (${median(methods[method.name].msPerEpoch).toFixed(2)} ms/epoch)`);
    }
    results.push({
      name: set.name, rows: set.data.x.length, features: set.data.x[0].length, settings, methods,
      tasks: set.data.tasks.map(t => ({ name: t.name, kind: t.kind, unit: t.unit, missing: t.y.filter(y => y.some(Number.isNaN)).length })),
    });
  }
  return results;
}

/**
 * Every method against each baseline, per data set and task, with Holm's adjustment over all
 * comparisons with that baseline. Returns [{baseline, dataset, task, method, ...pairedComparison,
 * baselineMean, pHolm}].
 */
function compareWithBaselines(results) {
  const out = [];
  for (const baseline of BASELINES) {
    const family = [];
    for (const set of results) {
      const testFraction = 1 / (set.settings.folds - 1);
      set.tasks.forEach((task, i) => {
        const base = set.methods[baseline].scores[i];
        for (const [method, r] of Object.entries(set.methods)) {
          if (method === baseline) continue;
          const cmp = pairedComparison(r.scores[i], base, { testFraction, higherIsBetter: task.kind === 'classification' });
          family.push({ baseline, dataset: set.name, task: task.name, kind: task.kind, method, n: base.length, testFraction, baselineMean: mean(base), ...cmp });
        }
      });
    }
    holm(family.map(c => c.p)).forEach((p, i) => { family[i].pHolm = p; });
    out.push(...family);
  }
  return out;
}

module.exports = { runBalancing, compareWithBaselines, datasets };
