#!/usr/bin/env node
// `npm run bench` [-- --quick]: dense-mtl vs @tensorflow/tfjs ('cpu' and 'wasm' backends) on the
// same workloads. Every (backend, workload) pair runs in its own child process (bench/baseline.js),
// one after the other, never in parallel. Prints a table, writes bench/RESULTS.md and
// bench/rows-per-second.svg.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { nowMs, IRIS_UNITS, W3_UNITS, W4_UNITS } = require('./common');
const { barChartSvg } = require('./chart');

const QUICK = process.argv.includes('--quick');
const BACKENDS = { ours: 'dense-mtl', cpu: 'tfjs-cpu', wasm: 'tfjs-wasm' };
const FULL_SIZE = { w3: { rows: 20000, epochs: 2 }, w4: { rows: 8192, epochs: 1 } };

// Repetitions and sizes per backend. Ours always runs the full workloads; the TF.js baselines
// train W3/W4 on fewer rows (the result is a rate, rows/s or GFLOP/s, so it scales).
const PLANS = QUICK ? {
  ours: { w1: { reps: 7 }, w2: { reps: 7 }, w3: { ...FULL_SIZE.w3, reps: 1, predictCalls: 500 }, w4: { ...FULL_SIZE.w4, reps: 1 } },
  cpu: { w1: { reps: 2 }, w2: { reps: 2 }, w3: { rows: 1024, epochs: 1, reps: 1, predictCalls: 100 }, w4: { rows: 256, epochs: 1, reps: 1, warmupRows: 16 } },
  wasm: { w1: { reps: 2 }, w2: { reps: 2 }, w3: { rows: 2560, epochs: 1, reps: 1, predictCalls: 200 }, w4: { rows: 256, epochs: 1, reps: 1, warmupRows: 16 } },
} : {
  ours: { w1: { reps: 31 }, w2: { reps: 31 }, w3: { ...FULL_SIZE.w3, reps: 5, predictCalls: 2000 }, w4: { ...FULL_SIZE.w4, reps: 5 } },
  cpu: { w1: { reps: 11 }, w2: { reps: 11 }, w3: { rows: 2560, epochs: 1, reps: 3, predictCalls: 300 }, w4: { rows: 256, epochs: 1, reps: 3, warmupRows: 32 } },
  wasm: { w1: { reps: 11 }, w2: { reps: 11 }, w3: { rows: 5120, epochs: 1, reps: 5, predictCalls: 500 }, w4: { rows: 512, epochs: 1, reps: 3, warmupRows: 32 } },
};

const log = (msg) => process.stderr.write(msg + '\n');

// ---- measuring ----

// The most telling line of a failed child's output: its first error message.
function childError(child) {
  if (child.error) return child.error.message;
  const lines = (child.stderr || '').split('\n').map(l => l.trim()).filter(Boolean);
  return lines.find(l => /error/i.test(l)) || lines.pop() || `exit code ${child.status}`;
}

function runChild(backend, workload) {
  const plan = PLANS[backend][workload];
  const start = nowMs();
  const child = spawnSync(process.execPath, [path.join(__dirname, 'baseline.js'), backend, workload, JSON.stringify(plan)],
    { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 10 * 60e3 });
  const line = (child.stdout || '').split('\n').find(l => l.startsWith('BENCH_JSON '));
  log(`  ${workload} ${BACKENDS[backend].padEnd(9)} ${((nowMs() - start) / 1000).toFixed(1).padStart(5)} s${line ? '' : '  FAILED'}`);
  if (!line) return { error: childError(child) };
  return JSON.parse(line.slice('BENCH_JSON '.length));
}

// numpy `A @ B`, 1024×1024 float32, 2 BLAS threads: the GEMM ceiling W4 is compared with.
const GEMM_PY = `
import json, time, numpy as np
n = 1024
a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
for _ in range(3): a @ b
ts = []
for _ in range(15):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
ts.sort(); med = ts[len(ts) // 2]
print(json.dumps({"medianMs": med * 1e3, "gflops": 2 * n ** 3 / med / 1e9, "numpy": np.__version__}))
`;

