'use strict';
// Training that diverges is not silent (a deliberate difference from TF.js, which goes on with
// NaN weights): the first batch whose loss or gradients are not finite is not applied, and fit,
// fitDataset and trainOnBatch reject with an Error naming the epoch and batch; `error.history`
// holds the epochs before (and the part of the epoch run).
const tf = require('..');
const { seededValues } = require('./helpers/tfjs');

const X = Array.from({ length: 6 }, (_, i) => seededValues(2, 40 + i));
const HUGE = 3e38; // its square overflows float32: the very first loss is Infinity

function smallModel(optimizer = 'sgd') {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [2] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

const weightsOf = model => model.getWeights().map(w => Array.from(w.dataSync()));

test('fit on y = 3e38 rejects at epoch 0, batch 0 and leaves the weights as they were', async () => {
  const model = smallModel();
  const before = weightsOf(model);
  const fit = model.fit(tf.tensor2d(X), tf.tensor2d(X.map(() => [HUGE])), { epochs: 3, batchSize: 2, verbose: 0 });
  await expect(fit).rejects.toThrow("fit: training diverged at epoch 0 (0-based), batch 0: the loss is Infinity. That batch's update was not applied");
  const err = await fit.catch(e => e);
  expect(err.history.epoch).toEqual([]);
  expect(weightsOf(model)).toEqual(before);
  // The model still trains on sensible data.
  const h = await model.fit(tf.tensor2d(X), tf.tensor2d(X.map(r => [r[0]])), { epochs: 2, verbose: 0 });
  expect(h.history.loss.every(Number.isFinite)).toBe(true);
});

test('a learning rate too large diverges mid-fit: the error names that epoch and batch; the weights stay finite', async () => {
  const model = smallModel(tf.train.sgd(50));
  const x = tf.tensor2d(Array.from({ length: 64 }, (_, i) => seededValues(2, 100 + i, -3, 3)));
  const y = tf.tensor2d(Array.from({ length: 64 }, (_, i) => seededValues(1, 500 + i, -300, 300)));
  const err = await model.fit(x, y, { epochs: 200, batchSize: 8, verbose: 0, shuffle: false }).then(() => null, e => e);
  expect(err).toBeInstanceOf(Error);
  const [, epoch, batch] = err.message.match(/^fit: training diverged at epoch (\d+) \(0-based\), batch (\d+): /).map(Number);
  // History: every epoch before the one that diverged, then that epoch's batches so far.
  expect(err.history.epoch).toEqual(Array.from({ length: epoch + (batch > 0 ? 1 : 0) }, (_, i) => i));
  expect(err.history.history.loss.every(Number.isFinite)).toBe(true);
  expect(weightsOf(model).flat().every(Number.isFinite)).toBe(true);
});

test('fitDataset and trainOnBatch reject the same way', async () => {
  const model = smallModel();
  const before = weightsOf(model);
  const ds = tf.data.array(X.map(x => ({ xs: x, ys: [HUGE] }))).batch(3);
  await expect(model.fitDataset(ds, { epochs: 2, verbose: 0 })).rejects.toThrow('fitDataset: training diverged at epoch 0 (0-based), batch 0: the loss is Infinity');
  await expect(model.trainOnBatch(tf.tensor2d(X), tf.tensor2d(X.map(() => [HUGE])))).rejects.toThrow('trainOnBatch: training diverged: the loss is Infinity. The update was not applied');
  expect(weightsOf(model)).toEqual(before);
});

test('uncertainty weighting on y = 3e38 rejects naming the output, and the saved task state stays finite', async () => {
  const input = tf.input({ shape: [2] });
  const trunk = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(input);
  const a = tf.layers.dense({ units: 1, name: 'a' }).apply(trunk);
  const b = tf.layers.dense({ units: 1, name: 'b' }).apply(trunk);
  const model = tf.model({ inputs: input, outputs: [a, b] });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError', taskWeighting: 'uncertainty' });
  const fit = model.fit(tf.tensor2d(X), [tf.tensor2d(X.map(r => [r[0]])), tf.tensor2d(X.map(() => [HUGE]))], { epochs: 2, verbose: 0 });
  await expect(fit).rejects.toThrow("fit: training diverged at epoch 0 (0-based), batch 0: the loss of output 'b' is Infinity");
  const state = model._model().taskState();
  expect(state.logVariances).toEqual([0, 0]); // the diverging step was not applied
  expect(state.weights.every(Number.isFinite)).toBe(true);
});
