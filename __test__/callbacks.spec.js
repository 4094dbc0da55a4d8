'use strict';
// Keras's callbacks (issue 12 point 2): modelCheckpoint, reduceLROnPlateau, learningRateScheduler,
// csvLogger, terminateOnNaN and earlyStopping's restoreBestWeights / startFromEpoch, from fit and
// fitDataset, without per-batch JavaScript calls; a checkpoint killed mid-save leaves a whole model.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const tf = require('..');
const { NativeTrainer } = require('../binding');
const { usesHook, callbacks: factories } = require('../lib/callbacks');
const { SAVE_STEPS } = require('../lib/io/files');
const { seededValues } = require('./helpers/tfjs');

const X = Array.from({ length: 12 }, (_, i) => seededValues(3, 70 + i));
const Y = X.map(r => [r[0] - 2 * r[1] + 0.5 * r[2]]);
const VX = Array.from({ length: 4 }, (_, i) => seededValues(3, 90 + i));
const VY = VX.map(r => [r[0] - 2 * r[1] + 0.5 * r[2]]);
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;

let tmpRoot;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-cb-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `d${++dirCount}`);

function model(lr = 0.1, seed = 3) {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  m.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError' });
  return m;
}
const weightsOf = m => m.getWeights().map(w => Array.from(w.dataSync()));
const fitArgs = (extra) => ({ batchSize: 4, epochs: 3, verbose: 0, shuffle: false, validationData: [tf.tensor2d(VX), tf.tensor2d(VY)], ...extra });
const dataset = (x, y) => tf.data.zip({ xs: tf.data.array(x), ys: tf.data.array(y) }).batch(4);

describe('native speed', () => {
  const all = () => [
    factories.modelCheckpoint(path.join(freshDir(), 'ck-{epoch}')), factories.reduceLROnPlateau({ monitor: 'loss' }),
    factories.learningRateScheduler((e, lr) => lr), factories.csvLogger(path.join(freshDir() + '.csv')), factories.terminateOnNaN(),
    factories.earlyStopping({ monitor: 'loss', restoreBestWeights: true, patience: 9 }),
  ];

  test('no Keras callback asks for batch hooks', () => {
    for (const hook of ['onBatchBegin', 'onBatchEnd', 'onYield']) expect(usesHook(all(), hook)).toBe(false);
  });

  test('fit with every one of them runs each epoch in one native call, recording no batches', async () => {
    const run = jest.spyOn(NativeTrainer.prototype, 'run');
    const m = model();
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: all() }));
    expect(run).toHaveBeenCalledTimes(3);
    for (const [options] of run.mock.calls) expect(options).toMatchObject({ epochs: 1, batches: 0, recordBatches: false });
  });
});

