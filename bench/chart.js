'use strict';
// The benchmark's grouped bar chart on a log scale (one group per model, one bar per backend),
// as a Vega-Lite specification rendered to SVG by lib/charts.js, the renderer of the training
// report.
const { renderSvg, PALETTE } = require('../lib/charts');

/** 1234567 → "1.2M", 1000 → "1k", 950 → "950" (the labels on the bars). */
function compact(v) {
  const short = (x) => String(Number(x.toPrecision(x >= 100 ? 3 : 2)));
  for (const [div, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (v >= div) return short(v / div) + unit;
  return short(v);
}

/**
 * The Vega-Lite spec. groups: [{ label, sublabel }], series: [{ name, values: [number|null per
 * group] }]; missing values draw no bar.
 */
function barChartSpec({ title, yLabel, groups, series }) {
  const values = [];
  groups.forEach((g, gi) => series.forEach((s, si) => {
    const v = s.values[gi];
    if (v > 0) values.push({ group: `${g.label}|${g.sublabel}`, backend: s.name, order: si, value: v, label: compact(v), tip: `${s.name}: ${Math.round(v).toLocaleString('en-US')} rows/s` });
  }));
  const names = series.map(s => s.name);
  // Whole powers of ten around the data; bars rise from the lower one (a log scale has no zero).
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values.map(v => v.value))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values.map(v => v.value))));
  const y = { field: 'value', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } };
  const x = { field: 'group', type: 'nominal', sort: groups.map(g => `${g.label}|${g.sublabel}`), title: null,
    axis: { labelAngle: 0, labelExpr: "split(datum.label, '|')", labelFontSize: 11, labelLimit: 0 } };
  return {
    title: { text: title, fontSize: 15 },
    width: 680, height: 300,
    background: 'white',
    data: { values },
    encoding: { x, xOffset: { field: 'backend', type: 'nominal', sort: names } },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.9 } },
        encoding: {
          y: { ...y, title: yLabel, axis: { format: '~s' } },
          y2: { datum: lo },
          color: { field: 'backend', type: 'nominal', title: null, sort: names, scale: { domain: names, range: PALETTE.slice(0, names.length) }, legend: { orient: 'bottom' } },
          tooltip: { field: 'tip' },
        },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 10 },
        encoding: { y, text: { field: 'label' } },
      },
    ],
  };
}

/** The chart as SVG text (a promise: Vega renders asynchronously). */
const barChartSvg = async (chart) => `${await renderSvg(barChartSpec(chart))}\n`;

module.exports = { barChartSvg, barChartSpec, compact };
