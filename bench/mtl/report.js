'use strict';
// The multi-task benchmark's results as Markdown: scores per data set and method, the paired
// comparisons with the baselines, and the MMoE synthetic experiment.
const { mean, sd, pairedComparison } = require('./stats');
const { median } = require('../common');
const { BASELINES } = require('./methods');

const ALPHA = 0.05;

/** Score formatting per task kind: accuracy in %, errors in the task's unit. */
function formatScore(kind, v) {
  if (kind === 'classification') return (100 * v).toFixed(1);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return v.toFixed(digits);
}
const meanSd = (kind, v) => `${formatScore(kind, mean(v))} ± ${formatScore(kind, sd(v))}`;
const metricName = (t) => (t.kind === 'classification' ? 'accuracy %' : `RMSE${t.unit ? ` (${t.unit})` : ''}`);
const formatP = (p) => (Number.isNaN(p) ? 'n/a' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** 'better' / 'worse' when Holm-adjusted p < α, otherwise '' (no difference detected). */
function verdict(c) {
  if (!(c.pHolm < ALPHA)) return '';
  return c.improvement > 0 ? 'better' : 'worse';
}

/** One comparison as a table cell: signed improvement (positive = better), raw p, W–L. */
function comparisonCell(c) {
  const delta = c.kind === 'classification' ? `${(100 * c.improvement).toFixed(1)} pt` : formatScore('regression', c.improvement);
  const sign = c.improvement > 0 ? '+' : '';
  const v = verdict(c);
  const text = `${sign}${delta} (p ${formatP(c.p)}, ${c.wins}–${c.losses})`;
  return v ? `**${text} ${v}**` : text;
}

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n');
}

function datasetSection(set, comparisons) {
  const { folds, repeats, epochs, batchSize, trunk = [16, 16] } = set.settings;
  const missing = set.tasks.filter(t => t.missing).map(t => `${t.name}: ${t.missing} labels missing`).join('; ');
  const lines = [`### ${set.name}`, '',
    `${set.rows} rows; ${folds}-fold × ${repeats} repeats (${folds * repeats} splits); trunk ${trunk.join('-')} ReLU, Adam 0.01, ${epochs} epochs, batch ${batchSize}${missing ? `; ${missing}` : ''}.`, ''];
  const header = ['method', ...set.tasks.map(t => `${t.name} ${metricName(t)}`), 'median ms / epoch'];
  const rows = Object.entries(set.methods).map(([name, r]) => [name, ...set.tasks.map((t, i) => meanSd(t.kind, r.scores[i])), median(r.msPerEpoch).toFixed(2)]);
  lines.push(table(header, rows), '');
  for (const baseline of BASELINES) {
    lines.push(`Paired against ${baseline} (improvement, positive = better; corrected-t p; splits won–lost):`, '');
    const cmp = comparisons.filter(c => c.baseline === baseline && c.dataset === set.name);
    const methods = [...new Set(cmp.map(c => c.method))];
    lines.push(table(['method', ...set.tasks.map(t => t.name)], methods.map(m => [m, ...set.tasks.map(t => comparisonCell(cmp.find(c => c.method === m && c.task === t.name)))])), '');
  }
  return lines.join('\n');
}

/** Per method, how many (data set, task) pairs it wins / loses against a baseline after Holm. */
function tally(comparisons, baseline) {
  const byMethod = {};
  for (const c of comparisons.filter(x => x.baseline === baseline)) {
    const t = (byMethod[c.method] ??= { better: 0, worse: 0, none: 0, total: 0 });
    t.total++;
    const v = verdict(c);
    if (v === 'better') t.better++;
    else if (v === 'worse') t.worse++;
    else t.none++;
  }
  return byMethod;
}

/** The summary table (also pasted into the README): wins/losses vs each baseline and cost. */
function summaryTable(results, comparisons) {
  const [vsFixed, vsRlw] = BASELINES.map(b => tally(comparisons, b));
  // Cost on the largest data set (rows × features): on the small ones an epoch takes a fraction
  // of a millisecond, and per-call overhead and the machine's noise dominate.
  const timed = results.reduce((a, b) => (b.rows * b.features > a.rows * a.features ? b : a));
  const fixedMs = median(timed.methods.fixed.msPerEpoch);
  const methods = Object.keys(results[0].methods);
  const rows = methods.map((m) => {
    const ms = median(timed.methods[m].msPerEpoch);
    const cell = (t) => (t ? `${t.better} / ${t.worse} / ${t.none}` : '—');
    return [m, cell(vsFixed[m]), cell(vsRlw[m]), `${ms.toFixed(2)} ms (${(ms / fixedMs).toFixed(1)}×)`];
  });
  return table(['method', 'vs fixed: better / worse / no difference', 'vs RLW: better / worse / no difference', `time per epoch, ${timed.name} (vs fixed)`], rows);
}

