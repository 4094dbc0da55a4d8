'use strict';
// tf.node.tensorBoard (issue 12 point 4): event files that TensorBoard's own reader (the Python
// `tensorboard` package's EventAccumulator, set up by scripts/tensorboard-reader.sh) reads back
// with tfjs-node's runs, tags and steps and our exact values; records framed with valid masked
// CRC32Cs; no batch hooks with updateFreq 'epoch'.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const tf = require('..');
const { usesHook } = require('../lib/callbacks');
const { crc32c, maskedCrc32c, histogram } = require('../lib/tensorboard_events');
const { seededValues } = require('./helpers/tfjs');

const ROOT = path.join(__dirname, '..');
const X = Array.from({ length: 10 }, (_, i) => seededValues(3, 20 + i));
const Y = X.map(r => [r[0] + r[1], r[2]]);
const hasPython = spawnSync('python3', ['--version']).status === 0;

let tmpRoot;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-tb-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `logs${++dirCount}`);

function model() {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  m.add(tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mae'] });
  return m;
}

/** Trains 3 epochs of 3 batches with validation, recording per-epoch weights and batch logs. */
async function train(updateFreq, histogramFreq) {
  const logdir = freshDir();
  const m = model();
  const weights = [];
  const batches = [];
  const recorder = { onEpochEnd: async () => { weights.push(m.weights.map(w => [w.name, Array.from(w.read().dataSync())])); } };
  const batchRecorder = { onBatchEnd: async (b, logs) => { batches.push(logs); } };
  const callbacks = [recorder, tf.node.tensorBoard(logdir, { updateFreq, histogramFreq })];
  if (updateFreq === 'batch') callbacks.push(batchRecorder);
  const h = await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: 3, batchSize: 3, verbose: 0, shuffle: false, validationSplit: 0.1, callbacks });
  return { logdir, h, weights, batches };
}

/** The events of one file, decoded here (checking both CRCs of every record). */
function readEvents(file) {
  const buf = fs.readFileSync(file);
  const events = [];
  for (let at = 0; at < buf.length;) {
    const length = Number(buf.readBigUInt64LE(at));
    expect(buf.readUInt32LE(at + 8)).toBe(maskedCrc32c(buf.subarray(at, at + 8)));
    const data = buf.subarray(at + 12, at + 12 + length);
    expect(buf.readUInt32LE(at + 12 + length)).toBe(maskedCrc32c(data));
    events.push(decodeMessage(data));
    at += 16 + length;
  }
  return events;
}

/** A protobuf message as {field: [values]}: varints as BigInt, fixed64 / fixed32 as buffers. */
function decodeMessage(buf) {
  const out = {};
  let at = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const [field, type] = [key >> 3, key & 7];
    let value;
    if (type === 0) value = varint();
    else if (type === 1) { value = buf.subarray(at, at + 8); at += 8; } else if (type === 5) { value = buf.subarray(at, at + 4); at += 4; } else if (type === 2) {
      const n = Number(varint());
      value = buf.subarray(at, at + n);
      at += n;
    } else throw new Error(`unexpected wire type ${type}`);
    (out[field] ||= []).push(value);
  }
  return out;
}

/** {tag: [[step, value]]} of the scalar events in a run directory. */
function scalarsIn(dir) {
  const files = fs.readdirSync(dir);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\..+\.v2$/);
  const events = readEvents(path.join(dir, files[0]));
  expect(events[0][3][0].toString()).toBe('brain.Event:2'); // file_version first
  const scalars = {};
  for (const e of events.slice(1)) {
    const value = decodeMessage(decodeMessage(e[5][0])[1][0]);
    if (!value[2]) continue; // a histogram
    (scalars[value[1][0].toString()] ||= []).push([Number(e[2][0]), value[2][0].readFloatLE(0)]);
  }
  return scalars;
}

const f32 = Math.fround;
const asPairs = (values, step = i => i + 1) => values.map((v, i) => [step(i), f32(v)]);

