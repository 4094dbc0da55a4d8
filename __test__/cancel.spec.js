'use strict';
// A fit never holds the process: stopTraining set from anywhere stops a fit after its current
// batch, calls on the model during a fit answer from the weights of the last completed step,
// and an exiting process or a terminated worker does not wait for the fit to end. The fits here
// are set to run ~forever (1e9 epochs): each test ends only if the behaviour holds.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tf = require('..');
const { seededValues } = require('./helpers/tfjs');

const FOREVER = 1e9;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function mediumModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [16] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

const data = rows => ({ x: tf.tensor(seededValues(rows * 16, 1), [rows, 16]), y: tf.tensor(seededValues(rows, 2), [rows, 1]) });

describe('stopTraining set from outside any callback', () => {
  test('stops a fit with no callbacks; History ends with the epoch in progress', async () => {
    const model = mediumModel();
    const { x, y } = data(4000);
    const fit = model.fit(x, y, { epochs: FOREVER, batchSize: 32, verbose: 0 });
    await sleep(300);
    model.stopTraining = true;
    const history = await fit;
    expect(history.epoch.length).toBeGreaterThan(0);
    expect(history.epoch).toEqual(history.epoch.map((_, i) => i));
    expect(history.history.loss.every(Number.isFinite)).toBe(true);
  });

  test('stops a fitDataset whose chunks run on the worker thread', async () => {
    const model = mediumModel();
    const rows = Array.from({ length: 4000 }, (_, i) => ({ xs: seededValues(16, i), ys: [i % 3] }));
    const fit = model.fitDataset(tf.data.array(rows).batch(32), { epochs: FOREVER, verbose: 0 });
    await sleep(300);
    model.stopTraining = true;
    const history = await fit;
    expect(history.epoch.length).toBeGreaterThan(0);
  });
});

test('predict, evaluate, getWeights and countParams during a fit answer before it ends, from trained weights', async () => {
  const model = mediumModel();
  const { x, y } = data(20000);
  const before = model.getWeights().map(w => Array.from(w.dataSync()));
  let ended = false;
  const fit = model.fit(x, y, { epochs: FOREVER, batchSize: 32, verbose: 0 }).then((h) => { ended = true; return h; });
  await sleep(300);
  const during = model.getWeights().map(w => Array.from(w.dataSync()));
  const prediction = model.predict(tf.tensor2d([seededValues(16, 9)])).dataSync()[0];
  const loss = model.evaluate(x, y, { batchSize: 1000 }).dataSync()[0];
  const params = model.countParams();
  expect(ended).toBe(false);
  expect(during[0]).not.toEqual(before[0]); // some steps have run
  expect(during.flat().every(Number.isFinite)).toBe(true);
  expect(Number.isFinite(prediction)).toBe(true);
  expect(Number.isFinite(loss)).toBe(true);
  expect(params).toBe(16 * 64 + 64 + 64 + 1);
  model.stopTraining = true;
  await fit;
  expect(ended).toBe(true);
});

/** Runs `script` in a fresh Node process; returns its exit status and output. */
function runNode(script) {
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000, cwd: path.join(__dirname, '..') });
  return { status: out.status, signal: out.signal, stdout: out.stdout, stderr: out.stderr };
}

const FOREVER_FIT = `
  const tf = require(${JSON.stringify(path.join(__dirname, '..'))});
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [16] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tf.randomNormal([20000, 16]);
  const y = tf.randomNormal([20000, 1]);
  model.fit(x, y, { epochs: 1e9, batchSize: 32, verbose: 0 });
`;

test('process.exit() during a fit exits (the fit is stopped, not awaited)', () => {
  const out = runNode(`${FOREVER_FIT}; setTimeout(() => { console.log('exiting'); process.exit(3); }, 300);`);
  expect(out.signal).toBe(null); // not killed by the timeout
  expect(out.stdout).toContain('exiting');
  expect(out.status).toBe(3);
});

test('worker.terminate() during a fit in the worker resolves, and the process then exits', () => {
  const script = `
    const { Worker } = require('node:worker_threads');
    const worker = new Worker(${JSON.stringify(`${FOREVER_FIT}; require('node:worker_threads').parentPort.postMessage('fitting');`)}, { eval: true });
    worker.on('message', () => setTimeout(async () => { const code = await worker.terminate(); console.log('terminated', code); }, 300));
  `;
  const out = runNode(script);
  expect(out.signal).toBe(null);
  expect(out.stdout).toContain('terminated 1');
  expect(out.status).toBe(0);
});
