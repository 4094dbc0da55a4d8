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
};

describe.each(Object.entries(CASES))('%s', (group, cases) => {
  test.each(cases.map((f, i) => [i, f]))('case %i', (i, f) => {
    same(f);
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