function mmoeSection(runs, settings) {
  const architectures = [...new Set(runs.map(r => r.architecture))];
  const correlations = [...new Set(runs.map(r => r.correlation))];
  const lines = ['## MMoE synthetic experiment', '',
    `Ma et al. (KDD 2018) synthetic data: d = 100, c = 1, m = 10 sinusoids, α, β ~ N(0, 1), ε ~ N(0, 0.01); ${settings.trainRows} training and ${settings.testRows} held-out rows per run; fresh data and initial weights for each of ${settings.seeds} seeds. Adam ${settings.learningRate}, ${settings.epochs} epochs, batch ${settings.batchSize}. Held-out MSE after the last epoch, summed over the two tasks (mean ± sd over seeds):`, ''];
  const rows = architectures.map(a => [a, ...correlations.map((p) => {
    const v = runs.filter(r => r.architecture === a && r.correlation === p).map(r => r.testMse[0] + r.testMse[1]);
    return `${mean(v).toFixed(3)} ± ${sd(v).toFixed(3)}`;
  }), median(runs.filter(r => r.architecture === a).map(r => r.msPerEpoch)).toFixed(1)]);
  lines.push(table(['model', ...correlations.map(p => `p = ${p}`), 'median ms / epoch (incl. validation)'], rows), '');
  lines.push(...mmoeOrdering(runs, architectures, correlations));
  return lines.join('\n');
}

/** Held-out MSE (both tasks) of one architecture at one correlation, in seed order. */
const finalLosses = (runs, architecture, correlation) => runs
  .filter(r => r.architecture === architecture && r.correlation === correlation)
  .sort((a, b) => a.seed - b.seed)
  .map(r => r.testMse[0] + r.testMse[1]);

/**
 * The ordering by mean held-out MSE per correlation, and MMoE paired with each other model over
 * seeds (each seed's data is shared by the three models; seeds are independent, so a plain
 * paired t test).
 */
function mmoeOrdering(runs, architectures, correlations) {
  const others = architectures.filter(a => a !== 'MMoE');
  if (others.length === architectures.length) return [];
  const rows = correlations.map((p) => {
    const byMean = [...architectures].sort((a, b) => mean(finalLosses(runs, a, p)) - mean(finalLosses(runs, b, p)));
    const cells = others.map((other) => {
      const c = pairedComparison(finalLosses(runs, 'MMoE', p), finalLosses(runs, other, p), { testFraction: 0, higherIsBetter: false });
      return `${c.improvement > 0 ? '+' : ''}${c.improvement.toFixed(3)} (p ${formatP(c.p)}, ${c.wins}–${c.losses})`;
    });
    return [`p = ${p}`, byMean.join(' < '), ...cells];
  });
  return ['Ordering by mean held-out MSE (best first), and MMoE\'s improvement over each other model paired by seed (positive = MMoE lower; paired t p; seeds won–lost):', '',
    table(['correlation', 'ordering', ...others.map(o => `MMoE vs ${o}`)], rows), ''];
}

/** The whole results file. */
function resultsMarkdown({ command, machine, date, balancing, comparisons, mmoe, mmoeSettings, conclusion }) {
  return [
    '# Multi-task benchmark results', '',
    `Produced by \`${command}\` on ${machine}, ${date}. Every number below comes from that run.`, '',
    '## Balancing methods', '',
    'Scores are held-out: accuracy (higher is better) or RMSE in the target\'s units (lower is better), mean ± sd over splits. ' +
    'Every method sees the same splits, initial weights and fit seed, so methods are compared split by split: the improvement is the mean paired difference, ' +
    'p the two-sided t test with the Nadeau–Bengio correction for overlapping training sets, W–L the splits won and lost. ' +
    `**Bold** marks a difference that survives Holm's adjustment over all ${comparisons.length / BASELINES.length} comparisons with that baseline at α = ${ALPHA}.`, '',
    '### Summary', '',
    `Over ${comparisons.length / BASELINES.length / (Object.keys(balancing[0].methods).length - 1)} (data set, task) pairs:`, '',
    summaryTable(balancing, comparisons), '',
    conclusion, '',
    ...balancing.map(s => datasetSection(s, comparisons)),
    mmoe.length ? mmoeSection(mmoe, mmoeSettings) : '',
  ].join('\n');
}

module.exports = { resultsMarkdown, summaryTable, mmoeSection, verdict, tally, ALPHA };

/** The plain statement of what beat (or lost to) fixed weights and RLW, generated from the tallies. */
function conclusionText(comparisons) {
  const sentences = [];
  for (const baseline of BASELINES) {
    const family = comparisons.filter(c => c.baseline === baseline);
    const better = family.filter(c => verdict(c) === 'better');
    const worse = family.filter(c => verdict(c) === 'worse');
    const list = (cs) => cs.map(c => `${c.method} on ${c.dataset} ${c.task}`).join(', ');
    sentences.push(better.length
      ? `Against ${baseline}, ${better.length} of ${family.length} comparisons show a method better after Holm's adjustment: ${list(better)}.`
      : `No method is better than ${baseline} on any data set or task once the ${family.length} comparisons are adjusted (Holm, α = ${ALPHA}).`);
    if (worse.length) sentences.push(`Worse than ${baseline}: ${list(worse)}.`);
  }
  return sentences.join(' ');
}

module.exports.conclusionText = conclusionText;
