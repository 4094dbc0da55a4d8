'use strict';
// Tensor ops for data preparation: every case runs on dense-mtl and on @tensorflow/tfjs and must
// give the same dtype, shape and values (bit for bit), or throw the same message.
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();

/** {dtype, shape, values} of a tensor, a list of them or {mean, variance}; or {error}. */
function run(lib, f) {
  const describeT = t => ({ dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) });
  try {
    const r = f(lib);
    if (Array.isArray(r)) return r.map(describeT);
    if (r && r.mean && r.variance) return { mean: describeT(r.mean), variance: describeT(r.variance) };
    if (r && r.values && r.indices) return { values: describeT(r.values), indices: describeT(r.indices) }; // topk, unique
    return describeT(r);
  } catch (e) {
    return { error: e.message };
  }
}

function same(f) {
  const theirs = run(tfjs, f);
  expect(run(tf, f)).toEqual(theirs); // toEqual treats NaN as equal to NaN
  return theirs;
}

const int = (lib, v, shape) => lib.tensor(v, shape, 'int32');
const mat = lib => lib.tensor2d([[1.5, -2, 3], [4, 0.25, -6]]);

const CASES = {
  'add, sub, mul, div, pow: float32': [
    lib => lib.add(mat(lib), lib.tensor1d([1, 2, 3])), lib => lib.sub(mat(lib), 0.1), lib => lib.mul(lib.tensor2d([[2], [3]]), mat(lib)),
    lib => lib.div(mat(lib), lib.tensor1d([3, 0, -7])), lib => lib.pow(mat(lib), 2), lib => lib.pow(lib.tensor1d([-8, 4]), 0.5),
    lib => lib.add([1, 2], [3, 4]), lib => lib.mul(lib.scalar(3), lib.tensor([[[1, 2]], [[3, 4]]])),
  ],
  'dtype rules': [
    lib => lib.add(int(lib, [1, 2, 3]), int(lib, [4, 5, 6])), lib => lib.add(int(lib, [1, 2, 3]), 2), lib => lib.add(int(lib, [1, 2]), lib.tensor([true, false])),
    lib => lib.div(int(lib, [7, -7, 3]), int(lib, [2, 2, 0])), lib => lib.pow(int(lib, [1, 2, 3]), int(lib, [2, -1, 0])),
    lib => lib.mul(lib.tensor([true, false]), lib.tensor([true, true])), lib => lib.add(lib.tensor([true, false]), lib.tensor([1.5, 2])),
  ],
  'broadcasting errors and bad arguments': [
    lib => lib.add(lib.tensor([1, 2]), lib.tensor([1, 2, 3])), lib => lib.add(lib.tensor([[1, 2]]), lib.tensor([[1], [2], [3]]).reshape([1, 3, 1]).reshape([3, 1]).transpose().reshape([1, 3])),
    lib => lib.add(int(lib, [1]), 'a'), lib => lib.sub(lib.tensor([1]), { x: 1 }),
  ],
  'unary': [
    lib => lib.neg(mat(lib)), lib => lib.abs(mat(lib)), lib => lib.sqrt(lib.abs(mat(lib))), lib => lib.square(mat(lib)), lib => lib.exp(mat(lib)),
    lib => lib.log(lib.tensor([0, 1, 2.5, -1])), lib => lib.sqrt(int(lib, [4])), lib => lib.log(lib.tensor([true])), lib => lib.exp(int(lib, [1, 2])),
    lib => lib.neg(int(lib, [1, -2])), lib => lib.square(int(lib, [-3])), lib => lib.abs(int(lib, [-3, 4])), lib => lib.neg(lib.tensor([true, false])),
  ],
  'reductions': [
    lib => lib.sum(mat(lib)), lib => lib.sum(mat(lib), 0), lib => lib.sum(mat(lib), -1, true), lib => lib.sum(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), [0, 2]),
    lib => lib.sum(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), [2, 0]), lib => lib.sum(int(lib, [1, 2, 3])), lib => lib.sum(lib.tensor([true, true, false])),
    lib => lib.sum(mat(lib), 2), lib => lib.sum(mat(lib), 0.5), lib => lib.sum(lib.tensor([], [0, 2]), 0),
    lib => lib.mean(mat(lib)), lib => lib.mean(mat(lib), 1), lib => lib.mean(lib.tensor([0.1, 0.2, 0.3, 0.4, 0.7])), lib => lib.mean(int(lib, [1, 2])), lib => lib.mean(lib.tensor([true, false, true])),
    lib => lib.min(mat(lib)), lib => lib.min(mat(lib), 0, true), lib => lib.max(mat(lib), 1), lib => lib.max(lib.tensor([1, NaN, 3])), lib => lib.min(lib.tensor([true, false])), lib => lib.max(int(lib, [3, 9, 2])),
    lib => lib.argMin(mat(lib)), lib => lib.argMin(mat(lib), 1), lib => lib.argMin(lib.tensor([[3, 1], [1, 5]]), -1), lib => lib.argMin(lib.scalar(1)),
  ],
  'moments': [
    lib => lib.moments(mat(lib)), lib => lib.moments(mat(lib), 0), lib => lib.moments(mat(lib), [1], true), lib => lib.moments(int(lib, [1, 2, 4])),
  ],
  'comparisons and where': [
    lib => lib.equal(mat(lib), lib.tensor1d([1.5, 0.25, 3])), lib => lib.notEqual(int(lib, [1, 2]), 2), lib => lib.greater(lib.tensor([[1], [2]]), lib.tensor([1, 2, 3])),
    lib => lib.greaterEqual(mat(lib), 0), lib => lib.less(mat(lib), lib.scalar(0)), lib => lib.lessEqual(lib.tensor([NaN, 1]), lib.tensor([NaN, 1])),
    lib => lib.where(lib.tensor([true, false]), lib.tensor([1, 2]), lib.tensor([3, 4])), lib => lib.where(lib.tensor([[true], [false]]), lib.tensor([1, 2]), lib.scalar(0)),
    lib => lib.where(lib.tensor([1, 0]), lib.tensor([1, 2]), lib.tensor([3, 4])), lib => lib.where(lib.tensor([true, false]), int(lib, [1, 2]), lib.tensor([3.5, 4])),
  ],
  'clipByValue': [
    lib => lib.clipByValue(mat(lib), -1, 2), lib => lib.clipByValue(int(lib, [-2, 0, 3]), 0.5, 1.5), lib => lib.clipByValue(lib.tensor([NaN, 5]), 0, 1), lib => lib.clipByValue(mat(lib), 2, 1),
  ],
  'slice': [
    lib => lib.slice(mat(lib), [0, 1], [-1, 2]), lib => lib.slice(mat(lib), 1), lib => lib.slice(mat(lib), [1], [1]), lib => lib.slice(lib.tensor([1, 2, 3, 4]), 1, 2),
    lib => lib.slice(mat(lib), [0, 2], [1, 2]), lib => lib.slice(lib.tensor([1, 2, 3]), [0, 0], [1, 1]), lib => lib.slice(mat(lib), [0, 0], [1, -2]), lib => lib.slice(lib.scalar(1), 0),
    lib => lib.slice(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), [1, 0, 1], [1, 2, 1]),
  ],
  'concat and stack': [
    lib => lib.concat([mat(lib), mat(lib)]), lib => lib.concat([mat(lib), lib.tensor2d([[9], [8]])], 1), lib => lib.concat([mat(lib), lib.tensor2d([[9], [8]])], -1),
    lib => lib.concat([lib.tensor2d([[1], [2]]), mat(lib)], 0), lib => lib.concat([lib.tensor([1]), lib.tensor([[1]])]), lib => lib.concat([int(lib, [1, 2]), lib.tensor([1.5])]),
    lib => lib.concat([lib.tensor([1])]), lib => lib.concat([]), lib => lib.concat([mat(lib), mat(lib)], 2),
    lib => lib.stack([lib.tensor([1, 2]), lib.tensor([3, 4])]), lib => lib.stack([lib.tensor([1, 2]), lib.tensor([3, 4])], 1), lib => lib.stack([mat(lib), mat(lib)], -1),
    lib => lib.stack([lib.tensor([1, 2])]), lib => lib.stack([lib.tensor([1, 2]), lib.tensor([1])]), lib => lib.stack([int(lib, [1]), lib.tensor([1])]), lib => lib.stack([]),
    lib => lib.stack([lib.scalar(1), lib.scalar(2)]),
  ],
  'split and gather': [
    lib => lib.split(lib.tensor([[1, 2, 3, 4]]), 2, 1), lib => lib.split(lib.tensor([1, 2, 3, 4, 5]), [1, -1, 2]), lib => lib.split(mat(lib), [1, 1]),
    lib => lib.split(lib.tensor([1, 2, 3]), 2), lib => lib.split(lib.tensor([1, 2, 3]), [1, 1]), lib => lib.split(lib.tensor([1, 2, 3]), [-1, -1, 3]),
    lib => lib.gather(mat(lib), [1, 0, 1]), lib => lib.gather(mat(lib), int(lib, [[2], [0]]), 1), lib => lib.gather(mat(lib), [2, 0], -1),
    lib => lib.gather(lib.tensor([1, 2]), [5]), lib => lib.gather(lib.tensor([1, 2]), lib.tensor([1])), lib => lib.gather(int(lib, [7, 8, 9]), lib.scalar(2, 'int32')),
  ],
  'transpose, expandDims, squeeze': [
    lib => lib.transpose(mat(lib)), lib => lib.transpose(lib.tensor([[[1, 2]], [[3, 4]]]), [2, 0, 1]), lib => lib.transpose(mat(lib), [0]), lib => lib.transpose(mat(lib), [0, 2]),
    lib => lib.transpose(lib.tensor([1, 2])), lib => lib.expandDims(mat(lib), 1), lib => lib.squeeze(lib.tensor([[1], [2]])),
  ],
  'factories': [
    lib => lib.fill([2, 2], 3), lib => lib.fill([2], 3.7, 'int32'), lib => lib.fill([2], true), lib => lib.zerosLike(int(lib, [1, 2])), lib => lib.onesLike(lib.tensor([true])),
    lib => lib.linspace(0, 1, 5), lib => lib.linspace(0, 1, 0), lib => lib.linspace(3, 1, 1), lib => lib.linspace(-1, 1, 7),
    lib => lib.range(0, 5), lib => lib.range(5, 0, -2), lib => lib.range(0, 3, 1, 'int32'), lib => lib.range(0, 5, 0), lib => lib.range(5, 0), lib => lib.range(0, 1, 0.3), lib => lib.range(0, -3, 2),
  ],
  'seeded random values equal TF.js': [
    lib => lib.randomUniform([4, 3], 0, 1, 'float32', 42), lib => lib.randomUniform([5], -2, 10, 'int32', 7), lib => lib.randomUniform([3], 0, 1, 'float32', 'text seed'),
    lib => lib.randomNormal([3, 3], 0, 1, 'float32', 42), lib => lib.randomNormal([5], 5, 3, 'int32', 7), lib => lib.randomNormal([2], 0, 1, 'bool', 1),
  ],
  'chained methods': [
    lib => mat(lib).add(1).mul(lib.tensor1d([1, 2, 3])).sum(1), lib => mat(lib).sub(mat(lib).mean(0)).div(mat(lib).max(0)).abs().sqrt(),
    lib => mat(lib).square().exp().log().neg().min(), lib => mat(lib).pow(2).argMin(1), lib => mat(lib).slice([0, 1], [2, 1]).transpose().concat(lib.tensor2d([[1, 2]])),
    lib => mat(lib).greater(0).where(mat(lib), lib.scalar(0)), lib => mat(lib).clipByValue(0, 1).equal(1), lib => mat(lib).gather([1]).split(3, 1)[2],
    lib => lib.tensor([1, 2]).stack(lib.tensor([3, 4]), 1), lib => mat(lib).lessEqual(0.25).notEqual(true), lib => mat(lib).greaterEqual(mat(lib).mean()).less(1),
    lib => mat(lib).zerosLike().onesLike().concat([mat(lib)], 0),
  ],
  // The ops an evaluation or data-preparation script reaches for beyond the basics.
  'matMul': [
    lib => lib.matMul(mat(lib), lib.tensor2d([[1, 0], [0.5, 2], [-1, 3]])), lib => lib.matMul(mat(lib), mat(lib), false, true),
    lib => lib.matMul(mat(lib), mat(lib), true, false), lib => lib.matMul(lib.tensor2d([[1, 2], [3, 4]]), lib.tensor2d([[1, 2], [3, 4]]), true, true),
    lib => lib.matMul(int(lib, [1, 2, 3, 4], [2, 2]), int(lib, [5, 6, 7, 8], [2, 2])), lib => lib.matMul(int(lib, [1, 2, 3, 4], [2, 2]), lib.tensor2d([[0.5], [1.5]])),
    lib => lib.matMul(lib.ones([2, 2, 3]), lib.ones([2, 3, 4])), lib => lib.matMul(lib.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), lib.tensor2d([[1, 2], [3, 4]])),
    lib => lib.matMul(mat(lib), mat(lib)), lib => lib.matMul(mat(lib), lib.ones([2, 2]), true, true),
    lib => lib.matMul(lib.tensor2d(Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(i * 0.3), i / 7])), lib.tensor2d([[0.1, 0.7], [0.3, -0.2], [1.1, 0.01]])),
  ],
  'activations': [
    lib => lib.sigmoid(mat(lib)), lib => lib.sigmoid(lib.tensor([-100, 100, 0, NaN])), lib => lib.sigmoid(int(lib, [1])),
    lib => lib.tanh(mat(lib)), lib => lib.tanh(int(lib, [1])), lib => lib.relu(mat(lib)), lib => lib.relu(int(lib, [-1, 2])), lib => lib.relu(lib.tensor([NaN, -0.5])),
    lib => lib.softmax(mat(lib)), lib => lib.softmax(lib.tensor([1000, 1000, -1000])), lib => lib.softmax(lib.tensor([[[1, 2], [3, 4]]])), lib => lib.softmax(mat(lib), 0),
    lib => lib.softmax(mat(lib), 1), lib => lib.softmax(int(lib, [1, 2])), lib => lib.softmax(lib.scalar(1)),
    lib => lib.logSoftmax(mat(lib)), lib => lib.logSoftmax(lib.tensor([1000, 0])), lib => lib.logSoftmax(mat(lib), 0), lib => lib.logSoftmax(mat(lib), -1),
  ],
  'rounding and sign': [
    lib => lib.round(lib.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6, 3])), lib => lib.round(int(lib, [3, -2])), lib => lib.round(lib.tensor([NaN, Infinity])),
    lib => lib.floor(mat(lib)), lib => lib.ceil(mat(lib)), lib => lib.floor(int(lib, [1])), lib => lib.ceil(int(lib, [1])),
    lib => lib.sign(lib.tensor([NaN, -2, 0, 3, -0])), lib => lib.sign(int(lib, [-5, 0, 5])), lib => lib.sign(lib.tensor([true, false])),
  ],
  'maximum, minimum, mod': [
    lib => lib.maximum(mat(lib), lib.tensor1d([0, 1, 2])), lib => lib.minimum(mat(lib), 0), lib => lib.maximum(int(lib, [1, 5]), int(lib, [3, 2])),
    lib => lib.maximum(lib.tensor([true, false]), lib.tensor([false, false])), lib => lib.minimum(lib.tensor([NaN, 1]), lib.tensor([0, NaN])),
    lib => lib.maximum(int(lib, [1, 5]), lib.tensor([1.5, 2])), lib => lib.maximum(lib.tensor([1, 2]), lib.tensor([1, 2, 3])),
    lib => lib.mod(lib.tensor([-5, 5, -5, 5, 5.5]), lib.tensor([3, -3, -3, 3, 2])), lib => lib.mod(int(lib, [-7, 7]), int(lib, [3, 3])), lib => lib.mod(mat(lib), 2),
  ],
  'logical ops': [
    lib => lib.logicalAnd(lib.tensor([true, true, false]), lib.tensor([true, false, false])), lib => lib.logicalOr(lib.tensor([[true], [false]]), lib.tensor([true, false])),
    lib => lib.logicalXor(lib.tensor([true, true, false]), lib.tensor([true, false, false])), lib => lib.logicalNot(lib.tensor([true, false])),
    lib => lib.logicalAnd(lib.tensor([1, 0]), lib.tensor([true, true])), lib => lib.logicalNot(int(lib, [1])), lib => lib.logicalOr([true, false], [false, false]),
  ],
  'norm': [
    lib => lib.norm(lib.tensor([3, 4])), lib => lib.norm(mat(lib)), lib => lib.norm(mat(lib), 1), lib => lib.norm(mat(lib), Infinity), lib => lib.norm(mat(lib), -Infinity),
    lib => lib.norm(mat(lib), 2, 1), lib => lib.norm(mat(lib), 'euclidean', 0, true), lib => lib.norm(mat(lib), 'fro', [0, 1]), lib => lib.norm(mat(lib), 1, [0, 1]),
    lib => lib.norm(mat(lib), Infinity, [0, 1], true), lib => lib.norm(mat(lib), 3), lib => lib.norm(lib.scalar(-2)), lib => lib.norm(int(lib, [3, 4]), 1), lib => lib.norm(int(lib, [3, 4])),
  ],
  'topk and unique': [
    lib => lib.topk(lib.tensor([1, 5, 3, 5, 2]), 3), lib => lib.topk(mat(lib), 2), lib => lib.topk(int(lib, [3, 1, 2])), lib => lib.topk(mat(lib), 0),
    lib => lib.topk(lib.scalar(1)), lib => lib.topk(lib.tensor([1, 2]), 3), lib => lib.topk(lib.tensor([1, 2]), -1), lib => lib.topk(lib.tensor([[1, 2, 3]]), 3, false),
    lib => lib.unique(lib.tensor([3, 1, 3, 2, 1])), lib => lib.unique(int(lib, [4, 4, 0])), lib => lib.unique(lib.tensor([true, false, true])),
    lib => lib.unique(lib.tensor2d([[1, 2], [1, 2], [3, 4]])), lib => lib.unique(lib.tensor2d([[1, 1, 2], [5, 5, 6]]), 1), lib => lib.unique(lib.tensor2d([[1, 2], [1, 2]]), -1),
  ],
  'tile, pad, cumsum': [
    lib => lib.tile(mat(lib), [2, 1]), lib => lib.tile(lib.tensor([1, 2]), [3]), lib => lib.tile(int(lib, [1, 2, 3, 4], [2, 2]), [2, 3]), lib => lib.tile(mat(lib), [2]),
    lib => lib.tile(lib.tensor([true]), [2]),
    lib => lib.pad(mat(lib), [[1, 0], [2, 1]]), lib => lib.pad(lib.tensor([1, 2]), [[2, 1]], 9), lib => lib.pad(int(lib, [1, 2]), [[0, 1]], 5), lib => lib.pad(lib.scalar(1), []),
    lib => lib.cumsum(lib.tensor([1, 2, 3, 4])), lib => lib.cumsum(mat(lib), 1), lib => lib.cumsum(mat(lib), 0, true), lib => lib.cumsum(mat(lib), 1, false, true),
    lib => lib.cumsum(int(lib, [1, 2, 3])), lib => lib.cumsum(lib.tensor([true, true, false])),
    lib => lib.cumsum(lib.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])),
  ],
  'the new ops as chained methods': [
    lib => mat(lib).matMul(mat(lib), false, true).sigmoid(), lib => mat(lib).relu().tanh().round(), lib => mat(lib).softmax().logSoftmax(),
    lib => mat(lib).floor().ceil().sign(), lib => mat(lib).maximum(0).minimum(1).mod(0.3), lib => mat(lib).norm(1, 0),
    lib => mat(lib).topk(2).indices, lib => lib.tensor([1, 1, 2]).unique().values, lib => mat(lib).tile([1, 2]).pad([[0, 1], [1, 0]]).cumsum(1),
    lib => mat(lib).greater(0).logicalAnd(mat(lib).less(2)).logicalOr(lib.tensor([true, false, false])).logicalNot().logicalXor(lib.tensor([true, true, true])),
  ],
};

