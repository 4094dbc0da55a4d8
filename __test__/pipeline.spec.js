'use strict';
// fitDataset over tf.data pipelines against @tensorflow/tfjs: for each pipeline, both libraries
// start from the same weights and train on the same batches (seeded shuffles included); the
// histories, the batch logs seen by callbacks and the final weights agree within 1e-4. Then the
// chunk protocol itself: nextChunk yields what next() yields, in the same order.
const path = require('node:path');
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const TOLERANCE = 1e-4;
const FEATURES = 3;
const N = 23; // batches of 4 leave a remainder of 3
const ROWS = Array.from({ length: N }, (_, i) => {
  const x = seededValues(FEATURES, 300 + i);
  const p = seededValues(1, 900 + i, 0, 1)[0];
  return { i, x, y: [p, 1 - p] };
});

function build(lib) {
  const m = lib.sequential();
  m.add(lib.layers.dense({ units: 5, activation: 'tanh', inputShape: [FEATURES] }));
  m.add(lib.layers.dense({ units: 2, activation: 'softmax' }));
  m.compile({ optimizer: lib.train.sgd(0.2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** The same model in both libraries, ours with TF.js's initial weights. */
function twins() {
  const theirs = build(tfjs);
  const ours = build(tf);
  ours.setWeights(theirs.getWeights().map(w => tf.tensor(w.arraySync())));
  return { ours, theirs };
}

const toElement = r => ({ xs: r.x, ys: r.y });

/** Runs the same fitDataset call with both libraries; compares histories, batch logs and weights. */
async function expectSameTraining(pipeline, config = {}) {
  const models = twins();
  const run = async (lib, model) => {
    const batches = [];
    const callbacks = config.batchLogs ? { onBatchEnd: (b, logs) => { batches.push({ ...logs }); } } : undefined;
    const validationData = config.validationData ? config.validationData(lib) : undefined;
    const { batchLogs, ...rest } = config;
    const history = await model.fitDataset(pipeline(lib), { epochs: 3, verbose: 0, ...rest, validationData, callbacks });
    return { history, batches };
  };
  const theirs = await run(tfjs, models.theirs);
  const ours = await run(tf, models.ours);
  expect(ours.history.epoch).toEqual(theirs.history.epoch);
  expect(Object.keys(ours.history.history)).toEqual(Object.keys(theirs.history.history));
  for (const key of Object.keys(theirs.history.history)) {
    expect({ key, error: maxRelativeError(ours.history.history[key], theirs.history.history[key]) < TOLERANCE }).toEqual({ key, error: true });
  }
  expect(ours.batches.length).toBe(theirs.batches.length);
  ours.batches.forEach((logs, b) => {
    expect(Object.keys(logs)).toEqual(Object.keys(theirs.batches[b]));
    for (const key of Object.keys(logs)) expect(Math.abs(logs[key] - theirs.batches[b][key])).toBeLessThan(TOLERANCE);
  });
  models.theirs.getWeights().forEach((w, i) => {
    expect(maxRelativeError(models.ours.getWeights()[i].dataSync(), w.dataSync())).toBeLessThan(TOLERANCE);
  });
  return ours.history;
}

describe('fitDataset over pipelines equals TF.js (histories, batch logs, final weights)', () => {
  const cases = {
    'map, seeded shuffle, batch with a small last batch': lib => lib.data.array(ROWS).map(toElement).shuffle(8, 'a').batch(4),
    'batch dropping the small last batch': lib => lib.data.array(ROWS).map(toElement).shuffle(30, 'b').batch(4, false),
    'filter, then shuffle with a window larger than the data': lib => lib.data.array(ROWS).filter(r => r.i % 3 !== 0).map(toElement).shuffle(100, 7).batch(5),
    'skip and take around map and shuffle': lib => lib.data.array(ROWS).skip(2).map(toElement).shuffle(6, 'c').take(15).batch(4),
    'take and skip after batch (abalone-node\'s split)': lib => lib.data.array(ROWS).map(toElement).shuffle(10, 'd').batch(4).take(4),
    'zip of features and targets': lib => lib.data.zip({ xs: lib.data.array(ROWS.map(r => r.x)), ys: lib.data.array(ROWS.map(r => r.y)) }).batch(6),
    'concatenate and repeat': lib => lib.data.array(ROWS.slice(0, 9)).concatenate(lib.data.array(ROWS.slice(15))).repeat(2).map(toElement).batch(5),
    'a generator': lib => lib.data.generator(function* rows() { for (const r of ROWS) yield toElement(r); }).batch(7),
    'mapAsync and prefetch': lib => lib.data.array(ROWS).mapAsync(async r => toElement(r)).prefetch(3).batch(4),
    'tensors mapped after batch': lib => lib.data.array(ROWS).map(toElement).batch(4).map(({ xs, ys }) => ({ xs: xs.mul(2), ys })),
  };
  test.each(Object.entries(cases))('%s', async (name, pipeline) => {
    await expectSameTraining(pipeline);
  });

  test('onBatchEnd callbacks see every batch with TF.js\'s logs', async () => {
    await expectSameTraining(lib => lib.data.array(ROWS).map(toElement).shuffle(12, 'e').batch(4), { batchLogs: true });
  });

  test('batchesPerEpoch over a repeated, reshuffled dataset', async () => {
    const h = await expectSameTraining(lib => lib.data.array(ROWS).map(toElement).shuffle(23, 'f').repeat().batch(4), { batchesPerEpoch: 4, epochs: 4 });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
  });

  test('validationData as a dataset (with validationBatches) and as tensors (with validationBatchSize)', async () => {
    const h = await expectSameTraining(lib => lib.data.array(ROWS.slice(0, 16)).map(toElement).shuffle(16, 'g').batch(4), {
      validationData: lib => lib.data.array(ROWS.slice(16)).map(toElement).batch(3), validationBatches: 2,
    });
    expect(Object.keys(h.history)).toEqual(['val_loss', 'val_acc', 'loss', 'acc']);
    await expectSameTraining(lib => lib.data.array(ROWS.slice(0, 16)).map(toElement).batch(4), {
      validationData: lib => [lib.tensor2d(ROWS.slice(16).map(r => r.x)), lib.tensor2d(ROWS.slice(16).map(r => r.y))], validationBatchSize: 2,
    });
  });

  test('a CSV read, mapped, shuffled and batched', async () => {
    const url = `file://${path.join(__dirname, '..', 'data', 'iris.csv')}`;
    const SPECIES = ['setosa', 'versicolor', 'virginica'];
    const build3 = (lib) => {
      const m = lib.sequential();
      m.add(lib.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }));
      m.add(lib.layers.dense({ units: 3, activation: 'softmax' }));
      m.compile({ optimizer: lib.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      return m;
    };
    const theirs = build3(tfjs);
    const ours = build3(tf);
    ours.setWeights(theirs.getWeights().map(w => tf.tensor(w.arraySync())));
    const pipeline = lib => lib.data.csv(url, { columnConfigs: { species: { isLabel: true } } })
      .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: SPECIES.map(s => (s === ys.species ? 1 : 0)) }))
      .shuffle(150, 'iris').batch(16);
    const h1 = await ours.fitDataset(pipeline(tf), { epochs: 3, verbose: 0 });
    const h2 = await theirs.fitDataset(pipeline(tfjs), { epochs: 3, verbose: 0 });
    expect(maxRelativeError(h1.history.loss, h2.history.loss)).toBeLessThan(TOLERANCE);
    theirs.getWeights().forEach((w, i) => expect(maxRelativeError(ours.getWeights()[i].dataSync(), w.dataSync())).toBeLessThan(TOLERANCE));
  });
});

describe('nextChunk yields what next() yields', () => {
  const pipelines = {
    'array → map → shuffle → batch': () => tf.data.array(ROWS).map(toElement).shuffle(9, 'h').batch(4),
    'filter → take → skip': () => tf.data.array(ROWS).filter(r => r.i % 2 === 0).take(9).skip(2),
    'zip → repeat': () => tf.data.zip([tf.data.array([1, 2, 3]), tf.data.array([4, 5, 6, 7])]).repeat(2),
    'mapAsync (chunks come as promises)': () => tf.data.array([1, 2, 3, 4, 5]).mapAsync(async x => x * 2).shuffle(3, 'i'),
  };
  const plain = x => JSON.parse(JSON.stringify(x, (k, v) => (v && typeof v.arraySync === 'function' ? v.arraySync() : v)));

  test.each(Object.entries(pipelines))('%s', async (name, pipeline) => {
    const byNext = await (await pipeline().iterator()).toArray();
    const it = await pipeline().iterator();
    const byChunks = [];
    for (let size = 1; ; size = (size % 4) + 1) {
      const chunk = await it.nextChunk(size);
      expect(chunk.length).toBeLessThanOrEqual(size);
      if (chunk.length === 0) break;
      byChunks.push(...chunk);
    }
    expect(plain(byChunks)).toEqual(plain(byNext));
  });

  test('synchronous stages return arrays, not promises', async () => {
    const it = await tf.data.array(ROWS).map(toElement).shuffle(5, 'j').batch(3).take(4).iterator();
    const chunk = it.nextChunk(2);
    expect(Array.isArray(chunk)).toBe(true);
    expect(chunk.length).toBe(2);
  });
});

describe('iterators without nextChunk', () => {
  /** A dataset whose iterator only implements serialNext(), as a LazyIterator subclass may. */
  class OnlyNext extends tf.data.Dataset {
    constructor(items) {
      super();
      this.items = items;
      this.size = items.length;
    }
    async iterator() {
      const items = this.items;
      return new (class extends tf.data.LazyIterator {
        constructor() { super(); this.i = 0; }
        async serialNext() { return this.i < items.length ? { value: items[this.i++], done: false } : { value: null, done: true }; }
      })();
    }
  }

  test('are read through next(), one element per call, with the same training as an array source', async () => {
    const train = async (dataset) => {
      const model = build(tf);
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededValues(w.size, 50 + i, -0.5, 0.5), w.shape)));
      const h = await model.fitDataset(dataset.map(toElement).shuffle(10, 'k').batch(4), { epochs: 2, verbose: 0 });
      return { loss: h.history.loss, weights: model.getWeights().map(w => Array.from(w.dataSync())) };
    };
    const viaNext = await train(new OnlyNext(ROWS));
    const viaArray = await train(tf.data.array(ROWS));
    expect(viaNext).toEqual(viaArray);
  });

  test('evaluateDataset accepts an iterator that has only next()', async () => {
    const model = build(tf);
    const it = await tf.data.array(ROWS).map(toElement).batch(5).iterator();
    const onlyNext = { next: () => it.next() };
    const viaNext = (await model.evaluateDataset(onlyNext)).map(t => t.dataSync()[0]);
    const direct = model.evaluate(tf.tensor2d(ROWS.map(r => r.x)), tf.tensor2d(ROWS.map(r => r.y)), { batchSize: 5 }).map(t => t.dataSync()[0]);
    expect(maxRelativeError(viaNext, direct)).toBeLessThan(1e-6);
  });
});

test('fitDataset reads a dataset whose iterator has only next() (no LazyIterator)', async () => {
  const elements = ROWS.map(toElement);
  const batches = [0, 8, 16].map(at => ({ xs: tf.tensor2d(elements.slice(at, at + 8).map(e => e.xs)), ys: tf.tensor2d(elements.slice(at, at + 8).map(e => e.ys)) }));
  const dataset = new tf.data.Dataset();
  dataset.iterator = async () => { let i = 0; return { next: async () => (i < batches.length ? { value: batches[i++], done: false } : { value: null, done: true }) }; };
  const models = twins();
  const h = await models.ours.fitDataset(dataset, { epochs: 2, verbose: 0 });
  const direct = await models.theirs.fitDataset(tfjs.data.array(ROWS).map(toElement).batch(8), { epochs: 2, verbose: 0 });
  expect(maxRelativeError(h.history.loss, direct.history.loss)).toBeLessThan(TOLERANCE);
});
