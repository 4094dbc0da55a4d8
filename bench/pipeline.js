#!/usr/bin/env node
// Data-pipeline benchmark: the flows users write with tf.data and fitDataset, the very same code
// run on dense-mtl and on @tensorflow/tfjs (cpu backend), each (library, flow) in its own child
// process, one after the other.
//  - iris: tf.data.array → map to one-hot → shuffle(150) → batch(16) → fitDataset, 4-10-10-3 sgd,
//    200 epochs (the seed's flow);
//  - abalone: tfjs-examples abalone-node: csv → map → shuffle(1000) → batch(500) → take(7) /
//    skip(7) → fitDataset with validationData, 8-50-50-1 sigmoid sgd, 20 epochs; ours reads file://,
//    TF.js the same file over http from a server on 127.0.0.1 (its Node way to read a file);
//  - elements: pipeline cost per element, map → shuffle(1000) → batch(100) with a trivial map:
//    fitDataset's time minus fit's on the same rows (same model, same batches), per element;
//  - stream (ours): peak RSS while fitDataset streams a generated CSV of about 1 GB
//    (csv → map → shuffle(1000) → batch(1024)); the file is written here and deleted after.
//
//   node bench/pipeline.js [--quick] [--stream-mb 1024]
// Prints a table and one line `BENCH_JSON {...}`; `runPipelineBench()` returns the same.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawnSync } = require('node:child_process');

const { nowMs, median, loadLibrary } = require('./common');

// ---- the flows (TF.js Layers API only: the same code for both libraries) ----

const SPECIES = ['setosa', 'versicolor', 'virginica'];

function irisRows() {
  const text = fs.readFileSync(path.join(__dirname, '..', 'data', 'iris.csv'), 'utf8');
  return text.trim().split('\n').slice(1).map((line) => {
    const cells = line.split(',');
    return { features: cells.slice(0, 4).map(Number), species: cells[4] };
  });
}

async function irisFlow(tf, rows) {
  const data = tf.data.array(rows)
    .map(({ features, species }) => ({ xs: features, ys: SPECIES.map(s => (s === species ? 1 : 0)) }))
    .shuffle(150, 'iris').batch(16);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 10, activation: 'relu', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 10, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const start = nowMs();
  const history = await model.fitDataset(data, { epochs: 200, verbose: 0 });
  return { ms: nowMs() - start, loss: history.history.loss.at(-1) };
}