describe.each(Object.entries(CASES))('%s', (group, cases) => {
  test.each(cases.map((f, i) => [i, f]))('case %i', (i, f) => {
    same(f);
  });
});

// Where TF.js returns a malformed tensor instead of an error, dense-mtl computes the meaningful
// result or names the bad argument.
describe('arguments TF.js mishandles', () => {
  test('matMul of a vector is an error naming the shapes (TF.js fails inside a reshape)', () => {
    expect(() => tf.matMul(tf.tensor1d([1, 2, 3]), tf.ones([3, 2]))).toThrow(
      'Error in matMul: inputs must have rank at least 2, got ranks 1 and 2 (shapes [3] and [3,2]). Reshape a vector to [1, n] or [n, 1] first.');
    expect(() => tfjs.matMul(tfjs.tensor1d([1, 2, 3]), tfjs.ones([3, 2]))).toThrow(/has NaN elements/);
  });

  test('pad with one pair per axis missing is an error (TF.js returns shape [5,NaN])', () => {
    expect(() => tf.pad(tf.ones([2]), [[1, 2], [1, 1]])).toThrow(
      'pad: paddings must hold one [before, after] pair of non-negative integers per axis of x (shape [2], so 1) but got [[1,2],[1,1]]');
    expect(tfjs.pad(tfjs.ones([2]), [[1, 2], [1, 1]]).shape).toEqual([5, NaN]);
  });

  test('cumsum along a negative axis counts from the end (TF.js returns an empty tensor of shape [undefined,2])', () => {
    const x = [[1.5, -2, 3], [4, 0.25, -6]];
    expect(tf.cumsum(tf.tensor2d(x), -1, true, true).arraySync()).toEqual(tf.cumsum(tf.tensor2d(x), 1, true, true).arraySync());
    expect(tf.cumsum(tf.tensor2d(x), -1).arraySync()).toEqual(x.map(r => r.map((_, j) => r.slice(0, j + 1).reduce((a, b) => a + b))));
    expect(tfjs.cumsum(tfjs.tensor2d(x), -1, true, true).shape).toEqual([undefined, 2]);
    expect(() => tf.cumsum(tf.tensor2d(x), 2)).toThrow('cumsum: axis must be an integer in [-2, 2) for x of shape [2,3] but got 2');
  });

  test('topk with sorted = false returns the k largest in input order', () => {
    const { values, indices } = tf.topk(tf.tensor1d([1, 9, 3, 7, 5]), 3, false);
    expect(indices.arraySync()).toEqual([1, 3, 4]);
    expect(values.arraySync()).toEqual([9, 7, 5]);
  });
});