function numpyGemm() {
  const env = { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
  // Some machines pin OpenBLAS to an older kernel through these; for a fair ceiling, let it pick.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const probe = spawnSync('python3', ['-c', 'import numpy'], { env, encoding: 'utf8' });
  if (probe.error) return { skipped: 'python3 not found' };
  if (probe.status !== 0) return { skipped: 'numpy is not installed for python3' };
  const child = spawnSync('python3', ['-c', GEMM_PY], { env, encoding: 'utf8', timeout: 120e3 });
  try {
    return JSON.parse(child.stdout.trim().split('\n').pop());
  } catch {
    return { skipped: `numpy GEMM failed: ${(child.stderr || '').trim().split('\n').pop()}` };
  }
}

function measureAll() {
  const results = { ours: {}, cpu: {}, wasm: {} };
  for (const workload of ['w1', 'w2', 'w3', 'w4']) {
    for (const backend of Object.keys(BACKENDS)) results[backend][workload] = runChild(backend, workload);
  }
  log('  GEMM ceiling (numpy)');
  return { results, gemm: numpyGemm() };
}

// ---- the comparison table ----

// One line per metric. `lower`: smaller is better (times). `target(speedups, value)` gives the
// ratio the performance target is about, or null when it cannot be computed.
const METRICS = [
  { workload: 'w1', name: 'W1 Iris 4-10-10-3 sgd: fit, 100 epochs', unit: 'ms', lower: true, value: r => r.medianMs,
    goal: '≥100× tfjs-cpu', min: 100, target: s => s.cpu },
  { workload: 'w2', name: 'W2 Iris MTL 2 heads adam: fit, 100 epochs', unit: 'ms', lower: true, value: r => r.medianMs,
    goal: '≥100× tfjs-cpu', min: 100, target: s => s.cpu },
  { workload: 'w3', name: 'W3 784-256-128-10 adam: training', unit: 'rows/s', value: r => r.rowsPerSec,
    goal: '≥25× tfjs-wasm', min: 25, target: s => s.wasm },
  { workload: 'w3', name: 'W3 784-256-128-10: 1-row predict', unit: 'µs', lower: true, value: r => r.predict.medianUs,
    goal: '≤¼ tfjs-wasm latency', min: 4, target: s => s.wasm },
  { workload: 'w4', name: 'W4 1024-1024-1024-10 sgd: training', unit: 'GFLOP/s', value: r => r.gflops,
    goal: '≥ numpy GEMM GFLOP/s', min: 1, target: (s, ours, gemm) => (gemm.gflops ? ours / gemm.gflops : null) },
];

const fmt = (v) => (v == null ? 'n/a' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
const fmtRatio = (x) => (x == null ? 'n/a' : `${x.toPrecision(3)}×`);

// How many times faster ours is than `base` (> 1: ours is faster).
const speedup = (metric, ours, base) => (ours == null || base == null ? null : metric.lower ? base / ours : ours / base);

function valueOf(metric, result) {
  if (!result || result.error) return null;
  return metric.value(result);
}

function tableRows({ results, gemm }) {
  const rows = METRICS.map((m) => {
    const [ours, cpu, wasm] = ['ours', 'cpu', 'wasm'].map(b => valueOf(m, results[b][m.workload]));
    const s = { cpu: speedup(m, ours, cpu), wasm: speedup(m, ours, wasm) };
    const ratio = m.target(s, ours, gemm);
    const status = ratio == null ? 'n/a' : ratio >= m.min ? 'MET' : 'NOT MET';
    return [m.name, m.unit, fmt(ours), fmt(cpu), fmt(wasm), fmtRatio(s.cpu), fmtRatio(s.wasm), m.goal, status];
  });
  // The GEMM ceiling W4 is held to: its value sits in the target column.
  rows.push(['GEMM ceiling: numpy A@B 1024² f32, 2 threads', 'GFLOP/s', '', '', '', '', '',
    gemm.gflops ? `${fmt(gemm.gflops)} (numpy ${gemm.numpy})` : 'no numpy', gemm.gflops ? '' : 'skipped']);
  return rows;
}

const HEADER = ['workload', 'unit', 'dense-mtl', 'tfjs-cpu', 'tfjs-wasm', 'vs cpu', 'vs wasm', 'target', 'status'];
const NUMERIC = new Set([2, 3, 4, 5, 6]);

function textTable(rows) {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, c) => Math.max(...all.map(r => r[c].length)));
  const line = (r) => r.map((cell, c) => (NUMERIC.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  return [line(HEADER), widths.map(w => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(rows) {
  const line = (r) => `| ${r.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map((_, c) => (NUMERIC.has(c) ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

// The two numbers the foundation issue asks for, against TF.js on the 'cpu' backend.
function foundationLines({ results }) {
  const w3Time = (r) => (r && !r.error ? (FULL_SIZE.w3.rows * FULL_SIZE.w3.epochs) / r.rowsPerSec * 1000 : null);
  const w3Cpu = PLANS.cpu.w3;
  const items = [
    ['seed Iris model (100 epochs, batch 32)', results.ours.w1.medianMs, results.cpu.w1.medianMs, ''],
    ['784-256-128-10 MLP (20 000 rows, batch 128, adam, 2 epochs)', w3Time(results.ours.w3), w3Time(results.cpu.w3),
      ` (tfjs time extrapolated from ${w3Cpu.rows} rows × ${w3Cpu.epochs} epoch)`],
  ];
  const sec = (ms) => (ms == null ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toPrecision(3)} s` : `${ms.toPrecision(3)} ms`);
  return items.map(([name, ours, tfjs, note]) =>
    `${name}: dense-mtl ${sec(ours)}, TF.js (cpu) ${sec(tfjs)}, ratio ${fmtRatio(ours && tfjs ? tfjs / ours : null)} faster${note}`);
}

function notes(measured) {
  const { results } = measured;
  const out = [];
  const describePlan = (b, w) => {
    const p = PLANS[b][w];
    return p.rows ? `${p.rows} rows × ${p.epochs} epoch(s), median of ${p.reps}` : `median of ${p.reps} fresh models`;
  };
  for (const b of Object.keys(BACKENDS)) {
    out.push(`${BACKENDS[b]}: ${['w1', 'w2', 'w3', 'w4'].map(w => `${w.toUpperCase()} ${describePlan(b, w)}`).join('; ')}` +
      `; predict median of ${PLANS[b].w3.predictCalls} calls.`);
  }
  out.push(`Full sizes: W3 ${FULL_SIZE.w3.rows} rows × ${FULL_SIZE.w3.epochs} epochs, W4 ${FULL_SIZE.w4.rows} rows × 1 epoch; ` +
    'smaller baseline runs are reported as rates (rows/s, GFLOP/s), which do not depend on the row count.');
  out.push('W1/W2: one warm-up fit, then a fresh model per timed fit. W3/W4: one warm-up batch, then timed fits. ' +
    'Predict: 1×784 input, predict + dataSync + dispose per call, after 20 warm-up calls.');
  out.push('W4 GFLOP/s counts 6 · Σ(in·out) · rows (forward + backward).');
  if (measured.gemm.skipped) out.push(`GEMM ceiling skipped (${measured.gemm.skipped}), so the W4 target cannot be judged.`);
  const wasmInfo = Object.values(results.wasm).find(r => r && r.info)?.info;
  if (wasmInfo) out.push(`tfjs-wasm in Node: SIMD ${wasmInfo.simd ? 'on' : 'off'}, multithreading ${wasmInfo.multithread ? 'on' : 'off'}, ${wasmInfo.threads} thread(s).`);
  for (const b of Object.keys(BACKENDS)) {
    for (const [w, r] of Object.entries(results[b])) if (r.error) out.push(`${BACKENDS[b]} ${w} failed: ${r.error}`);
  }
  return out;
}

// ---- outputs ----

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) || []).length || os.cpus().length;
  return { model: model.trim(), cores, memGiB: (os.totalmem() / 2 ** 30).toFixed(1), load: os.loadavg()[0].toFixed(2) };
}

const paramCount = (units) => units.slice(1).reduce((sum, out, i) => sum + (units[i] + 1) * out, 0);

function chartSvg({ results }) {
  const irisRowsPerSec = (r) => (r && !r.error ? (r.rows * r.epochs) / (r.medianMs / 1000) : null);
  const pick = { w1: irisRowsPerSec, w2: irisRowsPerSec, w3: r => (r && !r.error ? r.rowsPerSec : null), w4: r => (r && !r.error ? r.rowsPerSec : null) };
  const mtlParams = paramCount([4, 16, 16]) + paramCount([16, 3]) + paramCount([16, 1]);
  return barChartSvg({
    title: 'Training rows per second by model size (log scale, higher is better)',
    yLabel: 'training rows / s',
    groups: [
      { label: 'W1 4-10-10-3', sublabel: `${paramCount(IRIS_UNITS)} params, batch 32` },
      { label: 'W2 4-16-16-{3,1}', sublabel: `${mtlParams} params, batch 32` },
      { label: 'W3 784-256-128-10', sublabel: `${paramCount(W3_UNITS).toLocaleString('en-US')} params, batch 128` },
      { label: 'W4 1024-1024-1024-10', sublabel: `${paramCount(W4_UNITS).toLocaleString('en-US')} params, batch 256` },
    ],
    series: Object.entries(BACKENDS).map(([b, name]) => ({ name, values: ['w1', 'w2', 'w3', 'w4'].map(w => pick[w](results[b][w])) })),
  });
}

function resultsMarkdown(measured, { command, seconds, loadBefore, csvLines, memoryLines, pipelineLines }) {
  const m = machine();
  const versions = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'].map(p => `${p} ${require(`${p}/package.json`).version}`);
  return [
    '# Benchmark results',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${m.model}, ${m.cores} cores, ${m.memGiB} GiB RAM; 1-minute load average ${loadBefore} before, ${m.load} after ` +
      '(shared and noisy: quote medians and ratios)',
    `- Node ${process.version}, dense-mtl ${require('../package.json').version}, ${versions.join(', ')}`,
    `- Command: \`${command}\`${QUICK ? ' (quick mode)' : ''}, ${seconds.toFixed(0)} s in all`,
    '',
    'Ratios are how many times faster dense-mtl is (> 1× means dense-mtl is faster).',
    '',
    markdownTable(tableRows(measured)),
    '',
    '## Foundation issue numbers',
    '',
    ...foundationLines(measured).map(l => `- ${l}`),
    '',
    '## Memory (bench/memory.js)',
    '',
    ...memoryLines.map(l => `- ${l}`),
    '',
    '## tf.data flows and fitDataset (bench/pipeline.js)',
    '',
    ...pipelineLines.map(l => `- ${l}`),
    '',
    '## Data pipeline (bench/csv.js)',
    '',
    '```',
    ...csvLines,
    '```',
    '',
    '## Notes',
    '',
    ...notes(measured).map(l => `- ${l}`),
    '',
    '![training rows per second](rows-per-second.svg)',
    '',
  ].join('\n');
}

/** The CSV pipeline benchmark's table, as lines (it prints with console.log). */
async function csvBenchLines() {
  const { runCsvBench, printTable } = require('./csv');
  log('csv pipeline: throughput and peak memory reading a generated CSV ...');
  const result = await runCsvBench(QUICK ? { rows: 5000, mb: 50, tfjsMb: 20 } : { rows: 20000, mb: 300, tfjsMb: 100 });
  const lines = [];
  const print = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  try {
    printTable(result);
  } finally {
    console.log = print;
  }
  return lines;
}

/** The tf.data flows against TF.js, per-element cost and streaming a large CSV (bench/pipeline.js). */
async function pipelineBenchLines() {
  const { runPipelineBench, tableLines } = require('./pipeline');
  log('tf.data flows: Iris and abalone-node fitDataset, per-element cost, streaming a generated CSV ...');
  return tableLines(await runPipelineBench({ quick: QUICK, log }));
}

/** Memory: peak RSS of a W3 fit, and RSS / tf.memory() over predict and fit loops (bench/memory.js). */
function memoryBenchLines() {
  log('memory: W3 fit peak RSS, 10 000 predicts and 200 fits in a loop ...');
  const args = ['--expose-gc', path.join(__dirname, 'memory.js'), ...(QUICK ? ['--quick'] : [])];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (child.status !== 0) return [`memory benchmark failed: ${(child.stderr || '').trim().split('\n').pop()}`];
  return child.stdout.trim().split('\n').filter(l => !l.startsWith('MEMORY_JSON'));
}

async function main() {
  const start = nowMs();
  const loadBefore = os.loadavg()[0].toFixed(2);
  log(`dense-mtl benchmark${QUICK ? ' (quick)' : ''}: one child process at a time; load average ${loadBefore}`);
  const measured = measureAll();
  const memoryLines = memoryBenchLines();
  const csvLines = await csvBenchLines();
  const pipelineLines = await pipelineBenchLines();
  const seconds = (nowMs() - start) / 1000;
  const command = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${QUICK ? ' -- --quick' : ''}` : `node bench/run.js${QUICK ? ' --quick' : ''}`;

  console.log('\n' + textTable(tableRows(measured)));
  console.log('\nFoundation issue (TF.js = @tensorflow/tfjs 4.22, cpu backend):');
  for (const l of foundationLines(measured)) console.log(`  ${l}`);
  console.log('\nNotes:');
  for (const l of notes(measured)) console.log(`  - ${l}`);
  console.log(`\n${memoryLines.join('\n')}`);
  console.log(`\n${csvLines.join('\n')}`);
  console.log(`\n${pipelineLines.join('\n')}`);

  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), resultsMarkdown(measured, { command, seconds, loadBefore, csvLines, memoryLines, pipelineLines }));
  fs.writeFileSync(path.join(__dirname, 'rows-per-second.svg'), await chartSvg(measured));
  console.log(`\nWrote bench/RESULTS.md and bench/rows-per-second.svg (${seconds.toFixed(0)} s).`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
