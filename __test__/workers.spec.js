'use strict';
// The addon in worker threads: loaded by any number of workers, one after another and at once,
// with or without the main thread having loaded it, and `worker.terminate()` during a fit.
// Each scenario runs in its own Node process, so that a crash shows as a signal, not a lost runner.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

// The worker: loads the addon, trains from a fixed start, reports predict([[4]]), then exits.
// With `long`, it trains a larger model for long enough to be terminated during the fit.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const tf = require(${JSON.stringify(root)});
${trainSource()}
parentPort.postMessage({ started: true });
train(tf, workerData).then(value => parentPort.postMessage({ value }));
`;

function trainSource() {
  return `
function train(tf, { long = false, callbacks = false } = {}) {
  const units = long ? 256 : 1;
  const m = tf.sequential({ layers: [
    tf.layers.dense({ units, inputShape: [1], kernelInitializer: tf.initializers.constant({ value: 0.5 }) }),
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.constant({ value: 1 / units }) })] });
  m.compile({ optimizer: tf.train.sgd(long ? 1e-4 : 0.01), loss: 'meanSquaredError' });
  const rows = long ? 4096 : 3;
  const x = tf.tensor2d(Array.from({ length: rows }, (_, i) => [(i % 3) + 1]));
  const y = x.mul(2);
  const options = { epochs: long ? 250 : 20, batchSize: long ? 32 : 3, shuffle: false, verbose: 0 };
  if (callbacks) options.callbacks = { onEpochEnd: () => {} };
  return m.fit(x, y, options).then(() => m.predict(tf.tensor2d([[4]])).dataSync()[0]);
}`;
}

// Runs the scenario in a fresh process; resolves with what it printed as JSON.
function scenario(body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-workers-'));
  try {
    fs.writeFileSync(path.join(dir, 'worker.js'), WORKER);
    const script = `
const { Worker } = require('node:worker_threads');
const path = require('node:path');
${trainSource()}
// Starts a worker; resolves with its messages and exit code once it has exited.
function inWorker(data = {}, onStarted) {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(${JSON.stringify(dir)}, 'worker.js'), { workerData: data });
    const messages = [];
    w.on('message', m => { messages.push(m); if (m.started && onStarted) onStarted(w); });
    w.on('error', reject);
    w.on('exit', code => resolve({ code, value: (messages.find(m => 'value' in m) || {}).value }));
  });
}
(async () => { ${body} })().then(r => console.log(JSON.stringify(r)), e => { console.error(e); process.exit(1); });`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
    if (child.status !== 0) {
      throw new Error(`scenario exited with ${child.signal || child.status}:\n${child.stderr}`);
    }
    return JSON.parse(child.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The same program on the main thread, in this process: what every worker must report.
let expected;
beforeAll(async () => {
   
  expected = await new Function('tf', `${trainSource()} return train(tf);`)(require('..'));
});

const expectTrained = (runs) => {
  for (const { code, value } of runs) {
    expect(code).toBe(0);
    expect(value).toBeCloseTo(expected, 5);
  }
};

test('workers load, train and exit one after another; then the main thread loads and trains', () => {
  const r = scenario(`
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await inWorker());
    return { runs, main: await train(require(${JSON.stringify(root)})) };`);
  expect(r.runs).toHaveLength(5);
  expectTrained(r.runs);
  expect(r.main).toBeCloseTo(expected, 5);
});

test('workers load and train at the same time, twice over, the second time beside the main thread', () => {
  const r = scenario(`
    const first = await Promise.all([inWorker(), inWorker(), inWorker(), inWorker()]);
    const second = await Promise.all([inWorker(), inWorker(), inWorker(), train(require(${JSON.stringify(root)}))]);
    return { runs: [...first, ...second.slice(0, 3)], main: second[3] };`);
  expect(r.runs).toHaveLength(7);
  expectTrained(r.runs);
  expect(r.main).toBeCloseTo(expected, 5);
});

test.each([
  ['with no callbacks (the whole fit in one native call)', false],
  ['with an epoch callback', true],
])('worker.terminate() during a fit %s ends the worker; later workers and the main thread still train', (_, callbacks) => {
  const r = scenario(`
    let terminated;
    const killed = await inWorker({ long: true, callbacks: ${callbacks} }, w => {
      setTimeout(() => { terminated = w.terminate(); }, 300);
    });
    const code = await terminated;
    const after = [await inWorker(), await inWorker()];
    return { killed, code, after, main: await train(require(${JSON.stringify(root)})) };`);
  expect(r.killed.value).toBeUndefined(); // ended before its fit did
  expect(r.code).toBe(1); // terminate()'s exit code
  expectTrained(r.after);
  expect(r.main).toBeCloseTo(expected, 5);
});
