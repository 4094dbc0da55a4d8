'use strict';
// Seeded dropout trains as in @tensorflow/tfjs 4.22: each dropout layer draws its masks from its
// own seed (a new seedrandom.alea(seed) stream per call, so the same mask on every batch), so a
// model with seeded dropout layers has TF.js's history and weights.
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const TOLERANCE = 1e-4;
const ROWS = 10; // with batchSize 4: batches of 4, 4 and 2

/** dense(5) → dropout(seeds[0]) → dense(5) → dropout(seeds[1]) → dense(2), same weights in both libraries. */
function twinModels(seeds) {
  const build = (lib) => {
    const m = lib.sequential();
    m.add(lib.layers.dense({ units: 5, activation: 'tanh', inputShape: [4] }));
    m.add(lib.layers.dropout({ rate: 0.4, seed: seeds[0] }));
    m.add(lib.layers.dense({ units: 5, activation: 'tanh' }));
    m.add(lib.layers.dropout({ rate: 0.3, seed: seeds[1] }));
    m.add(lib.layers.dense({ units: 2 }));
    m.compile({ loss: 'meanSquaredError', optimizer: lib.train.sgd(0.1) });
    return m;
  };
  const theirs = build(tfjs);
  const ours = build(tf);
  const values = theirs.getWeights().map((w, i) => seededValues(w.size, 200 + i, -0.6, 0.6));
  theirs.setWeights(values.map((v, i) => tfjs.tensor(v, theirs.getWeights()[i].shape)));
  ours.setWeights(values.map((v, i) => tf.tensor(v, theirs.getWeights()[i].shape)));
  return { ours, theirs };
}

async function fitBoth({ ours, theirs }) {
  const x = Array.from({ length: ROWS }, (_, r) => seededValues(4, 10 + r));
  const y = Array.from({ length: ROWS }, (_, r) => seededValues(2, 50 + r));
  const args = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 };
  const a = await theirs.fit(tfjs.tensor2d(x), tfjs.tensor2d(y), args);
  const b = await ours.fit(tf.tensor2d(x), tf.tensor2d(y), args);
  return { theirs: a.history.loss, ours: b.history.loss };
}

describe('seeded dropout layers train as in TF.js', () => {
  test.each([
    ['the same seed in both layers', [42, 42]],
    ['different seeds', [42, 7]],
  ])('%s: same loss history and weights', async (_, seeds) => {
    const models = twinModels(seeds);
    const history = await fitBoth(models);
    expect(maxRelativeError(history.ours, history.theirs)).toBeLessThan(TOLERANCE);
    const theirs = models.theirs.getWeights();
    const errors = models.ours.getWeights().map((w, i) => maxRelativeError(w.dataSync(), theirs[i].dataSync()));
    expect(Math.max(...errors)).toBeLessThan(TOLERANCE);
  });
});
