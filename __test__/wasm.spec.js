'use strict';
// The WebAssembly fallback (wasm32-wasip1-threads), with the loader forced onto it: the same
// programs give the same numbers as the native addon, and models saved by one load in the other.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

// Runs in a child process so that the loader sees NAPI_RS_FORCE_WASI from its start.
const PROGRAM = `
const tf = require(${JSON.stringify(root)});
const target = require(${JSON.stringify(path.join(root, 'binding.js'))}).__napiBindingTarget;
const [saveDir, loadDir] = process.argv.slice(2);
const init = (seed) => tf.initializers.glorotUniform({ seed });
const rows = 48;
const x = tf.tensor2d(Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7, i / rows]));
const values = (t) => Array.from(t.dataSync());

async function sequential() {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, activation: 'relu', inputShape: [4], kernelInitializer: init(1) }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2) })] });
  m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 3), 'int32'), 3);
  const h = await m.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
  return { loss: h.history.loss, acc: h.history.acc, predict: values(m.predict(x)) };
}

async function twoHeads() {
  const input = tf.input({ shape: [4] });
  const trunk = tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: init(3) }).apply(input);
  const reg = tf.layers.dense({ units: 1, kernelInitializer: init(4), name: 'reg' }).apply(trunk);
  const cls = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(5), name: 'cls' }).apply(trunk);
  const m = tf.model({ inputs: input, outputs: [reg, cls] });
  m.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'categoricalCrossentropy'], lossWeights: [1, 0.5] });
  const y1 = tf.tensor2d(Array.from({ length: rows }, (_, i) => [i / rows]));
  const y2 = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 2), 'int32'), 2);
  const h = await m.fit(x, [y1, y2], { epochs: 6, batchSize: 12, shuffle: false, verbose: 0 });
  if (saveDir) await m.save('file://' + saveDir);
  return { loss: h.history.loss, reg: h.history.reg_loss, cls: h.history.cls_loss, predict: m.predict(x).map(values) };
}

async function loaded() {
  if (!loadDir) return null;
  const m = await tf.loadLayersModel('file://' + loadDir + '/model.json');
  return m.predict(x).map(values);
}

// Values the addon writes into JavaScript's typed arrays: Alea's seeding and CSV chunks.
async function written() {
  const csv = tf.data.csv(${JSON.stringify(path.join(root, 'data', 'iris.csv'))});
  return {
    shuffle: await tf.data.array([...Array(20).keys()]).shuffle(6, 'wasm').toArray(),
    uniform: values(tf.randomUniform([4], 0, 1, 'float32', 42)),
    csv: [await csv.take(3).toArray(), await csv.skip(147).toArray()], // read, then served kept
  };
}

(async () => {
  const result = { target, sequential: await sequential(), twoHeads: await twoHeads(), loaded: await loaded(), written: await written() };
  console.log(JSON.stringify(result));
})();
`;

let dir;
const run = (force, saveDir = '', loadDir = '') => {
  const env = { ...process.env };
  delete env.NAPI_RS_FORCE_WASI;
  if (force) env.NAPI_RS_FORCE_WASI = 'error'; // the WebAssembly build or an error, never native
  const out = execFileSync(process.execPath, ['--no-warnings', path.join(dir, 'program.js'), saveDir, loadDir],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out);
};

let wasm;
let native;
beforeAll(() => {
  // Incremental: `npm test` has already built it.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--wasm'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-wasm-'));
  fs.writeFileSync(path.join(dir, 'program.js'), PROGRAM);
  wasm = run(true, path.join(dir, 'wasm-model'));
  native = run(false, path.join(dir, 'native-model'), path.join(dir, 'wasm-model'));
}, 10 * 60 * 1000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const expectClose = (actual, expected) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
};

test('the forced loader runs the WebAssembly build', () => {
  expect(wasm.target).toBe('wasm32-wasi');
  expect(native.target).toBe('native');
});

test('Sequential fit and predict give the native numbers', () => {
  expectClose(wasm.sequential.loss, native.sequential.loss);
  expectClose(wasm.sequential.acc, native.sequential.acc);
  expectClose(wasm.sequential.predict, native.sequential.predict);
  expect(wasm.sequential.loss[7]).toBeLessThan(wasm.sequential.loss[0]);
});

test('a two-head model trains to the native per-head losses and predictions', () => {
  expectClose(wasm.twoHeads.loss, native.twoHeads.loss);
  expectClose(wasm.twoHeads.reg, native.twoHeads.reg);
  expectClose(wasm.twoHeads.cls, native.twoHeads.cls);
  wasm.twoHeads.predict.forEach((head, i) => expectClose(head, native.twoHeads.predict[i]));
});

test('seeded shuffles, seeded random values and CSV rows, which the addon writes into typed arrays, equal the native ones', () => {
  expect(wasm.written).toEqual(native.written);
  expect(native.written.csv[0][0]).toEqual({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2, species: 'setosa' });
});

test('a model saved by the WebAssembly build loads natively, and one saved natively loads in WebAssembly', () => {
  // native.loaded: the wasm-saved model, predicted natively; exact weights give the wasm predictions.
  native.loaded.forEach((head, i) => expectClose(head, wasm.twoHeads.predict[i]));
  const back = run(true, '', path.join(dir, 'native-model'));
  expect(back.target).toBe('wasm32-wasi');
  back.loaded.forEach((head, i) => expectClose(head, native.twoHeads.predict[i]));
});
