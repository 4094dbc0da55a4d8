'use strict';
// Memory past the weights: under an address-space limit (`ulimit -v`), a fit whose gradients and
// optimizer state cannot fit, or a predict whose outputs cannot, is refused with an Error naming
// the sizes, and the process goes on working (before, it aborted with "memory allocation of N bytes
// failed"). Each case runs in a child process with its own limit, so this machine never allocates
// more than a few hundred MB.
const { spawnSync } = require('child_process');
const path = require('path');

const PACKAGE = path.join(__dirname, '..');

/** Runs `body` (JavaScript, with `tf` and an async context) in a child node; returns its lines. */
function runChild(body, limitKiB) {
  const script = `const tf = require(${JSON.stringify(PACKAGE)});
const vmSize = () => Number(require('fs').readFileSync('/proc/self/status', 'utf8').match(/VmSize:\\s+(\\d+)/)[1]);
const say = (o) => console.log(JSON.stringify(o));
(async () => { ${body} })().catch(e => { say({ uncaught: e.message }); process.exitCode = 3; });`;
  const limit = limitKiB == null ? '' : `ulimit -v ${limitKiB}; `;
  const child = spawnSync('bash', ['-c', `${limit}exec node -e "$SCRIPT"`], {
    env: { ...process.env, SCRIPT: script },
    encoding: 'utf8',
    timeout: 120000,
  });
  const lines = child.stdout.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l));
  return { status: child.status, signal: child.signal, stderr: child.stderr, lines };
}

// The address space node itself uses once the addon is loaded, so that the limit leaves a known
// headroom whatever the node version.
let baseline;
beforeAll(() => {
  const { lines } = runChild('say({ vm: vmSize() });');
  baseline = lines[0].vm;
});

// 8192×8192 float32 kernel: 268.4 MB of weights, as much again for its gradient, twice that for
// Adam's two slots. The limit leaves ~650 MB: SGD (weights + gradients) fits, Adam does not.
const BIG_MODEL = `
const big = () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [8192], units: 8192, kernelInitializer: 'zeros', useBias: false }));
  return m;
};
const x = tf.zeros([4, 8192]);`;
const HEADROOM_KIB = 650 * 1024;

test('fit refuses a model whose gradients and Adam slots do not fit, naming each size, and the process keeps working', () => {
  const { status, signal, stderr, lines } = runChild(`${BIG_MODEL}
    const m = big();
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    try { await m.fit(x, x, { epochs: 1, batchSize: 4, verbose: 0 }); say({ fit: 'trained' }); } catch (e) { say({ fit: e.message }); }
    try { await m.trainOnBatch(x, x); say({ trainOnBatch: 'trained' }); } catch (e) { say({ trainOnBatch: e.message }); }
    // The kernel is still all zeros (read through a small predict: a copy of it would not fit).
    say({ untouched: m.predict(tf.ones([1, 8192])).dataSync().every(v => v === 0) });
    // The same model, with an optimizer that keeps no state, fits in the same process.
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const h = await m.fit(x, tf.ones([4, 8192]), { epochs: 1, batchSize: 4, verbose: 0 });
    say({ sgdLoss: h.history.loss[0], prediction: Math.max(...m.predict(tf.ones([1, 8192])).dataSync().map(Math.abs)) });
  `, baseline + HEADROOM_KIB);
  expect({ status, signal, lines: lines.length }).toEqual({ status: 0, signal: null, lines: 4 });
  expect(stderr).not.toMatch(/memory allocation|Aborted/);
  const message = /^fit needs 1\.1 GB \(weights 268\.4 MB, gradients 268\.4 MB, optimizer slots 536\.9 MB, activations [\d.]+ [kM]B for batch size 4\), 80\d\.\d MB more than the model holds now, but [\d.]+ [kM]B is available$/;
  expect(lines[0].fit).toMatch(message);
  expect(lines[1].trainOnBatch).toMatch(message);
  expect(lines[2]).toEqual({ untouched: true });
  // One SGD step from zero weights on x = 0: the loss is mean((0 - 1)^2) = 1 and, with no input,
  // the kernel's gradient is 0 (no bias), so it stays 0 and so do predictions.
  expect(lines[3]).toEqual({ sgdLoss: 1, prediction: 0 });
});

test('predict refuses outputs larger than the memory left, naming their size, and later predicts work', () => {
  const { status, signal, stderr, lines } = runChild(`
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [1], units: 4096, kernelInitializer: 'ones' }));
    try { m.predict(tf.zeros([500000, 1])); say({ predict: 'done' }); } catch (e) { say({ predict: e.message }); }
    const y = m.predict(tf.tensor2d([[2], [3]]));
    say({ shape: y.shape, first: y.dataSync()[0], last: y.dataSync()[8191] });
  `, baseline + HEADROOM_KIB);
  expect({ status, signal }).toEqual({ status: 0, signal: null });
  expect(stderr).not.toMatch(/memory allocation|Aborted/);
  // 500000 rows × 4096 outputs × 4 bytes = 8.192 GB.
  expect(lines[0].predict).toMatch(/^predict needs 8\.2 GB \(outputs 8\.2 GB for 500000 rows, activations [\d.]+ [kM]B for batch size 32\) but [\d.]+ [kM]B is available$/);
  // Kernel of ones, zero bias: every output is the input.
  expect(lines[1]).toEqual({ shape: [2, 4096], first: 2, last: 3 });
});

test('within the limit, a fit that fits trains (the check does not refuse what it can allocate)', () => {
  const { status, signal, lines } = runChild(`${BIG_MODEL}
    const m = big();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await m.fit(x, x, { epochs: 2, batchSize: 4, verbose: 0 });
    say({ loss: h.history.loss });
  `, baseline + HEADROOM_KIB);
  expect({ status, signal }).toEqual({ status: 0, signal: null });
  expect(lines[0]).toEqual({ loss: [0, 0] });
});
