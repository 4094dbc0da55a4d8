'use strict';
// A hand-written SVG grouped bar chart on a log scale: one group per model, one bar per series.

const WIDTH = 760;
const HEIGHT = 420;
const PLOT = { left: 80, right: 20, top: 50, bottom: 80 };
const COLORS = ['#1b9e77', '#7570b3', '#d95f02', '#e7298a'];

const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// 1234567 → "1.2M", 1000 → "1k", 950 → "950"
function compact(v) {
  const short = (x) => String(Number(x.toPrecision(x >= 100 ? 3 : 2)));
  for (const [div, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (v >= div) return short(v / div) + unit;
  return short(v);
}

/**
 * groups: [{ label, sublabel }], series: [{ name, values: [number|null per group] }].
 * Returns the SVG text.
 */
function barChartSvg({ title, yLabel, groups, series }) {
  const values = series.flatMap(s => s.values).filter(v => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const y = (v) => PLOT.top + plotH * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const groupW = plotW / groups.length;
  const barW = (groupW * 0.75) / series.length;
  const out = [];
  const add = (s) => out.push(s);

  add(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  add(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  add(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  // y axis: a grid line per power of ten
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const yv = y(v).toFixed(1);
    add(`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${yv}" y2="${yv}" stroke="#ddd"/>`);
    add(`<text x="${PLOT.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${compact(v)}</text>`);
  }
  add(`<text transform="translate(18 ${PLOT.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  // bars, with their value on top
  groups.forEach((g, gi) => {
    const x0 = PLOT.left + gi * groupW + groupW * 0.125;
    series.forEach((s, si) => {
      const v = s.values[gi];
      if (!(v > 0)) return;
      const x = x0 + si * barW;
      add(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(PLOT.top + plotH - y(v)).toFixed(1)}" fill="${COLORS[si]}"><title>${escapeXml(`${s.name}: ${Math.round(v).toLocaleString('en-US')} rows/s`)}</title></rect>`);
      add(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${compact(v)}</text>`);
    });
    const cx = PLOT.left + (gi + 0.5) * groupW;
    add(`<text x="${cx}" y="${PLOT.top + plotH + 18}" text-anchor="middle">${escapeXml(g.label)}</text>`);
    add(`<text x="${cx}" y="${PLOT.top + plotH + 34}" text-anchor="middle" fill="#555" font-size="11">${escapeXml(g.sublabel)}</text>`);
  });
  add(`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${PLOT.top + plotH}" y2="${PLOT.top + plotH}" stroke="#333"/>`);
  // legend
  series.forEach((s, si) => {
    const x = PLOT.left + si * 150;
    add(`<rect x="${x}" y="${HEIGHT - 26}" width="12" height="12" fill="${COLORS[si]}"/>`);
    add(`<text x="${x + 18}" y="${HEIGHT - 16}">${escapeXml(s.name)}</text>`);
  });
  add('</svg>');
  return out.join('\n') + '\n';
}

module.exports = { barChartSvg, compact };
