'use strict';
// The multi-task benchmark's figure as one Vega-Lite specification (rendered to SVG by
// lib/charts.js): the MMoE synthetic loss curves per task correlation on top, and each balancing
// method's paired improvement over fixed weights, per data set and task, below.
const { jStat } = require('jstat');
const { PALETTE } = require('../../lib/charts');
const { mean } = require('./stats');

/** Mean, minimum and maximum over seeds of the loss per epoch, per (architecture, correlation, curve). */
function curvePoints(runs) {
  const points = [];
  const groups = new Map();
  for (const r of runs) {
    for (const [curve, values] of [['training', r.trainLoss], ['held-out', r.testLoss]]) {
      const key = `${r.architecture}|${r.correlation}|${curve}`;
      if (!groups.has(key)) groups.set(key, { architecture: r.architecture, correlation: `p = ${r.correlation}`, curve, series: [] });
      groups.get(key).series.push(values);
    }
  }
  for (const g of groups.values()) {
    g.series[0].forEach((_, e) => {
      const v = g.series.map(s => s[e]);
      points.push({ architecture: g.architecture, correlation: g.correlation, curve: g.curve, epoch: e + 1, loss: mean(v), lo: Math.min(...v), hi: Math.max(...v) });
    });
  }
  return points;
}

function lossCurves(runs) {
  const architectures = [...new Set(runs.map(r => r.architecture))];
  const color = { field: 'architecture', type: 'nominal', title: 'model', sort: architectures, scale: { domain: architectures, range: PALETTE.slice(0, architectures.length) } };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch' };
  return {
    title: 'MMoE synthetic data: loss (sum of the two tasks\' MSE) per epoch: mean over seeds; band: lowest to highest seed (held-out)',
    data: { values: curvePoints(runs) },
    facet: { column: { field: 'correlation', type: 'nominal', title: 'task correlation (cosine of w1, w2)', sort: 'descending' } },
    spec: {
      width: 230, height: 200,
      layer: [
        { transform: [{ filter: "datum.curve === 'held-out'" }], mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'loss', type: 'quantitative', title: 'loss (log scale)', scale: { type: 'log' } }, color,
          strokeDash: { field: 'curve', type: 'nominal', title: 'curve', sort: ['held-out', 'training'], scale: { domain: ['held-out', 'training'], range: [[1, 0], [4, 3]] } } } },
      ],
    },
  };
}

/** Improvement over the baseline in % of the baseline's mean score, with a 95 % corrected-t interval. */
function improvementPoints(comparisons, baseline) {
  return comparisons.filter(c => c.baseline === baseline).map((c) => {
    const scale = 100 / Math.abs(c.baselineMean || 1);
    const half = c.n > 1 ? jStat.studentt.inv(0.975, c.n - 1) * Math.sqrt(1 / c.n + c.testFraction) * c.sdOfDifference : 0;
    return { dataset: c.dataset, method: c.method, task: `${c.dataset}: ${c.task}`, value: c.improvement * scale, lo: (c.improvement - half) * scale, hi: (c.improvement + half) * scale };
  });
}

function improvements(comparisons, baseline) {
  const values = improvementPoints(comparisons, baseline);
  const methods = [...new Set(values.map(v => v.method))];
  const tasks = [...new Set(values.map(v => v.task))];
  const y = { field: 'method', type: 'nominal', sort: methods, title: null };
  const color = { field: 'task', type: 'nominal', title: 'data set: task', sort: tasks, scale: { scheme: 'category10' }, legend: { labelLimit: 0 } };
  // The intervals of a small data set span tens of %: clip the axis so the others stay readable.
  const x = { field: 'value', type: 'quantitative', title: `% of ${baseline}'s mean`, scale: { domain: [-25, 25], clamp: true } };
  return {
    title: { text: `Balancing methods against ${baseline} weights: paired improvement of the held-out score (> 0 is better)`, subtitle: `in % of ${baseline}'s mean score (accuracy, or RMSE with the sign turned); 95 % corrected-t interval, clipped at ±25 %` },
    data: { values },
    facet: { column: { field: 'dataset', type: 'nominal', title: null, sort: [...new Set(values.map(v => v.dataset))] } },
    spec: {
      width: 160, height: 12 * methods.length,
      layer: [
        { mark: { type: 'rule', color: '#888' }, encoding: { x: { datum: 0 } } },
        { mark: { type: 'rule', opacity: 0.6 }, encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color, yOffset: { field: 'task', sort: tasks } } },
        { mark: { type: 'point', filled: true, size: 30 }, encoding: { y, x, color, yOffset: { field: 'task', sort: tasks } } },
      ],
    },
  };
}

/** The whole figure: MMoE curves (when there are runs) over the balancing comparison. */
function benchmarkFigureSpec({ comparisons, mmoe }) {
  return {
    background: 'white',
    vconcat: [...(mmoe.length ? [lossCurves(mmoe)] : []), improvements(comparisons, 'fixed')],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  };
}

module.exports = { benchmarkFigureSpec, curvePoints, improvementPoints };