describe('modelCheckpoint', () => {
  test('filepath placeholders are formatted as Python formats them; each directory loads that epoch\'s model', async () => {
    const dir = freshDir();
    const m = model();
    const perEpoch = [];
    const recorder = { onEpochEnd: async () => { perEpoch.push(weightsOf(m)); } };
    const h = await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: [recorder, tf.callbacks.modelCheckpoint(`file://${dir}/w.{epoch:02d}-{val_loss:.2f}`)] }));
    const names = h.history.val_loss.map((v, e) => `w.0${e + 1}-${v.toFixed(2)}`);
    expect(fs.readdirSync(dir).sort()).toEqual(names.sort());
    for (let e = 0; e < 3; e++) {
      const loaded = await tf.loadLayersModel(`file://${dir}/${names[e]}/model.json`);
      expect(weightsOf(loaded)).toEqual(perEpoch[e]);
      // A full model (saveWeightsOnly false): optimizer state and training config included.
      expect(loaded.optimizer.getClassName()).toBe('SGD');
    }
  });

  test('saveBestOnly saves exactly the epochs that improved on the best so far (mode max, initialValueThreshold)', async () => {
    const dir = freshDir();
    const m = model(0.3);
    // The monitored value, written into the epoch logs by a callback placed before the checkpoint.
    const values = [0.5, 0.7, 0.6, 0.9, 0.9, 0.2];
    const fake = { onEpochEnd: async (e, logs) => { logs.score = values[e]; } };
    const ck = tf.callbacks.modelCheckpoint(`${dir}/e{epoch}-{score}`, { monitor: 'score', mode: 'max', saveBestOnly: true, initialValueThreshold: 0.55 });
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ epochs: 6, callbacks: [fake, ck] }));
    expect(fs.readdirSync(dir).sort()).toEqual(['e2-0.7', 'e4-0.9']);
  });

  test('saveWeightsOnly writes no optimizer state or training config; fitDataset checkpoints too', async () => {
    const dir = freshDir();
    const m = model();
    await m.fitDataset(dataset(X, Y), { epochs: 2, verbose: 0, callbacks: [tf.callbacks.modelCheckpoint({ filepath: `${dir}/{epoch}`, saveWeightsOnly: true })] });
    expect(fs.readdirSync(dir).sort()).toEqual(['1', '2']);
    const json = JSON.parse(fs.readFileSync(`${dir}/2/model.json`, 'utf8'));
    expect('trainingConfig' in json).toBe(false);
    expect(json.weightsManifest[0].weights.some(w => w.group === 'optimizer')).toBe(false);
    expect(weightsOf(await tf.loadLayersModel(`${dir}/2/model.json`))).toEqual(weightsOf(m));
  });

  test.each([['weights-durable', 'first epoch'], ['committed', 'second epoch']])('a fit killed during its second checkpoint save, after %s: the directory holds the %s\'s model, whole', async (step, which) => {
    const dir = freshDir();
    const record = freshDir();
    fs.mkdirSync(record);
    const child = spawnSync(process.execPath, [path.join(__dirname, 'helpers', 'checkpoint-child.js'), dir, record, step, '2'], { encoding: 'utf8', timeout: 60000 });
    expect(child.signal).toBe('SIGKILL');
    const expected = JSON.parse(fs.readFileSync(path.join(record, which === 'first epoch' ? '0.json' : '1.json'), 'utf8'));
    const loaded = await tf.loadLayersModel(`${dir}/model.json`);
    expect(weightsOf(loaded)).toEqual(expected.map(w => Array.from(Float32Array.from(w))));
    expect(SAVE_STEPS.indexOf(step) < SAVE_STEPS.indexOf('committed')).toBe(which === 'first epoch');
  });

  (python ? test : test.skip)('filepath formatting equals Python\'s str.format on Keras-style templates', () => {
    const { pyFormat } = require('../lib/callbacks/pyformat');
    const templates = ['w.{epoch:02d}-{val_loss:.2f}', '{epoch}_{loss}', '{loss:.3g}|{acc:>8.1%}|{big:+e}|{big:g}|{tiny}|{tiny:.2e}', '{epoch:*^7d}{{x}}{acc:08.3f}', '{neg:=+10.2f}{neg:g}{one}'];
    const values = { epoch: 3, val_loss: 0.12345, loss: 0.1, acc: 0.5, big: 1234567.0, tiny: 2.5e-7, neg: -3.14159, one: 1 };
    const script = 'import json,sys\nv=json.loads(sys.argv[2]); v["one"]=float(v["one"])\nprint(json.dumps([t.format(**v) for t in json.loads(sys.argv[1])]))';
    const r = spawnSync(python, ['-c', script, JSON.stringify(templates), JSON.stringify(values)], { encoding: 'utf8' });
    expect(templates.map(t => pyFormat(t, values, new Set(['epoch'])))).toEqual(JSON.parse(r.stdout));
  });

  test('bad arguments', () => {
    expect(() => tf.callbacks.modelCheckpoint('')).toThrow('modelCheckpoint: filepath must be a non-empty string');
    expect(() => tf.callbacks.modelCheckpoint('x', { saveFreq: 10 })).toThrow("modelCheckpoint: saveFreq must be 'epoch' (saving every N batches is not supported) but got 10");
    expect(() => tf.callbacks.modelCheckpoint('x', { savebestonly: true })).toThrow("modelCheckpoint: unknown option 'savebestonly'");
    expect(() => tf.callbacks.modelCheckpoint('x', { saveBestOnly: true, monitor: 'score' })).toThrow("modelCheckpoint callback received monitor=score, but it cannot determine whether that metric should be maximized or minimized. Pass mode: 'max'");
  });

  test('a placeholder that is not in the logs rejects fit with the log keys named', async () => {
    const m = model();
    await expect(m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: [tf.callbacks.modelCheckpoint(`${freshDir()}/{acc:.2f}`)] })))
      .rejects.toThrow("no log value 'acc' (available: val_loss, loss, epoch)");
  });
});

