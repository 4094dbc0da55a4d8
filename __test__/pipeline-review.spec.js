'use strict';
// Edge cases of the fast fitDataset pipeline against @tensorflow/tfjs: a shuffle window below one
// element, datasets whose iterator() is overridden (a subclass, an instance), callback hooks that
// return thenables, and seeded shuffles read in every way.
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();
/** What a promise settles with: {value} or {error: [class name, message]}. */
const settled = p => p.then(value => ({ value }), e => ({ error: [e.constructor.name, e.message] }));

function linearModel(lib) {
  const m = lib.sequential();
  m.add(lib.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }));
  m.compile({ optimizer: lib.train.sgd(0.01), loss: 'meanSquaredError' });
  return m;
}

describe('shuffle windows below one element', () => {
  test.each([0, 0.5, -0])('shuffle(%p) rejects iterator() and toArray() with TF.js\'s RangeError', async (window) => {
    const build = lib => lib.data.array([1, 2, 3]).shuffle(window, 's');
    const theirs = await settled(build(tfjs).toArray());
    expect(theirs.error).toBeDefined();
    expect(await settled(build(tf).toArray())).toEqual(theirs);
    expect(await settled(build(tf).iterator())).toEqual(await settled(build(tfjs).iterator()));
  });

  test('fitDataset over shuffle(0) rejects as TF.js\'s does (no silent epochs without batches)', async () => {
    const build = lib => lib.data.array([1, 2, 3, 4]).map(v => ({ xs: [v], ys: [v] })).shuffle(0, 's').batch(2);
    const theirs = await settled(linearModel(tfjs).fitDataset(build(tfjs), { epochs: 1, verbose: 0 }));
    expect(theirs.error).toBeDefined();
    expect(await settled(linearModel(tf).fitDataset(build(tf), { epochs: 1, verbose: 0 }))).toEqual(theirs);
  });
});
