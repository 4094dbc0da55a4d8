'use strict';
// Vega-Lite specifications rendered to SVG text in Node (no browser, no canvas, no network):
// the grammar tfjs-vis draws with. Used by the training report and the benchmark chart.
// vega and vega-lite are optional peer dependencies (about 60 packages): only the report needs them.
const vega = requireOptional('vega');
const vegaLite = requireOptional('vega-lite');

function requireOptional(name) {
  try {
    return require(name);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(`tf.callbacks.report draws its charts with Vega-Lite: install the optional packages with \`npm install vega@5 vega-lite@5\` (the package '${name}' was not found)`);
  }
}

/** Colors of the series, in order (Tableau 10, as Vega's default scheme). */
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d'];

/** Renders a Vega-Lite spec to a standalone SVG string. */
async function renderSvg(spec) {
  const { spec: vegaSpec } = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec });
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A line chart of series over epochs. series: [{name, values: [number|null per epoch]}];
 * the epoch axis starts at 1. Missing values (null, NaN) leave gaps.
 */
function lineChartSpec({ title, yTitle, series, width = 360, height = 200, logScale = false }) {
  const values = [];
  for (const s of series) {
    s.values.forEach((v, i) => {
      if (v != null && Number.isFinite(v)) values.push({ epoch: i + 1, value: v, series: s.name });
    });
  }
  const names = series.map(s => s.name);
  return {
    title, width, height,
    data: { values },
    mark: { type: 'line', point: values.length <= 60 * Math.max(1, names.length), strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: logScale ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: PALETTE.slice(0, names.length) }, legend: { orient: 'bottom' } },
    },
  };
}

/** A heat map of counts[actual][predicted] with the count written in each cell. */
function confusionMatrixSpec({ title, labels, counts }) {
  const values = [];
  counts.forEach((row, a) => row.forEach((n, p) => values.push({ actual: labels[a], predicted: labels[p], count: n })));
  const size = Math.min(320, 60 * labels.length);
  const axis = { field: undefined, type: 'ordinal', sort: labels };
  return {
    title, width: size, height: size,
    data: { values },
    encoding: {
      x: { ...axis, field: 'predicted', title: 'predicted' },
      y: { ...axis, field: 'actual', title: 'actual' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } } },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${Math.max(...counts.flat()) / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

module.exports = { PALETTE, renderSvg, lineChartSpec, confusionMatrixSpec };