describe('learning-rate callbacks', () => {
  test('reduceLROnPlateau follows Keras: patience, cooldown, minLr; logs learning_rate; training uses the new rate', async () => {
    const m = model(0.1);
    const start = m.getWeights().map(w => w.clone());
    // minDelta so large that only the first epoch counts as an improvement.
    const plateau = tf.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, cooldown: 2, minLr: 0.02, minDelta: 1e9 });
    const h = await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ epochs: 7, callbacks: [plateau] }));
    const rates = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02];
    h.history.learning_rate.forEach((lr, e) => expect(lr).toBeCloseTo(rates[e], 8));
    // The same rates set by learningRateScheduler give the same weights.
    const twin = model(0.1);
    twin.setWeights(start);
    const next = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02];
    await twin.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ epochs: 7, callbacks: [tf.callbacks.learningRateScheduler(e => next[e])] }));
    expect(weightsOf(twin)).toEqual(weightsOf(m));
  });

  test('learningRateScheduler(schedule(epoch, lr)) sets the rate before each epoch, as fits of one epoch at each rate do (fitDataset too)', async () => {
    const scheduled = model(0.2, 5);
    const start = scheduled.getWeights().map(w => w.clone());
    const h = await scheduled.fitDataset(dataset(X, Y), { epochs: 3, verbose: 0, callbacks: [tf.callbacks.learningRateScheduler(async (epoch, lr) => (epoch === 0 ? lr : lr / 2))] });
    [0.2, 0.1, 0.05].forEach((lr, e) => expect(h.history.learning_rate[e]).toBeCloseTo(lr, 8));
    const manual = model(0.2, 5);
    manual.setWeights(start);
    for (const lr of [0.2, 0.1, 0.05]) {
      manual.optimizer.learningRate = lr;
      await manual.fitDataset(dataset(X, Y), { epochs: 1, verbose: 0 });
    }
    expect(weightsOf(manual)).toEqual(weightsOf(scheduled));
  });

  test('bad arguments', async () => {
    expect(() => tf.callbacks.reduceLROnPlateau({ factor: 1 })).toThrow('reduceLROnPlateau: factor must be < 1 (it multiplies the learning rate) but got 1');
    expect(() => tf.callbacks.learningRateScheduler(0.1)).toThrow('learningRateScheduler: schedule must be a function (epoch, learningRate) => number but got 0.1');
    const m = model();
    await expect(m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: [tf.callbacks.learningRateScheduler(() => 'fast')] })))
      .rejects.toThrow("learningRateScheduler: the schedule must return a finite number but returned 'fast' for epoch 0");
  });
});

describe('csvLogger', () => {
  /** What Keras's CSVLogger writes for these epoch logs (Python's csv module, Keras's code). */
  function kerasCsv(file, rows, separator, append) {
    const script = `
import csv, json, sys, collections, os
rows, sep, append, filename = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3] == '1', sys.argv[4]
append_header = not (append and os.path.exists(filename) and os.path.getsize(filename) > 0)
f = open(filename, 'a' if append else 'w', newline='')
keys = sorted(rows[0][1].keys())
if not any(k.startswith('val_') for k in keys) and keys: keys.extend(['val_' + k for k in keys])
class D(csv.excel): delimiter = sep
w = csv.DictWriter(f, fieldnames=['epoch'] + keys, dialect=D)
if append_header: w.writeheader()
for epoch, logs in rows:
    d = collections.OrderedDict({'epoch': epoch}); d.update((k, logs.get(k, 'NA')) for k in keys); w.writerow(d)
`;
    const r = spawnSync(python, ['-c', script, JSON.stringify(rows), separator, append ? '1' : '0', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }

  (python ? test : test.skip)('writes what Keras\'s CSVLogger writes, byte for byte (separator, append without a second header)', async () => {
    const ours = `${freshDir()}.csv`;
    const theirs = `${freshDir()}.csv`;
    const m = model();
    const rows = [];
    const recorder = { onEpochEnd: async (e, logs) => { rows.push([e, { ...logs }]); } };
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: [recorder, tf.callbacks.csvLogger(ours, { separator: ';' })] }));
    kerasCsv(theirs, rows, ';', false);
    expect(fs.readFileSync(ours, 'utf8')).toBe(fs.readFileSync(theirs, 'utf8'));
    // Appending: a second fit (no validation: the val_ columns are NA) adds rows, no header.
    rows.length = 0;
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: 2, verbose: 0, callbacks: [recorder, tf.callbacks.csvLogger(ours, { separator: ';', append: true })] });
    const fresh = `${freshDir()}.csv`;
    kerasCsv(fresh, rows, ';', false);
    const appended = fs.readFileSync(fresh, 'utf8').split('\r\n').slice(1).join('\r\n');
    expect(fs.readFileSync(ours, 'utf8')).toBe(fs.readFileSync(theirs, 'utf8') + appended);
    expect(appended).toMatch(/^0;[0-9.e-]+;NA\r\n1;[0-9.e-]+;NA\r\n$/);
  });
});