async function abaloneFlow(tf, url) {
  const csv = tf.data.csv(url, { columnConfigs: { rings: { isLabel: true } } });
  const data = csv.map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) })).shuffle(1000).batch(500);
  const train = data.take(7);
  const validation = data.skip(7);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 50, activation: 'sigmoid', inputShape: [8] }));
  model.add(tf.layers.dense({ units: 50, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  const start = nowMs();
  const history = await model.fitDataset(train, { epochs: 20, validationData: validation, verbose: 0 });
  return { ms: nowMs() - start, loss: history.history.loss.at(-1), valLoss: history.history.val_loss.at(-1) };
}

/** Per-element pipeline cost: fitDataset (map → shuffle → batch) minus fit on the same rows. */
async function elementCost(tf, n) {
  const items = Array.from({ length: n }, (_, i) => [i % 7, i % 5, i % 3, i % 2]);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
  model.compile({ optimizer: tf.train.sgd(1e-4), loss: 'meanSquaredError' });
  const data = tf.data.array(items).map(x => ({ xs: x, ys: [x[0]] })).shuffle(1000, 'e').batch(100);
  const xs = tf.tensor2d(items);
  const ys = tf.tensor2d(items.map(x => [x[0]]));
  const fitDataset = async () => { const t = nowMs(); await model.fitDataset(data, { epochs: 1, verbose: 0 }); return nowMs() - t; };
  const fit = async () => { const t = nowMs(); await model.fit(xs, ys, { epochs: 1, batchSize: 100, shuffle: false, verbose: 0 }); return nowMs() - t; };
  await fitDataset();
  await fit();
  const withPipeline = [];
  const tensorsOnly = [];
  for (let i = 0; i < 5; i++) {
    withPipeline.push(await fitDataset());
    tensorsOnly.push(await fit());
  }
  return { ms: median(withPipeline), fitMs: median(tensorsOnly), usPerElement: ((median(withPipeline) - median(tensorsOnly)) * 1000) / n, elements: n };
}

async function streamFlow(tf, file) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  const data = tf.data.csv(`file://${file}`, { columnConfigs: { y: { isLabel: true } } })
    .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: [ys.y] })).shuffle(1000, 's').batch(1024);
  let rows = 0;
  const start = nowMs();
  await model.fitDataset(data, { epochs: 1, verbose: 0, callbacks: { onEpochEnd: () => {} } });
  rows = countRows(file);
  return { ms: nowMs() - start, rows, fileMB: fs.statSync(file).size / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

function countRows(file) {
  // Row count from the file size and the fixed line length written by writeStreamCsv.
  return Math.floor((fs.statSync(file).size - STREAM_HEADER.length - 1) / STREAM_LINE);
}

// ---- generated data ----

const ABALONE_HEADER = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';

/** An abalone-like CSV: 4177 rows, 8 numeric features, rings as the label (deterministic). */
function writeAbaloneCsv(file) {
  let s = 4177;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const lines = [ABALONE_HEADER];
  for (let i = 0; i < 4177; i++) {
    const length = 0.1 + 0.7 * r();
    const f = [Math.floor(3 * r()), length, length * (0.7 + 0.1 * r()), length * 0.3 * r(), length ** 3 * 2 * r(), length ** 3 * r(), length ** 3 * 0.5 * r(), length ** 3 * 0.6 * r()];
    lines.push(`${f.map(v => Number(v.toFixed(4))).join(',')},${Math.round(3 + 20 * length + 3 * r())}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

const STREAM_HEADER = 'f0,f1,f2,f3,f4,f5,f6,f7,y';
const STREAM_LINE = 8 * 8 + 9; // 8 features of 7 characters and a comma, the label of 8 and a newline

/** A CSV of about `mb` MB with fixed-width lines (so that its rows are counted from its size). */
function writeStreamCsv(file, mb) {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, STREAM_HEADER + '\n');
  let s = 1;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const rows = Math.floor((mb * 2 ** 20) / STREAM_LINE);
  const perBlock = 1 << 14;
  for (let done = 0; done < rows; done += perBlock) {
    let block = '';
    for (let i = 0; i < Math.min(perBlock, rows - done); i++) {
      let line = '';
      let y = 0;
      for (let k = 0; k < 8; k++) {
        const v = r();
        y += v * (k + 1);
        line += v.toFixed(5) + ',';
      }
      block += line + (y / 36).toFixed(6) + '\n';
    }
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
}

// ---- child processes ----

async function child([which, flow, arg]) {
  const tf = loadLibrary(which);
  const opts = JSON.parse(arg);
  let result;
  if (flow === 'iris') {
    const rows = irisRows();
    await irisFlow(tf, rows); // warm-up
    const runs = [];
    for (let i = 0; i < opts.reps; i++) runs.push(await irisFlow(tf, rows));
    result = { medianMs: median(runs.map(r => r.ms)), runs: runs.map(r => r.ms), loss: runs[0].loss };
  } else if (flow === 'abalone') {
    let server = null;
    let url = `file://${opts.file}`;
    if (which !== 'ours') {
      const body = fs.readFileSync(opts.file);
      server = http.createServer((req, res) => { res.setHeader('Content-Type', 'text/csv'); res.end(body); });
      await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${server.address().port}/abalone.csv`;
    }
    const runs = [];
    for (let i = 0; i < opts.reps; i++) runs.push(await abaloneFlow(tf, url));
    if (server) server.close();
    result = { medianMs: median(runs.map(r => r.ms)), runs: runs.map(r => r.ms), loss: runs[0].loss, valLoss: runs[0].valLoss };
  } else if (flow === 'elements') {
    result = await elementCost(tf, opts.elements);
  } else {
    result = await streamFlow(tf, opts.file);
  }
  console.log('PIPELINE_BENCH ' + JSON.stringify(result));
}

/**
 * `npm run iris` as a user runs it: examples/iris.js in `reps` fresh processes, each printing the
 * time of its 200-epoch fitDataset (module loading, compile and the printed summary excluded).
 */
function irisExampleRuns(reps) {
  const script = path.join(__dirname, '..', 'examples', 'iris.js');
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const out = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60e3 });
    const printed = /Trained \d+ epochs in (\d+) ms/.exec(out.stdout || '');
    if (!printed) return { error: (out.stderr || out.error?.message || 'no time printed').trim().split('\n').slice(-3).join(' ') };
    runs.push(Number(printed[1]));
  }
  return { medianMs: median(runs), runs };
}

function runChild(which, flow, opts) {
  const args = [__filename, '--child', which, flow, JSON.stringify(opts)];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20 * 60e3, maxBuffer: 1 << 26 });
  const line = (out.stdout || '').split('\n').find(l => l.startsWith('PIPELINE_BENCH '));
  if (!line) return { error: out.error ? out.error.message : (out.stderr || '').trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line.slice('PIPELINE_BENCH '.length));
}

/** Every flow for both libraries (the stream flow for ours only). */
async function runPipelineBench({ quick = false, streamMb = quick ? 100 : 1024, log = () => {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-pipeline-bench-'));
  const result = { iris: {}, abalone: {}, elements: {}, stream: null, streamMb, example: null };
  try {
    const abalone = path.join(dir, 'abalone.csv');
    writeAbaloneCsv(abalone);
    const plans = {
      iris: { ours: { reps: quick ? 5 : 21 }, tfjs: { reps: quick ? 1 : 3 } },
      abalone: { ours: { reps: quick ? 3 : 7, file: abalone }, tfjs: { reps: quick ? 1 : 3, file: abalone } },
      elements: { ours: { elements: 100000 }, tfjs: { elements: quick ? 5000 : 20000 } },
    };
    for (const flow of Object.keys(plans)) {
      for (const lib of ['ours', 'tfjs']) {
        const start = nowMs();
        result[flow][lib] = runChild(lib, flow, plans[flow][lib]);
        log(`  ${flow} ${lib === 'ours' ? 'dense-mtl' : 'tfjs-cpu '} ${((nowMs() - start) / 1000).toFixed(1).padStart(6)} s${result[flow][lib].error ? '  FAILED' : ''}`);
      }
    }
    let start = nowMs();
    result.example = irisExampleRuns(quick ? 5 : 15);
    log(`  npm run iris ${((nowMs() - start) / 1000).toFixed(1).padStart(6)} s`);
    const big = path.join(dir, 'stream.csv');
    start = nowMs();
    writeStreamCsv(big, streamMb);
    result.stream = runChild('ours', 'stream', { file: big });
    log(`  stream dense-mtl ${((nowMs() - start) / 1000).toFixed(1).padStart(6)} s (${streamMb} MB generated and read)`);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The table as lines. */
function tableLines(r) {
  const f = (x, d = 1) => (x == null ? 'n/a' : x.toFixed(d));
  const ratio = (flow) => (r[flow].ours.medianMs && r[flow].tfjs.medianMs ? r[flow].tfjs.medianMs / r[flow].ours.medianMs : null);
  const status = (x, min) => (x == null ? 'n/a' : x >= min ? 'MET' : 'NOT MET');
  const row = (flow, name, goal, min) => {
    const [o, t] = [r[flow].ours, r[flow].tfjs];
    if (o.error || t.error) return `${name}: failed (${o.error || t.error})`;
    return `${name}: dense-mtl ${f(o.medianMs)} ms, tfjs-cpu ${f(t.medianMs)} ms, ${f(ratio(flow))}× (goal ${goal}: ${status(ratio(flow), min)})`;
  };
  const lines = [
    row('iris', 'Iris flow: array → map → shuffle(150) → batch(16) → fitDataset, 4-10-10-3 sgd, 200 epochs', '≥ 50×', 50),
    row('abalone', 'abalone-node flow: csv → map → shuffle(1000) → batch(500) → take(7)/skip(7) → fitDataset + validationData, 8-50-50-1, 20 epochs', '≥ 20×', 20),
  ];
  const e = r.elements;
  lines.push(e.ours.error ? `per-element cost: failed (${e.ours.error})` :
    `pipeline cost per element (map → shuffle(1000) → batch(100), trivial map; fitDataset minus fit on the same rows): dense-mtl ${f(e.ours.usPerElement, 2)} µs ` +
    `(goal ≤ 1 µs: ${e.ours.usPerElement <= 1 ? 'MET' : 'NOT MET'}), tfjs-cpu ${e.tfjs.error ? 'failed' : `${f(e.tfjs.usPerElement, 1)} µs`}`);
  const x = r.example;
  lines.push(!x || x.error ? `npm run iris: failed (${x && x.error})` :
    `npm run iris (examples/iris.js: csv → map → shuffle → batch → fitDataset, 200 epochs, a fresh process each, ${x.runs.length} runs): ` +
    `median ${f(x.medianMs, 0)} ms, range ${Math.min(...x.runs)}–${Math.max(...x.runs)} ms (goal < 50 ms: ${x.medianMs < 50 ? 'MET' : 'NOT MET'})`);
  const s = r.stream;
  lines.push(!s || s.error ? `streaming CSV: failed (${s && s.error})` :
    `streaming a ${f(s.fileMB, 0)} MB CSV (${s.rows} rows) through csv → map → shuffle(1000) → batch(1024) → fitDataset: peak RSS ${f(s.peakRssMB, 0)} MB ` +
    `(goal < 300 MB: ${s.peakRssMB < 300 ? 'MET' : 'NOT MET'}), ${f(s.ms / 1000)} s`);
  return lines;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const main = argv[0] === '--child' ? () => child(argv.slice(1)) : async () => {
    const quick = argv.includes('--quick');
    const mbAt = argv.indexOf('--stream-mb');
    const result = await runPipelineBench({ quick, streamMb: mbAt >= 0 ? Number(argv[mbAt + 1]) : undefined, log: m => process.stderr.write(m + '\n') });
    console.log(tableLines(result).join('\n'));
    console.log('BENCH_JSON ' + JSON.stringify({ workload: 'pipeline', ...result }));
  };
  main().catch((e) => { console.error(e); process.exit(1); });
}

module.exports = { runPipelineBench, tableLines, writeStreamCsv, writeAbaloneCsv };
