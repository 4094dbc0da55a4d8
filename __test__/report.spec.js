'use strict';
// tf.callbacks.report: the HTML training report. The page is checked as written (every head's
// charts with their series, a confusion matrix equal to one counted by hand, atomic rewrites),
// then opened in headless Chromium: the DOM it loads has non-empty SVG charts with a line per
// series, and the screenshot shows them (non-blank, in the series' colors).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { PNG } = require('pngjs');
const { parse } = require('node-html-parser');
const tf = require('..');
const { PALETTE } = require('../lib/charts');
const { findOrInstallChromium, dumpDom, screenshot } = require('./helpers/chromium');

const EPOCHS = 12;
const CLASSES = ['low', 'mid', 'high'];
let tmp;
let file;
let x;
let yClass;
let yValue;
let model;
const snapshots = []; // the file as a reader sees it after each epoch

function data(n) {
  const rows = Array.from({ length: n }, (_, i) => [Math.sin(i * 1.3), Math.cos(i * 0.7), (i % 7) / 7]);
  x = tf.tensor2d(rows);
  yClass = tf.oneHot(tf.tensor1d(rows.map(r => (r[0] < -0.3 ? 0 : r[0] < 0.3 ? 1 : 2)), 'int32'), 3);
  // Some regression labels missing (NaN), as multi-task data has.
  yValue = tf.tensor2d(rows.map((r, i) => [i % 5 === 0 ? NaN : r[1] * 2 + r[2]]));
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-report-'));
  file = path.join(tmp, 'out', 'report.html');
  data(90);
  const input = tf.input({ shape: [3] });
  const trunk = tf.layers.dense({ units: 12, activation: 'relu' }).apply(input);
  const level = tf.layers.dense({ units: 3, activation: 'softmax', name: 'level' }).apply(trunk);
  const amount = tf.layers.dense({ units: 1, name: 'amount' }).apply(trunk);
  model = tf.model({ inputs: input, outputs: [level, amount] });
  model.compile({ optimizer: tf.train.adam(0.02), loss: { level: 'categoricalCrossentropy', amount: 'meanSquaredError' },
    metrics: { level: 'accuracy', amount: 'mae' }, taskWeighting: 'uncertainty' });
  const watcher = { onEpochEnd: async () => { snapshots.push({ html: fs.readFileSync(file, 'utf8'), files: fs.readdirSync(path.dirname(file)) }); } };
  const report = tf.callbacks.report(file, { title: 'Two heads', data: [x, { level: yClass, amount: yValue }], classNames: { level: CLASSES }, minInterval: 0 });
  await model.fit(x, { level: yClass, amount: yValue }, { epochs: EPOCHS, batchSize: 16, validationSplit: 0.2, verbose: 0, seed: 1, callbacks: [report, watcher] });
});

afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

/** {id: {series, lines: [{stroke, points}], legend}} of the charts in a page. */
function chartsIn(html) {
  const root = parse(html);
  const charts = {};
  for (const fig of root.querySelectorAll('figure.chart')) {
    const svg = fig.querySelector('svg');
    charts[fig.getAttribute('data-chart')] = {
      series: JSON.parse(fig.getAttribute('data-series')),
      width: Number(svg && svg.getAttribute('width')),
      lines: fig.querySelectorAll('g.mark-line path').map(p => ({ stroke: p.getAttribute('stroke'), points: (p.getAttribute('d').match(/[ML]/g) || []).length })),
      legend: fig.querySelectorAll('g.role-legend text').map(t => t.text),
    };
  }
  return { root, charts };
}

test('the page has a chart per head and quantity, with training and validation series, task weights and epoch times', () => {
  const { root, charts } = chartsIn(fs.readFileSync(file, 'utf8'));
  expect(Object.keys(charts).sort()).toEqual(['amount_loss', 'amount_mae', 'epoch_time', 'level_acc', 'level_loss', 'loss', 'objective', 'task_weights'].sort());
  for (const id of ['loss', 'level_loss', 'level_acc', 'amount_loss', 'amount_mae']) {
    expect(charts[id].series).toEqual(['training', 'validation']);
    expect(charts[id].legend).toEqual(['training', 'validation']);
    // One line per series, one vertex per epoch, in the series' colors.
    expect(charts[id].lines).toEqual([{ stroke: PALETTE[0], points: EPOCHS }, { stroke: PALETTE[1], points: EPOCHS }]);
  }
  expect(charts.task_weights.series).toEqual(['level', 'amount']);
  expect(charts.task_weights.lines.map(l => l.points)).toEqual([EPOCHS, EPOCHS]);
  expect(charts.epoch_time.lines.map(l => l.points)).toEqual([EPOCHS]);
  expect(root.querySelector('.status').getAttribute('data-finished')).toBe('true');
  expect(root.querySelector('.status').getAttribute('data-epochs')).toBe(String(EPOCHS));
  expect(root.querySelector('title').text).toBe('Two heads');
  // Self-contained: nothing is fetched when the page is viewed.
  expect(root.querySelectorAll('script, link, img, iframe')).toHaveLength(0);
});