describe('terminateOnNaN', () => {
  function divergingFit(callbacks, how = 'fit') {
    const m = model(50);
    const x = Array.from({ length: 64 }, (_, i) => seededValues(3, 100 + i, -3, 3));
    const y = Array.from({ length: 64 }, (_, i) => seededValues(1, 500 + i, -300, 300));
    const args = { epochs: 200, batchSize: 8, verbose: 0, shuffle: false, callbacks };
    return [m, how === 'fit' ? m.fit(tf.tensor2d(x), tf.tensor2d(y), args) : m.fitDataset(tf.data.zip({ xs: tf.data.array(x), ys: tf.data.array(y) }).batch(8), args)];
  }

  test.each(['fit', 'fitDataset'])('%s resolves where it would reject: the epoch that diverged ends, onEpochEnd and onTrainEnd are called', async (how) => {
    const [, rejected] = divergingFit([], how);
    const err = await rejected.then(() => null, e => e);
    expect(err.message).toMatch(/training diverged at epoch (\d+)/);
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    const seen = [];
    const [m, resolved] = divergingFit([tf.callbacks.terminateOnNaN(), { onEpochEnd: async (e) => { seen.push(e); }, onTrainEnd: async () => { seen.push('end'); } }], how);
    const h = await resolved;
    expect(log).toHaveBeenCalledWith(expect.stringContaining('training diverged at epoch'));
    expect(seen[seen.length - 1]).toBe('end');
    // As in Keras, the epoch that diverged ends (onEpochEnd, with the means of its batches that
    // ran: none when it diverged at its first batch); the losses are those the rejection reports.
    const diverged = Number(err.message.match(/training diverged at epoch (\d+)/)[1]);
    expect(h.epoch).toEqual(Array.from({ length: diverged + 1 }, (_, i) => i));
    expect(h.history.loss).toEqual(err.history.history.loss);
    expect(seen.slice(0, -1)).toEqual(h.epoch);
    expect(weightsOf(m).flat().every(Number.isFinite)).toBe(true);
    expect(m.stopTraining).toBe(true);
  });

  test('a fit that does not diverge is untouched', async () => {
    const [a, b] = [model(), model()];
    const h1 = await a.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ callbacks: [tf.callbacks.terminateOnNaN()] }));
    const h2 = await b.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs());
    expect(h1.history).toEqual(h2.history);
  });
});

describe('earlyStopping: restoreBestWeights and startFromEpoch', () => {
  async function run(values, args) {
    const m = model();
    const perEpoch = [];
    const fake = { onEpochEnd: async (e, logs) => { logs.score = values[e]; perEpoch.push(weightsOf(m)); } };
    const h = await m.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs({ epochs: values.length, callbacks: [fake, tf.callbacks.earlyStopping({ monitor: 'score', mode: 'min', ...args })] }));
    return { m, h, perEpoch };
  }

  test('the best epoch\'s weights are set back at the end (stopped early)', async () => {
    const { m, h, perEpoch } = await run([3, 1, 2, 4, 5, 0], { patience: 2, restoreBestWeights: true });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(weightsOf(m)).toEqual(perEpoch[1]);
  });

  test('restored also when training ends without stopping (Keras 3)', async () => {
    const { m, h, perEpoch } = await run([3, 1, 2], { patience: 5, restoreBestWeights: true });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(weightsOf(m)).toEqual(perEpoch[1]);
  });

  test('startFromEpoch: earlier epochs are not monitored', async () => {
    const { m, h, perEpoch } = await run([0, 0, 2, 4, 5, 6], { patience: 2, restoreBestWeights: true, startFromEpoch: 2 });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(weightsOf(m)).toEqual(perEpoch[2]);
  });

  test('without restoreBestWeights the last weights stay (TF.js)', async () => {
    const { m, perEpoch } = await run([3, 1, 2, 4], { patience: 2 });
    expect(weightsOf(m)).toEqual(perEpoch[3]);
  });
});
