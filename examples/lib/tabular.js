'use strict';
// Small helpers the multi-task examples share: reading the bundled CSVs, standardizing,
// k-fold splits, and an honest comparison of one multi-task model against single-task models.
const fs = require('node:fs');
const path = require('node:path');
const tf = require('../..');

/** Rows of the bundled CSV as objects; `NA` and empty cells become null. */
function readCsv(name) {
  const [header, ...lines] = fs.readFileSync(path.join(__dirname, '..', '..', 'data', name), 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] === 'NA' || cells[i] === '' ? null : cells[i]]));
  });
}

/** Mean and standard deviation of each column of a row-major array, from the training rows only. */
function fitScaler(matrix) {
  const cols = matrix[0].length;
  const mean = Array.from({ length: cols }, (_, c) => avg(matrix.map(r => r[c])));
  const sd = mean.map((m, c) => Math.sqrt(avg(matrix.map(r => (r[c] - m) ** 2))) || 1);
  return { apply: (rows) => rows.map(r => r.map((v, c) => (v === null || Number.isNaN(v) ? NaN : (v - mean[c]) / sd[c]))), mean, sd };
}

const avg = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v) => Math.sqrt(avg(v.map(x => (x - avg(v)) ** 2)));

/** A seeded shuffle of 0..n-1 (a small LCG: the examples need repeatable folds, not quality). */
function permutation(n, seed) {
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** `k` folds of a seeded permutation: [{train, test}] index lists. */
function kFold(n, k, seed) {
  const order = permutation(n, seed);
  return Array.from({ length: k }, (_, f) => ({
    test: order.filter((_, i) => i % k === f),
    train: order.filter((_, i) => i % k !== f),
  }));
}

const take = (rows, idx) => idx.map(i => rows[i]);

/**
 * Builds trunk → heads. `heads`: [{name, units, activation}]. Every initializer is seeded.
 */
function buildModel(inputWidth, heads, { trunk = [16, 16], seed }) {
  let s = seed;
  const init = () => tf.initializers.glorotNormal({ seed: ++s });
  const input = tf.input({ shape: [inputWidth] });
  let x = input;
  for (const units of trunk) x = tf.layers.dense({ units, activation: 'relu', kernelInitializer: init() }).apply(x);
  const outputs = heads.map(h => tf.layers.dense({ units: h.units, activation: h.activation, name: h.name, kernelInitializer: init() }).apply(x));
  return tf.model({ inputs: input, outputs });
}

/** Held-out score of one task: accuracy for classification, RMSE in original units for regression. */
function score(task, pred, target) {
  const rows = target.map((t, i) => [t, pred[i]]).filter(([t]) => !t.some(Number.isNaN));
  if (task.kind === 'classification') {
    const hits = rows.filter(([t, p]) => (t.length === 1 ? (p[0] > 0.5 ? 1 : 0) === t[0] : argmax(p) === argmax(t))).length;
    return hits / rows.length;
  }
  const scale = task.scale || 1;
  return Math.sqrt(avg(rows.map(([t, p]) => ((p[0] - t[0]) * scale) ** 2)));
}

const argmax = (v) => v.indexOf(Math.max(...v));

/**
 * Cross-validated comparison: for each fold and repeat, one multi-task model (all heads) and one
 * single-task model per task (same trunk, same training), scored on the held-out rows.
 * `data` = {x: number[][], tasks: [{name, kind, units, activation, loss, y: number[][], scale?, metric}]}.
 */
async function compareMultiTask(data, { folds = 5, repeats = 2, epochs = 150, batchSize = 16, learningRate = 0.01, trunk = [16, 16], taskWeighting } = {}) {
  const results = { multi: data.tasks.map(() => []), single: data.tasks.map(() => []) };
  for (let rep = 0; rep < repeats; rep++) {
    for (const [f, split] of kFold(data.x.length, folds, 1000 + rep).entries()) {
      const seed = 100 * rep + 10 * f;
      const scaler = fitScaler(take(data.x, split.train));
      const xTrain = tf.tensor2d(scaler.apply(take(data.x, split.train)));
      const xTest = tf.tensor2d(scaler.apply(take(data.x, split.test)));
      const fit = async (model, tasks) => {
        model.compile({ optimizer: tf.train.adam(learningRate), loss: tasks.map(t => t.loss), taskWeighting: tasks.length > 1 ? taskWeighting : undefined });
        // A single-task model trains on its labelled rows; the multi-task model masks the rest.
        const rowsUsed = tasks.length > 1 ? split.train : split.train.filter(i => !tasks[0].y[i].some(Number.isNaN));
        const x = rowsUsed === split.train ? xTrain : tf.tensor2d(scaler.apply(take(data.x, rowsUsed)));
        const ys = tasks.map(t => tf.tensor2d(take(t.y, rowsUsed)));
        await model.fit(x, ys.length === 1 ? ys[0] : ys, { epochs, batchSize, verbose: 0, seed });
        const preds = model.predict(xTest);
        return (Array.isArray(preds) ? preds : [preds]).map(p => p.arraySync());
      };
      const multiPreds = await fit(buildModel(data.x[0].length, data.tasks, { trunk, seed }), data.tasks);
      data.tasks.forEach((t, i) => results.multi[i].push(score(t, multiPreds[i], take(t.y, split.test))));
      for (const [i, t] of data.tasks.entries()) {
        const [pred] = await fit(buildModel(data.x[0].length, [t], { trunk, seed }), [t]);
        results.single[i].push(score(t, pred, take(t.y, split.test)));
      }
    }
  }
  return results;
}

function printComparison(title, data, results, options) {
  console.log(`\n${title}`);
  console.log(`${options.folds}-fold cross-validation × ${options.repeats} repeats, held-out scores (mean ± sd over ${options.folds * options.repeats} fits)\n`);
  const rows = data.tasks.map((t, i) => {
    const fmt = (v) => (t.kind === 'classification' ? `${(100 * avg(v)).toFixed(1)} ± ${(100 * sd(v)).toFixed(1)} %` : `${avg(v).toFixed(3)} ± ${sd(v).toFixed(3)}`);
    const better = t.kind === 'classification' ? avg(results.multi[i]) > avg(results.single[i]) : avg(results.multi[i]) < avg(results.single[i]);
    return [t.name, t.kind === 'classification' ? 'accuracy' : `RMSE${t.unit ? ` (${t.unit})` : ''}`, fmt(results.multi[i]), fmt(results.single[i]), better ? 'multi-task' : 'single-task'];
  });
  const header = ['task', 'metric', 'one multi-task model', 'single-task models', 'better mean'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map(r => r[c].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(r => console.log(line(r)));
  console.log('\nDifferences smaller than the spread are noise, not a win.');
}

module.exports = { readCsv, fitScaler, kFold, take, buildModel, score, compareMultiTask, printComparison, avg, sd };
