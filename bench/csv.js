#!/usr/bin/env node
// CSV pipeline benchmark, dense-mtl against @tensorflow/tfjs (cpu backend) in the same run:
//  1. throughput: rows per second through tf.data.csv → map → batch(32) → fitDataset (one epoch)
//     on a generated classification CSV;
//  2. memory: peak RSS while reading a generated CSV of a few hundred megabytes end to end
//     (csv → batch(1024)); TF.js reads the whole file into memory first.
// Each measurement runs in its own process (TF.js backends are global; peak RSS is per process).
//
//   node bench/csv.js [--rows 20000] [--mb 300] [--tfjs-mb 300] [--no-tfjs]
// or from another script: `await require('./csv').runCsvBench({ rows, mb })`.
// Prints a table and one line `BENCH_JSON {...}`.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loadLibrary } = require('./common');

const FEATURES = 8;
const CLASSES = 3;
const HEADER = [...Array(FEATURES).keys()].map(i => `f${i}`).concat('label').join(',');

/** Writes `rows` rows of random features and a class label (deterministic LCG); returns the path. */
function generateCsv(file, { rows, mb }) {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, HEADER + '\n');
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  let buf = '';
  let written = 0;
  const limit = mb ? mb * 1024 * 1024 : Infinity;
  for (let r = 0; r < (rows ?? Infinity) && written < limit; r++) {
    let line = '';
    for (let f = 0; f < FEATURES; f++) line += rand().toFixed(5) + ',';
    buf += line + Math.floor(rand() * CLASSES) + '\n';
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); written += buf.length; buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return file;
}

const toArrays = tf => ({ xs, ys }) => ({ xs: Object.values(xs), ys: tf.oneHot(ys.label, CLASSES) });

// --- child-process measurements ---

async function throughput(tf, file) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [FEATURES] }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const ds = tf.data.csv(`file://${file}`, { columnConfigs: { label: { isLabel: true } } }).map(toArrays(tf)).batch(32);
  await model.fitDataset(ds.take(2), { epochs: 1, verbose: 0 }); // warm-up
  let rows = 0;
  const start = process.hrtime.bigint();
  await model.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: (b, logs) => { rows += logs.size; } } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { rows, seconds, rowsPerSec: rows / seconds };
}

async function memory(tf, file) {
  const before = process.memoryUsage().rss;
  let rows = 0;
  const start = process.hrtime.bigint();
  const ds = tf.data.csv(`file://${file}`, { columnConfigs: { label: { isLabel: true } } }).batch(1024);
  await ds.forEachAsync((batch) => { rows += batch.ys.label.shape[0]; tf.dispose(batch); });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    fileMB: fs.statSync(file).size / 2 ** 20, rows, seconds, rowsPerSec: rows / seconds,
    rssBeforeMB: before / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

async function child([which, task, file]) {
  const tf = loadLibrary(which);
  const result = await (task === 'throughput' ? throughput : memory)(tf, file);
  console.log('CSV_BENCH ' + JSON.stringify(result));
}

function runChild(which, task, file, timeoutMs) {
  const args = [...process.execArgv, __filename, '--child', which, task, file];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 26 });
  const line = (out.stdout || '').split('\n').find(l => l.startsWith('CSV_BENCH '));
  if (!line) return { error: out.error ? out.error.message : (out.stderr || '').trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line.slice('CSV_BENCH '.length));
}

/**
 * Runs both measurements for both libraries. Options: rows (throughput file, default 20000),
 * mb (memory file size, default 300), tfjsMb (TF.js's memory file, default = mb), tfjs (false
 * to skip TF.js), timeoutMs per child (default 10 min).
 */
async function runCsvBench({ rows = 20000, mb = 300, tfjsMb = mb, tfjs = true, timeoutMs = 600e3 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-csv-bench-'));
  try {
    const small = generateCsv(path.join(dir, 'train.csv'), { rows });
    const large = generateCsv(path.join(dir, 'large.csv'), { mb });
    const tfjsLarge = tfjsMb === mb ? large : generateCsv(path.join(dir, 'large_tfjs.csv'), { mb: tfjsMb });
    const libs = tfjs ? ['ours', 'tfjs'] : ['ours'];
    const result = { features: FEATURES, classes: CLASSES, throughput: {}, memory: {} };
    for (const lib of libs) result.throughput[lib] = runChild(lib, 'throughput', small, timeoutMs);
    for (const lib of libs) result.memory[lib] = runChild(lib, 'memory', lib === 'ours' ? large : tfjsLarge, timeoutMs);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(r) {
  const f = (x, d = 0) => (x == null ? '-' : x.toFixed(d));
  console.log(`csv → map → batch(32) → fitDataset, ${FEATURES} features, ${CLASSES} classes:`);
  for (const [lib, t] of Object.entries(r.throughput)) {
    console.log(`  ${lib.padEnd(5)} ${t.error ? `failed: ${t.error}` : `${f(t.rowsPerSec).padStart(9)} rows/s  (${t.rows} rows in ${f(t.seconds, 2)} s)`}`);
  }
  console.log('csv → batch(1024), whole file:');
  for (const [lib, m] of Object.entries(r.memory)) {
    console.log(`  ${lib.padEnd(5)} ${m.error ? `failed: ${m.error}` : `${f(m.fileMB)} MB file, ${m.rows} rows in ${f(m.seconds, 1)} s (${f(m.rowsPerSec)} rows/s), peak RSS ${f(m.peakRssMB)} MB (${f(m.rssBeforeMB)} MB before reading)`}`);
  }
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') opts.rows = Number(argv[++i]);
    else if (argv[i] === '--mb') opts.mb = Number(argv[++i]);
    else if (argv[i] === '--tfjs-mb') opts.tfjsMb = Number(argv[++i]);
    else if (argv[i] === '--no-tfjs') opts.tfjs = false;
    else throw new Error(`bench/csv.js: unknown argument ${argv[i]}`);
  }
  return opts;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const main = argv[0] === '--child' ? () => child(argv.slice(1)) : async () => {
    const result = await runCsvBench(parseArgs(argv));
    printTable(result);
    console.log('BENCH_JSON ' + JSON.stringify({ workload: 'csv', ...result }));
  };
  main().catch((e) => { console.error(e); process.exit(1); });
}

module.exports = { runCsvBench, printTable, generateCsv };
