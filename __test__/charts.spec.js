'use strict';
// The Vega-Lite charts rendered to SVG in Node: the benchmark's bar chart draws one bar per
// value at a height proportional to its logarithm, with its label; the line chart draws one
// line per series with a vertex per epoch, leaving gaps for missing values.
const { parse } = require('node-html-parser');
const { barChartSvg, compact } = require('../bench/chart');
const { renderSvg, lineChartSpec, PALETTE } = require('../lib/charts');

/** [{x, y, width, height, fill}] of the bars Vega drew (rect marks as path "M x,y h w v h h -w Z"). */
function bars(svg) {
  return parse(svg).querySelectorAll('g.mark-rect path').map((p) => {
    const [x, y, w, h] = p.getAttribute('d').match(/^M(-?[\d.]+),(-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)/).slice(1).map(Number);
    return { x, y, width: w, height: h, fill: p.getAttribute('fill') };
  });
}

test('bar chart: one bar per value, heights proportional to log(value) above the lowest power of ten, labels and legend', async () => {
  const series = [{ name: 'fast', values: [1000, 100000] }, { name: 'slow', values: [10, null] }];
  const svg = await barChartSvg({ title: 'Rows per second', yLabel: 'rows / s', groups: [{ label: 'A', sublabel: 'small' }, { label: 'B', sublabel: 'large' }], series });
  expect(svg.startsWith('<svg')).toBe(true);
  const drawn = bars(svg);
  expect(drawn).toHaveLength(3); // the missing value draws nothing
  // Axis from 10 to 100000: a bar of 10^k rises (k - 1) / 4 of the full height.
  const full = Math.max(...drawn.map(b => b.height));
  const byHeight = [...drawn].sort((a, b) => a.height - b.height);
  expect(byHeight.map(b => b.height / full).map(r => Number(r.toFixed(3)))).toEqual([0, 0.5, 1]);
  expect(byHeight.map(b => b.fill)).toEqual([PALETTE[1], PALETTE[0], PALETTE[0]]);
  // Multi-line labels are <tspan>s of one <text>.
  const texts = parse(svg).querySelectorAll('text').flatMap(t => (t.querySelectorAll('tspan').length ? t.querySelectorAll('tspan') : [t]).map(x => x.text));
  for (const label of ['1k', '100k', '10', 'fast', 'slow', 'A', 'small', 'B', 'large', 'Rows per second', 'rows / s']) expect(texts).toContain(label);
});

test('compact labels', () => {
  expect([950, 1000, 41796, 3902467, 2.5e9].map(compact)).toEqual(['950', '1k', '42k', '3.9M', '2.5G']);
});

test('line chart: a line per series in order of the palette, a vertex per value, gaps for missing ones', async () => {
  const svg = await renderSvg(lineChartSpec({ title: 't', yTitle: 'loss', series: [
    { name: 'training', values: [3, 2, 1.5, 1] }, { name: 'validation', values: [3.5, null, 2, NaN] },
  ] }));
  const lines = parse(svg).querySelectorAll('g.mark-line path');
  expect(lines.map(p => p.getAttribute('stroke'))).toEqual([PALETTE[0], PALETTE[1]]);
  expect(lines.map(p => (p.getAttribute('d').match(/[ML]/g) || []).length)).toEqual([4, 2]);
});
