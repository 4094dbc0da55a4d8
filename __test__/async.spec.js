'use strict';
// Training runs off the JavaScript thread: timers keep firing during a long fit, and the
// callbacks of fit see the events TF.js reports, in TF.js's order.
const tf = require('..');
const { seededValues } = require('./helpers/tfjs');

function bigModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [256] }));
  model.add(tf.layers.dense({ units: 256, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

function bigData(rows) {
  const x = tf.tensor(seededValues(rows * 256, 3), [rows, 256]);
  const y = tf.oneHot(tf.tensor1d(seededValues(rows, 5, 0, 10).map(Math.floor), 'int32'), 10).toFloat();
  return { x, y };
}

test('a timer keeps firing while fit runs (no callbacks: one native run)', async () => {
  const model = bigModel();
  const { x, y } = bigData(4000);
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 5);
  const start = Date.now();
  await model.fit(x, y, { epochs: 8, batchSize: 64, verbose: 0 });
  const elapsed = Date.now() - start;
  clearInterval(timer);
  expect(elapsed).toBeGreaterThan(100); // long enough for the check to mean something
  // A blocked event loop would let at most one tick through; allow for a noisy machine.
  expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
});

test('a timer keeps firing while fit runs with epoch callbacks', async () => {
  const model = bigModel();
  const { x, y } = bigData(2000);
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 5);
  const start = Date.now();
  const epochs = [];
  await model.fit(x, y, { epochs: 6, batchSize: 32, verbose: 0, callbacks: { onEpochEnd: (e) => { epochs.push(e); } } });
  const elapsed = Date.now() - start;
  clearInterval(timer);
  expect(epochs).toEqual([0, 1, 2, 3, 4, 5]);
  expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
});

test('callbacks run in order, are awaited, and see TF.js log keys', async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] }));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0], [0.5, 0.5]]);
  const y = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  const events = [];
  const delay = () => new Promise(resolve => setTimeout(resolve, 2));
  const history = await model.fit(x, y, {
    epochs: 2, batchSize: 2, verbose: 0, validationSplit: 0.2, callbacks: [{
      onTrainBegin: async () => { await delay(); events.push('trainBegin'); },
      onEpochBegin: async (epoch) => { await delay(); events.push(`epochBegin ${epoch}`); },
      onBatchBegin: (batch) => { events.push(`batchBegin ${batch}`); },
      onBatchEnd: async (batch, logs) => { await delay(); events.push(`batchEnd ${batch} ${Object.keys(logs).join(',')}`); },
      onEpochEnd: async (epoch, logs) => { await delay(); events.push(`epochEnd ${epoch} ${Object.keys(logs).join(',')}`); },
      onTrainEnd: () => { events.push('trainEnd'); },
    }],
  });
  expect(events).toEqual([
    'trainBegin',
    'epochBegin 0', 'batchBegin 0', 'batchEnd 0 batch,size,loss,acc', 'batchBegin 1', 'batchEnd 1 batch,size,loss,acc',
    'epochEnd 0 val_loss,val_acc,loss,acc',
    'epochBegin 1', 'batchBegin 0', 'batchEnd 0 batch,size,loss,acc', 'batchBegin 1', 'batchEnd 1 batch,size,loss,acc',
    'epochEnd 1 val_loss,val_acc,loss,acc',
    'trainEnd',
  ]);
  expect(history.epoch).toEqual([0, 1]);
  expect(history.params).toMatchObject({ epochs: 2, samples: 4, batchSize: 2, doValidation: true });
});

test('fitDataset: an async hook is awaited before the next callback\'s hook and the next epoch; sync hooks run in order', async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const data = tf.data.array([1, 2, 3, 4, 5]).map(v => ({ xs: [v], ys: [2 * v] })).batch(2);
  const events = [];
  const delay = () => new Promise(resolve => setTimeout(resolve, 2));
  await model.fitDataset(data, {
    epochs: 2, verbose: 0, callbacks: [
      { onEpochBegin: async (e) => { await delay(); events.push(`slow begin ${e}`); }, onEpochEnd: (e) => { events.push(`sync end ${e}`); } },
      { onEpochBegin: (e) => { events.push(`sync begin ${e}`); }, onEpochEnd: async (e) => { await delay(); events.push(`slow end ${e}`); } },
      { onEpochEnd: (e) => { events.push(`last end ${e}`); } },
    ],
  });
  expect(events).toEqual([
    'slow begin 0', 'sync begin 0', 'sync end 0', 'slow end 0', 'last end 0',
    'slow begin 1', 'sync begin 1', 'sync end 1', 'slow end 1', 'last end 1',
  ]);
});

test('stopTraining from a callback and earlyStopping end the fit early', async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
  model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
  const x = tf.tensor2d([[1], [2], [3], [4]]);
  const y = tf.tensor2d([[2], [4], [6], [8]]);
  const stopped = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: { onEpochEnd: (epoch) => { if (epoch === 2) model.stopTraining = true; } } });
  expect(stopped.epoch).toEqual([0, 1, 2]);
  // With a learning rate of 0 the loss never improves: patience 2 stops after epoch 2.
  const early = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: tf.callbacks.earlyStopping({ monitor: 'loss', patience: 2 }) });
  expect(early.epoch).toEqual([0, 1, 2]);
});

test('onYield is called during long epochs', async () => {
  const model = bigModel();
  const { x, y } = bigData(3000);
  const yields = [];
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: { onYield: (epoch, batch) => { yields.push([epoch, batch]); } } });
  expect(yields.length).toBeGreaterThan(1);
  expect(yields.every(([e, b]) => Number.isInteger(e) && Number.isInteger(b))).toBe(true);
});