test('CRC32C matches the standard check value; TFRecord masking as TensorFlow defines it', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // RFC 3720 / iSCSI check value
  const crc = 0xe3069283;
  expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test('updateFreq epoch: epoch scalars per run, tfjs-node\'s tags and steps, values as logged; no batch hooks', async () => {
  const cb = tf.node.tensorBoard(freshDir());
  expect(usesHook([cb], 'onBatchEnd') || usesHook([cb], 'onBatchBegin')).toBe(false);
  const { logdir, h } = await train('epoch', 0);
  expect(fs.readdirSync(logdir).sort()).toEqual(['train', 'val']);
  const train_ = scalarsIn(path.join(logdir, 'train'));
  expect(Object.keys(train_).sort()).toEqual(['epoch_learning_rate', 'epoch_loss', 'epoch_mae']);
  expect(train_.epoch_loss).toEqual(asPairs(h.history.loss));
  expect(train_.epoch_mae).toEqual(asPairs(h.history.mae));
  expect(train_.epoch_learning_rate).toEqual([[1, f32(0.1)], [2, f32(0.1)], [3, f32(0.1)]]);
  expect(scalarsIn(path.join(logdir, 'val'))).toEqual({ epoch_loss: asPairs(h.history.val_loss), epoch_mae: asPairs(h.history.val_mae) });
});

test('histograms follow TensorFlow\'s bucketing (runs of empty buckets collapsed)', () => {
  const h = histogram([0, 1, 1, -2.5]);
  expect([h.min, h.max, h.num, h.sum, h.sumSquares]).toEqual([-2.5, 1, 4, -0.5, 8.25]);
  expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(4);
  // Every value lies in the bucket whose limit is the first one above it.
  const nonEmpty = h.bucketLimit.filter((_, i) => h.bucket[i] > 0);
  expect(nonEmpty).toHaveLength(3);
  expect(nonEmpty[0]).toBeGreaterThan(-2.5);
  expect(nonEmpty[0] * 1.1).toBeLessThanOrEqual(-2.5);
  expect(histogram([]).bucketLimit).toEqual([Number.MAX_VALUE]);
});

(hasPython ? describe : describe.skip)('read back by TensorBoard\'s EventAccumulator', () => {
  let reader;
  beforeAll(() => {
    // Creates .venv-tensorboard/ with the tensorboard package on first use.
    reader = (logdir) => {
      const r = spawnSync(path.join(ROOT, 'scripts', 'tensorboard-reader.sh'), [path.join(ROOT, 'scripts', 'tensorboard-read.py'), logdir], { encoding: 'utf8', timeout: 600000 });
      if (r.status !== 0) throw new Error(`tensorboard reader failed: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
  });

  test('updateFreq batch and histogramFreq 2: every tag, step and value', async () => {
    const { logdir, h, weights, batches } = await train('batch', 2);
    const read = reader(logdir);
    expect(Object.keys(read)).toEqual(['train', 'val']);
    const { scalars, histograms } = read.train;
    expect(Object.keys(scalars).sort()).toEqual(['batch_loss', 'batch_mae', 'epoch_learning_rate', 'epoch_loss', 'epoch_mae']);
    expect(scalars.epoch_loss).toEqual(asPairs(h.history.loss));
    expect(scalars.batch_loss).toEqual(asPairs(batches.map(b => b.loss)));
    expect(scalars.batch_mae).toEqual(asPairs(batches.map(b => b.mae)));
    expect(batches).toHaveLength(9);
    expect(read.val.scalars).toEqual({ epoch_loss: asPairs(h.history.val_loss), epoch_mae: asPairs(h.history.val_mae) });
    // Weight histograms at epochs 0 and 2 (tfjs-node: step = epoch), of the weights then.
    expect(Object.keys(histograms).sort()).toEqual(['hidden/bias', 'hidden/kernel', 'out/bias', 'out/kernel']);
    for (const [name, values] of weights[0]) {
      const got = histograms[name];
      expect(got.map(e => e.step)).toEqual([0, 2]);
      [0, 2].forEach((epoch, k) => {
        const expected = histogram(weights[epoch].find(([n]) => n === name)[1]);
        expect(got[k]).toEqual({ step: epoch, ...expected });
        expect(got[k].num).toBe(values.length);
      });
    }
  }, 600000);

  test('two outputs under DWA: every head\'s loss and metric, and each output\'s task weight (epoch_<output>_weight)', async () => {
    const input = tf.input({ shape: [3] });
    const trunk = tf.layers.dense({ units: 4, activation: 'relu', name: 'trunk' }).apply(input);
    const a = tf.layers.dense({ units: 1, name: 'a' }).apply(trunk);
    const b = tf.layers.dense({ units: 1, name: 'b' }).apply(trunk);
    const m = tf.model({ inputs: input, outputs: [a, b] });
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mae'], taskWeighting: { method: 'dwa', temperature: 2 } });
    const logdir = freshDir();
    const h = await m.fit(tf.tensor2d(X), [tf.tensor2d(Y.map(r => [r[0]])), tf.tensor2d(Y.map(r => [r[1]]))], { epochs: 4, batchSize: 5, verbose: 0, callbacks: [tf.node.tensorBoard(logdir)] });
    const { scalars } = reader(logdir).train;
    expect(Object.keys(scalars).sort()).toEqual(['epoch_a_loss', 'epoch_a_mae', 'epoch_a_weight', 'epoch_b_loss', 'epoch_b_mae', 'epoch_b_weight', 'epoch_learning_rate', 'epoch_loss', 'epoch_objective']);
    for (const key of ['loss', 'objective', 'a_loss', 'b_loss', 'a_mae', 'b_mae', 'a_weight', 'b_weight']) expect(scalars[`epoch_${key}`]).toEqual(asPairs(h.history[key]));
    expect(new Set(h.history.a_weight).size).toBeGreaterThan(1); // DWA moved them
  }, 600000);
});

test('bad arguments: tfjs-node\'s messages', () => {
  expect(() => tf.node.tensorBoard('/tmp/x', { updateFreq: 'step' })).toThrow("Expected updateFreq to be 'batch' or 'epoch', but got 'step'");
  expect(() => tf.node.tensorBoard('/tmp/x', { histogramFreq: 1.5 })).toThrow('Expected histogramFreq to be a positive integer, but got 1.5');
  expect(() => tf.node.tensorBoard('/tmp/x', { histogram_freq: 1 })).toThrow("tensorBoard: unknown option 'histogram_freq'");
});
