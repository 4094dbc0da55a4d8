'use strict';
// tf.callbacks.report(path, options): a training report written as one self-contained HTML page
// (inline SVG charts, no script, no network): the total loss and each head's loss and metrics
// (training and validation), task weights under adaptive balancing, the learning rate when
// logged, epoch times and, at the end, a confusion matrix per classification head.
// The page is rewritten atomically (temporary file + rename) during training and at the end.
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const { BaseCallback } = require('./callbacks');
const { isTensor } = require('./tensor');
const { fail, describe } = require('./errors');
const { renderSvg, lineChartSpec, confusionMatrixSpec } = require('./charts');
const { internals } = require('./model_internals');

const CLASSIFICATION_LOSSES = {
  categoricalCrossentropy: 'categorical', categorical_crossentropy: 'categorical',
  sparseCategoricalCrossentropy: 'sparse', sparse_categorical_crossentropy: 'sparse',
  binaryCrossentropy: 'binary', binary_crossentropy: 'binary',
};
const LEARNING_RATE_KEYS = ['lr', 'learningRate', 'learning_rate'];

const escapeHtml = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class TrainingReport extends BaseCallback {
  constructor(file, options = {}) {
    super();
    if (typeof file !== 'string' || file === '') fail(`callbacks.report: path must be a file name such as 'report.html' but got ${describe(file)}`);
    if (options == null || typeof options !== 'object') fail(`callbacks.report: options must be an object but got ${describe(options)}`);
    const known = ['title', 'data', 'classNames', 'minInterval'];
    const unknown = Object.keys(options).filter(k => !known.includes(k));
    if (unknown.length) fail(`callbacks.report: unknown option '${unknown[0]}'; the options are ${known.join(', ')}`);
    if (options.data != null && !(Array.isArray(options.data) && options.data.length === 2)) {
      fail(`callbacks.report: data must be [x, y] (e.g. your validation data) but got ${describe(options.data)}`);
    }
    const minInterval = options.minInterval ?? 1000;
    if (typeof minInterval !== 'number' || !(minInterval >= 0)) fail(`callbacks.report: minInterval must be a number of milliseconds >= 0 but got ${describe(minInterval)}`);
    this.path = path.resolve(file);
    this.title = options.title ?? 'Training report';
    this.data = options.data ?? null;
    this.classNames = options.classNames ?? null;
    this.minInterval = minInterval;
    this.hasUserHooks = ['onTrainBegin', 'onEpochBegin', 'onEpochEnd', 'onTrainEnd'];
  }

  async onTrainBegin() {
    this.epochs = [];
    this.logs = [];
    this.seconds = [];
    this.lastWrite = -Infinity;
    this.started = new Date();
    this.finished = false;
  }

  async onEpochBegin() {
    this.epochStart = performance.now();
  }

  async onEpochEnd(epoch, logs = {}) {
    this.epochs.push(epoch);
    this.logs.push({ ...logs });
    this.seconds.push((performance.now() - this.epochStart) / 1000);
    if (performance.now() - this.lastWrite >= this.minInterval) await this.write();
  }

  async onTrainEnd() {
    this.finished = true;
    await this.write();
  }

  /** Renders the page and replaces the file in one rename, so a reader never sees half a page. */
  async write() {
    const html = await this.render();
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, html);
    fs.renameSync(tmp, this.path);
    this.lastWrite = performance.now();
  }

  /** Log keys grouped into charts: [{id, title, section, series: [{name, key}]}]. */
  charts() {
    const keys = [...new Set(this.logs.flatMap(l => Object.keys(l)))];
    const outputs = this.model ? this.model.outputNames : [];
    const headOf = key => (outputs.length > 1 ? outputs.filter(o => key.startsWith(`${o}_`)).sort((a, b) => b.length - a.length)[0] : null);
    const charts = [];
    const weights = [];
    const lr = [];
    for (const key of keys) {
      if (key.startsWith('val_')) continue;
      if (LEARNING_RATE_KEYS.includes(key)) { lr.push(key); continue; }
      const head = headOf(key);
      if (head && key === `${head}_weight`) { weights.push(head); continue; }
      const series = [{ name: 'training', key }];
      if (keys.includes(`val_${key}`)) series.push({ name: 'validation', key: `val_${key}` });
      const quantity = head ? key.slice(head.length + 1) : key;
      charts.push({ id: key, title: head ? `${head}: ${quantity}` : (key === 'loss' && outputs.length > 1 ? 'total loss' : key), yTitle: quantity, section: head ?? 'model', series });
    }
    if (weights.length) charts.push({ id: 'task_weights', title: 'task weights', yTitle: 'weight', section: 'balancing', series: weights.map(h => ({ name: h, key: `${h}_weight` })) });
    for (const key of lr) charts.push({ id: key, title: 'learning rate', yTitle: key, section: 'optimizer', series: [{ name: key, key }] });
    return charts;
  }

  async render() {
    const figures = [];
    for (const chart of this.charts()) {
      const series = chart.series.map(s => ({ name: s.name, values: this.logs.map(l => l[s.key] ?? null) }));
      const svg = await renderSvg(lineChartSpec({ title: chart.title, yTitle: chart.yTitle, series }));
      figures.push({ section: chart.section, html: figure(chart.id, series.map(s => s.name), svg) });
    }
    const timeSvg = await renderSvg(lineChartSpec({ title: 'epoch time', yTitle: 'seconds', series: [{ name: 'seconds', values: this.seconds }] }));
    figures.push({ section: 'timing', html: figure('epoch_time', ['seconds'], timeSvg) });
    if (this.finished) {
      for (const cm of this.confusionMatrices()) {
        const svg = await renderSvg(confusionMatrixSpec({ title: `${cm.head}: confusion matrix (${cm.rows} rows)`, labels: cm.labels, counts: cm.counts }));
        figures.push({ section: 'confusion', html: `<figure class="confusion" data-head="${escapeHtml(cm.head)}" data-counts="${escapeHtml(JSON.stringify(cm.counts))}">${svg}</figure>` });
      }
    }
    return page(this, figures);
  }

  /** One matrix per classification head of the model, from options.data, once training ended. */
  confusionMatrices() {
    if (!this.data || !this.model || !internals(this.model).compileSpec()) return [];
    const [x, y] = this.data;
    const outputs = this.model.outputNames;
    let predictions = this.model.predict(x);
    predictions = Array.isArray(predictions) ? predictions : [predictions];
    const result = [];
    outputs.forEach((head, i) => {
      const kind = CLASSIFICATION_LOSSES[internals(this.model).compileSpec().heads[i].loss];
      if (!kind) return;
      const target = targetOf(y, outputs, i);
      const pred = predictions[i].arraySync();
      const truth = (isTensor(target) ? target.arraySync() : target).map(r => (Array.isArray(r) ? r : [r]));
      const units = pred[0].length;
      if (kind === 'binary' && units !== 1) return; // multi-label: no single class per row
      const classes = kind === 'binary' ? 2 : units;
      const counts = Array.from({ length: classes }, () => new Array(classes).fill(0));
      let rows = 0;
      pred.forEach((p, r) => {
        const t = truth[r];
        if (t.some(v => Number.isNaN(v))) return; // a missing label
        const actual = kind === 'categorical' ? argMax(t) : kind === 'sparse' ? t[0] : (t[0] >= 0.5 ? 1 : 0);
        const predicted = kind === 'binary' ? (p[0] >= 0.5 ? 1 : 0) : argMax(p);
        counts[actual][predicted]++;
        rows++;
      });
      const names = this.classNames && (Array.isArray(this.classNames) ? this.classNames : this.classNames[head]);
      const labels = Array.from({ length: classes }, (_, k) => String(names && names[k] != null ? names[k] : k));
      result.push({ head, labels, counts, rows });
    });
    return result;
  }
}