test('the confusion matrix of the classification head counts predictions against labels (and none for the regression head)', () => {
  const root = parse(fs.readFileSync(file, 'utf8'));
  const figures = root.querySelectorAll('figure.confusion');
  expect(figures.map(f => f.getAttribute('data-head'))).toEqual(['level']);
  const counts = JSON.parse(figures[0].getAttribute('data-counts'));
  const predicted = model.predict(x)[0].argMax(-1).arraySync();
  const actual = yClass.argMax(-1).arraySync();
  const expected = CLASSES.map(() => CLASSES.map(() => 0));
  actual.forEach((a, i) => { expected[a][predicted[i]]++; });
  expect(counts).toEqual(expected);
  const labels = figures[0].querySelectorAll('text').map(t => t.text);
  for (const name of CLASSES) expect(labels).toContain(name);
});

test('the page is rewritten after every epoch by rename: a reader always finds a whole page and no temporary file', () => {
  expect(snapshots).toHaveLength(EPOCHS);
  snapshots.forEach(({ html, files }, i) => {
    expect(html.endsWith('</html>\n')).toBe(true);
    expect(files).toEqual(['report.html']);
    const { root, charts } = chartsIn(html);
    expect(root.querySelector('.status').getAttribute('data-epochs')).toBe(String(i + 1));
    expect(charts.loss.lines[0].points).toBe(i + 1);
  });
  // The confusion matrix comes with the end of training.
  expect(snapshots[EPOCHS - 1].html).not.toContain('class="confusion"');
});

test('a single-output model: charts named by log key, the learning rate when logged, minInterval throttles rewrites', async () => {
  const single = path.join(tmp, 'single.html');
  const report = tf.callbacks.report(single, { minInterval: 60 * 60 * 1000 });
  report.setModel(tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] }));
  await report.onTrainBegin();
  for (let epoch = 0; epoch < 3; epoch++) {
    await report.onEpochBegin(epoch);
    await report.onEpochEnd(epoch, { loss: 1 / (epoch + 1), val_loss: 1.2 / (epoch + 1), lr: 0.1 * 0.5 ** epoch });
  }
  // Written after the first epoch, then held back by minInterval until the end.
  expect(chartsIn(fs.readFileSync(single, 'utf8')).charts.loss.lines[0].points).toBe(1);
  await report.onTrainEnd();
  const { charts } = chartsIn(fs.readFileSync(single, 'utf8'));
  expect(Object.keys(charts).sort()).toEqual(['epoch_time', 'loss', 'lr']);
  expect(charts.lr.lines).toEqual([{ stroke: PALETTE[0], points: 3 }]);
  expect(charts.loss.lines.map(l => l.points)).toEqual([3, 3]);
});

test('bad options are refused, naming the option', () => {
  expect(() => tf.callbacks.report('')).toThrow("callbacks.report: path must be a file name such as 'report.html' but got ''");
  expect(() => tf.callbacks.report('r.html', { every: 2 })).toThrow("callbacks.report: unknown option 'every'; the options are title, data, classNames, minInterval");
  expect(() => tf.callbacks.report('r.html', { data: x })).toThrow('callbacks.report: data must be [x, y] (e.g. your validation data) but got Tensor');
  expect(() => tf.callbacks.report('r.html', { minInterval: -1 })).toThrow('callbacks.report: minInterval must be a number of milliseconds >= 0 but got -1');
});

describe('in headless Chromium', () => {
  let browser;
  beforeAll(() => { browser = findOrInstallChromium(); }, 10 * 60 * 1000);

  test('the loaded DOM has every chart as a sized SVG with its lines and legend', () => {
    const { charts } = chartsIn(dumpDom(browser, file));
    expect(Object.keys(charts)).toHaveLength(8);
    for (const chart of Object.values(charts)) {
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.lines).toHaveLength(chart.series.length);
      chart.lines.forEach(l => expect(l.points).toBe(EPOCHS));
      expect(chart.legend).toEqual(chart.series);
    }
  });

  test('the screenshot is not blank and shows the training and validation lines in their colors', () => {
    const png = PNG.sync.read(fs.readFileSync(screenshot(browser, file, path.join(tmp, 'report.png'))));
    const count = (hex) => {
      const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
      return n;
    };
    let nonWhite = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 250 || png.data[i + 1] < 250 || png.data[i + 2] < 250) nonWhite++;
    expect(nonWhite / (png.width * png.height)).toBeGreaterThan(0.02);
    expect(count(PALETTE[0])).toBeGreaterThan(500);
    expect(count(PALETTE[1])).toBeGreaterThan(500);
  });
});
