#!/usr/bin/env node
// Memory: peak RSS of a W3 fit against the size of its dataset, and RSS / tf.memory() over
// 10 000 predict calls and 200 fits in a loop (they must stay flat: no leak, no dispose needed).
//   node --expose-gc bench/memory.js [--quick]      (prints one line `MEMORY_JSON {...}` at the end)
'use strict';
const tf = require('..');

const QUICK = process.argv.includes('--quick');
const MB = 1024 * 1024;
const rssMB = () => process.memoryUsage().rss / MB;
// Collects garbage and lets the FinalizationRegistry callbacks (which update tf.memory()) run.
async function gc() {
  for (let i = 0; i < 3; i++) {
    if (global.gc) global.gc();
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

/** Peak RSS sampled every few milliseconds while `fn` runs (the fit runs off the JS thread). */
async function peakDuring(fn) {
  let peak = rssMB();
  const timer = setInterval(() => { peak = Math.max(peak, rssMB()); }, 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMB());
}

function w3Model() {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}

async function main() {
  const rows = QUICK ? 5000 : 20000;
  const x = tf.tensor(Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 2654435761) % 1000) / 1000), [rows, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const datasetMB = (x.size + y.size) * 4 / MB;
  const model = w3Model();
  await gc();
  const before = rssMB();
  const peak = await peakDuring(() => model.fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 }));
  const fitOverheadMB = peak - before;

  const one = tf.tensor2d([Array.from({ length: 784 }, (_, i) => i / 784)]);
  const predictCalls = QUICK ? 2000 : 10000;
  // The allocators settle during the first tens of thousands of calls; measure after that.
  for (let i = 0; i < 5 * predictCalls; i++) model.predict(one);
  await gc();
  const predictStart = { rss: rssMB(), tensors: tf.memory().numTensors };
  for (let i = 0; i < predictCalls; i++) model.predict(one);
  await gc();
  const predictEnd = { rss: rssMB(), tensors: tf.memory().numTensors };

  const small = tf.tensor2d(Array.from({ length: 64 }, (_, i) => [i / 64, 1 - i / 64]));
  const smallY = tf.tensor2d(Array.from({ length: 64 }, (_, i) => [i % 2]));
  const fits = QUICK ? 50 : 200;
  const loopModel = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
  loopModel.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  for (let i = 0; i < 10; i++) await loopModel.fit(small, smallY, { epochs: 2, verbose: 0 });
  await gc();
  const fitStart = { rss: rssMB(), tensors: tf.memory().numTensors };
  for (let i = 0; i < fits; i++) await loopModel.fit(small, smallY, { epochs: 2, verbose: 0 });
  await gc();
  const fitEnd = { rss: rssMB(), tensors: tf.memory().numTensors };

  const result = {
    rows, datasetMB, rssBeforeFitMB: before, peakRssDuringFitMB: peak, fitOverheadMB,
    predictCalls, predictRssGrowthMB: predictEnd.rss - predictStart.rss, predictTensorGrowth: predictEnd.tensors - predictStart.tensors,
    fits, fitRssGrowthMB: fitEnd.rss - fitStart.rss, fitTensorGrowth: fitEnd.tensors - fitStart.tensors,
  };
  console.log(`W3 fit (${rows} rows, dataset ${datasetMB.toFixed(1)} MB held by the tensors): RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during: +${fitOverheadMB.toFixed(1)} MB (target: at most +64 MB beyond the dataset, which the fit reads in place)`);
  console.log(`${predictCalls} predict calls: RSS ${result.predictRssGrowthMB >= 0 ? '+' : ''}${result.predictRssGrowthMB.toFixed(1)} MB, tf.memory().numTensors ${result.predictTensorGrowth >= 0 ? '+' : ''}${result.predictTensorGrowth} (after GC)`);
  console.log(`${fits} fits in a loop: RSS ${result.fitRssGrowthMB >= 0 ? '+' : ''}${result.fitRssGrowthMB.toFixed(1)} MB, tf.memory().numTensors ${result.fitTensorGrowth >= 0 ? '+' : ''}${result.fitTensorGrowth} (after GC)`);
  console.log(`MEMORY_JSON ${JSON.stringify(result)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
