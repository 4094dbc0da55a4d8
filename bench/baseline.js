#!/usr/bin/env node
// One workload on one backend, in its own process (TF.js backends are global state):
//   node bench/baseline.js <ours|cpu|wasm> <w1|w2|w3|w4> ['{"reps":3,...}']
// Prints one line `BENCH_JSON {...}` on stdout (TF.js may print other lines of its own).
'use strict';
const path = require('node:path');
const { WORKLOADS } = require('./common');

const DEFAULT_PLANS = {
  w1: { reps: 5 },
  w2: { reps: 5 },
  w3: { rows: 20000, epochs: 2, reps: 1, predictCalls: 200 },
  w4: { rows: 8192, epochs: 1, reps: 1 },
};

async function loadTf(backend) {
  if (backend === 'ours') return require('..');
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + path.sep); // the trailing separator is required
  }
  if (!(await tf.setBackend(backend))) throw new Error(`could not initialise the TF.js '${backend}' backend`);
  await tf.ready();
  return tf;
}

// What the wasm backend really runs on (SIMD, threads), for the record.
async function backendInfo(tf, backend) {
  if (backend !== 'wasm') return undefined;
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  return {
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    threads: wasm.getThreadsCount(),
  };
}

async function main() {
  const [backend, workload, planJson] = process.argv.slice(2);
  if (!['ours', 'cpu', 'wasm'].includes(backend) || !WORKLOADS[workload]) {
    throw new Error('usage: node bench/baseline.js <ours|cpu|wasm> <w1|w2|w3|w4> [plan-json]');
  }
  const plan = { ...DEFAULT_PLANS[workload], ...(planJson ? JSON.parse(planJson) : {}) };
  const tf = await loadTf(backend);
  const result = await WORKLOADS[workload](tf, plan);
  console.log('BENCH_JSON ' + JSON.stringify({ backend, workload, plan, info: await backendInfo(tf, backend), ...result }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