describe('normalizing features, as data preparation does', () => {
  test('z-scores and min-max scaling equal TF.js', () => {
    const data = [[5.1, 3.5, 1.4], [4.9, 3.0, 1.4], [6.3, 3.3, 6.0], [5.8, 2.7, 5.1]];
    same((lib) => {
      const x = lib.tensor2d(data);
      const { mean, variance } = lib.moments(x, 0);
      return x.sub(mean).div(variance.sqrt());
    });
    same((lib) => {
      const x = lib.tensor2d(data);
      const lo = x.min(0);
      return x.sub(lo).div(x.max(0).sub(lo));
    });
  });
});

describe('tf.util.shuffle', () => {
  test('permutes arrays and typed arrays in place', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    tf.util.shuffle(a);
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const t = Float32Array.from({ length: 20 }, (_, i) => i);
    tf.util.shuffle(t);
    expect(Array.from(t).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('shuffleCombo keeps pairs together', () => {
    const a = [1, 2, 3, 4, 5];
    const b = ['1', '2', '3', '4', '5'];
    tf.util.shuffleCombo(a, b);
    expect(a.map(String)).toEqual(b);
    expect(() => tf.util.shuffleCombo([1], [])).toThrow('Array sizes must match to be shuffled together');
  });

  test('random ops without a seed differ between calls', () => {
    expect(tf.randomUniform([8]).dataSync()).not.toEqual(tf.randomUniform([8]).dataSync());
    expect(tf.randomNormal([8]).dataSync()).not.toEqual(tf.randomNormal([8]).dataSync());
  });
});

describe('the Alea generator behind seeded shuffles and random ops', () => {
  const { alea } = require('../lib/ops/alea');
  // The seedrandom package's own Alea (TF.js's dependency), an independent implementation.
  const reference = require('seedrandom/lib/alea');

  test('draws what seedrandom draws for seeds of every kind (numbers, empty, non-ASCII, lone surrogates, long)', () => {
    const seeds = [0, 42, -1234567890, 1.5, '', 'iris', 'é€😀', '\ud800', 'x\udfffy', 'a'.repeat(5000), String(Date.now())];
    for (const seed of seeds) {
      const ours = alea(seed);
      const theirs = reference(seed);
      const draws = (r) => [...Array(20)].map((_, i) => (i % 2 ? r() : r.int32()));
      expect(draws(ours)).toEqual(draws(theirs));
    }
  });
});