function targetOf(y, outputs, i) {
  if (isTensor(y) || (Array.isArray(y) && outputs.length === 1)) return y;
  if (Array.isArray(y)) return y[i];
  if (y && typeof y === 'object' && outputs[i] in y) return y[outputs[i]];
  fail(`callbacks.report: data's y has no target for output '${outputs[i]}'`);
}

function argMax(row) {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

function figure(id, series, svg) {
  return `<figure class="chart" data-chart="${escapeHtml(id)}" data-series="${escapeHtml(JSON.stringify(series))}">${svg}</figure>`;
}

const SECTION_TITLES = { model: 'Model', balancing: 'Task weights (adaptive balancing)', optimizer: 'Optimizer', timing: 'Epoch times', confusion: 'Confusion matrices' };

function page(report, figures) {
  const n = report.logs.length;
  const last = report.logs[n - 1] || {};
  const order = ['model', ...(report.model ? report.model.outputNames : []), 'balancing', 'optimizer', 'timing', 'confusion'];
  const sections = order.map((name) => {
    const mine = figures.filter(f => f.section === name);
    if (!mine.length) return '';
    const title = SECTION_TITLES[name] ?? `Head '${name}'`;
    return `<section data-section="${escapeHtml(name)}"><h2>${escapeHtml(title)}</h2><div class="grid">${mine.map(f => f.html).join('\n')}</div></section>`;
  }).join('\n');
  const total = report.seconds.reduce((a, b) => a + b, 0);
  const status = report.finished
    ? `Finished: ${n} epoch(s) in ${total.toFixed(2)} s.`
    : `Training: ${n} epoch(s) so far (${total.toFixed(2)} s); this page is rewritten as training goes.`;
  const rows = Object.entries(last).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${typeof v === 'number' ? v.toPrecision(5) : escapeHtml(v)}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid #ddd; }
.status { color: #555; } .grid { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; } table { border-collapse: collapse; font-size: 13px; } td { padding: 2px 10px; border-bottom: 1px solid #eee; }
</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="status" data-finished="${report.finished}" data-epochs="${n}">${escapeHtml(status)} Started ${escapeHtml(report.started.toISOString())}.</p>
${sections}
<section data-section="last-epoch"><h2>Last epoch</h2><table>${rows}</table></section>
</body>
</html>
`;
}

/** tf.callbacks.report(path, {title, data: [x, y], classNames, minInterval}). */
const report = (file, options) => new TrainingReport(file, options);

module.exports = { TrainingReport, report };
