'use strict';
// lib/tensor/ against the @tensorflow/tfjs 4.22 oracle (cpu backend).

const { execFileSync } = require('child_process');
const path = require('path');
const tf = require('../lib/tensor');
const tfjs = require('@tensorflow/tfjs');

tfjs.enableProdMode(); // silences the "use tfjs-node" banner
tfjs.setBackend('cpu');

// Deterministic pseudo-random values (no Math.random, so failures reproduce).
function randomValues(n, seed = 1, scale = 10) {
  const out = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(((s / 2147483648) - 0.5) * scale);
  }
  return out;
}

const range = (n, f = i => i) => Array.from({ length: n }, (_, i) => f(i));

// Builds the same tensor in both libraries.
function both(values, shape, dtype) {
  return [tf.tensor(values, shape, dtype), tfjs.tensor(values, shape, dtype)];
}

// [label, values, shape, dtype] fed to tensor() in both libraries.
const FORMAT_CASES = [
  ['scalar float', 0.1, undefined, undefined],
  ['scalar negative', -3, undefined, undefined],
  ['scalar tiny', 1e-10, undefined, undefined],
  ['scalar big', 123456789, undefined, undefined],
  ['scalar third', 1 / 3, undefined, undefined],
  ['scalar NaN', NaN, undefined, undefined],
  ['scalar Infinity', -Infinity, undefined, undefined],
  ['scalar bool', true, undefined, undefined],
  ['scalar int32', 7, [], 'int32'],
  ['1-D', [1, 2, 3], undefined, undefined],
  ['1-D decimals', [-1.5, 2, 0.1234567891, 1e-8, -1e-8], undefined, undefined],
  ['1-D big and small', [1e21, 3.4e38, 1e-7, 123456.789, -0.00001234], undefined, undefined],
  ['1-D NaN/Inf', [NaN, Infinity, -Infinity, 0], undefined, undefined],
  ['1-D 20 entries', range(20), undefined, undefined],
  ['1-D 21 entries', range(21, i => i * 1.5), undefined, undefined],
  ['1-D 25 entries', range(25), undefined, undefined],
  ['1-D int32', [1, -22, 333], undefined, 'int32'],
  ['1-D bool', [true, false, true], undefined, undefined],
  ['1-D empty', [], undefined, undefined],
  ['2-D', [[1, 2], [3, 4]], undefined, undefined],
  ['2-D single row', [[1, 2]], undefined, undefined],
  ['2-D single column', [[1], [2], [3]], undefined, undefined],
  ['2-D padding', [[1, 200, 3], [-3000, 4.5, 0.1234567891]], undefined, undefined],
  ['2-D negatives', [[-1, -2], [-30, 4]], undefined, 'int32'],
  ['2-D bool', [[true, false], [false, true]], undefined, undefined],
  ['2-D NaN', [[NaN, 1], [2, Infinity]], undefined, undefined],
  ['2-D 25 rows', randomValues(50, 3), [25, 2], undefined],
  ['2-D 25 cols', randomValues(50, 4), [2, 25], undefined],
  ['2-D 25x25', randomValues(625, 5, 1000), [25, 25], undefined],
  ['2-D 21x1', range(21), [21, 1], 'int32'],
  ['2-D 2x0', [[], []], undefined, undefined],
  ['2-D 0x2', [], [0, 2], undefined],
  ['3-D', [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], undefined, undefined],
  ['3-D single', [[[1, 2]]], undefined, undefined],
  ['3-D 3x1x2', randomValues(6, 6), [3, 1, 2], undefined],
  ['3-D 22x1x1', range(22), [22, 1, 1], undefined],
  ['3-D 2x3x25', randomValues(150, 7), [2, 3, 25], undefined],
  ['3-D 2x25x2', randomValues(100, 8), [2, 25, 2], undefined],
  ['3-D bool', range(8, i => i % 3 === 0), [2, 2, 2], undefined],
  ['4-D', range(16, i => i - 8), [2, 2, 2, 2], undefined],
  ['4-D mixed', randomValues(6, 9, 0.01), [1, 2, 1, 3], undefined],
  ['4-D int32', range(24, i => i * 37 - 400), [2, 3, 2, 2], 'int32'],
  ['5-D', range(32), [2, 2, 2, 2, 2], undefined],
  ['float32 rounding', [0.1, 0.2, 0.3, 16777217], undefined, undefined],
];

describe('toString matches TF.js', () => {
  test.each(FORMAT_CASES)('%s', (label, values, shape, dtype) => {
    const [ours, theirs] = both(values, shape, dtype);
    expect(ours.toString()).toBe(theirs.toString());
    expect(ours.toString(true)).toBe(theirs.toString(true));
    expect(ours.dtype).toBe(theirs.dtype);
    expect(ours.shape).toEqual(theirs.shape);
  });

  test('known layouts, spelled out', () => {
    expect(tf.tensor2d([[1, 2], [3, 4]]).toString()).toBe('Tensor\n    [[1, 2],\n     [3, 4]]');
    expect(tf.tensor2d([[1, 2]]).toString()).toBe('Tensor\n     [[1, 2],]');
    expect(tf.scalar(0.1).toString()).toBe('Tensor\n    0.10000000149011612');
    expect(tf.tensor([[1, 2], [3, 4]]).toString(true)).toBe(
      'Tensor\n  dtype: float32\n  rank: 2\n  shape: [2,2]\n  values:\n    [[1, 2],\n     [3, 4]]');
  });

  test('print logs toString', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      tf.tensor([1, 2]).print();
      tf.tensor([1, 2]).print(true);
      expect(spy.mock.calls[0][0]).toBe(tfjs.tensor([1, 2]).toString());
      expect(spy.mock.calls[1][0]).toBe(tfjs.tensor([1, 2]).toString(true));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('creation matches TF.js', () => {
  const CREATE_CASES = [
    ['nested', [[1, 2, 3], [4, 5, 6]], undefined, undefined],
    ['flat with shape', [1, 2, 3, 4, 5, 6], [3, 2], undefined],
    ['last dims flattened', [[1, 2, 3, 4], [5, 6, 7, 8]], [2, 2, 2], undefined],
    ['Float32Array', new Float32Array([1.5, 2.5]), undefined, undefined],
    ['Int32Array', new Int32Array([1, 2, 3]), undefined, undefined],
    ['Uint8Array', new Uint8Array([1, 2, 3]), undefined, undefined],
    ['typed array to float', new Int32Array([1, 2]), undefined, 'float32'],
    ['array of typed arrays', [new Float32Array([1, 2]), new Float32Array([3, 4])], undefined, undefined],
    ['int32 truncation', [1.7, -1.7, NaN, Infinity, 3e9], undefined, 'int32'],
    ['bool rounding', [0.3, -0.3, 0.5, NaN, 2], undefined, 'bool'],
    ['booleans to float', [true, false], undefined, 'float32'],
    ['scalar with shape', 5, [1, 1], undefined],
  ];

  test.each(CREATE_CASES)('%s', (label, values, shape, dtype) => {
    const [ours, theirs] = both(values, shape, dtype);
    expect(ours.dtype).toBe(theirs.dtype);
    expect(ours.shape).toEqual(theirs.shape);
    expect(ours.arraySync()).toEqual(theirs.arraySync());
    expect(ours.dataSync()).toEqual(theirs.dataSync());
  });

  test('tensor1d, tensor2d, scalar, zeros and ones', () => {
    const pairs = [
      [tf.tensor1d([1, 2, 3], 'int32'), tfjs.tensor1d([1, 2, 3], 'int32')],
      [tf.tensor2d([1, 2, 3, 4], [2, 2]), tfjs.tensor2d([1, 2, 3, 4], [2, 2])],
      [tf.tensor2d([[true], [false]]), tfjs.tensor2d([[true], [false]])],
      [tf.tensor3d([1, 2, 3, 4], [1, 2, 2]), tfjs.tensor3d([1, 2, 3, 4], [1, 2, 2])],
      [tf.tensor4d([[[[1]]]]), tfjs.tensor4d([[[[1]]]])],
      [tf.scalar(3, 'int32'), tfjs.scalar(3, 'int32')],
      [tf.scalar(false), tfjs.scalar(false)],
      [tf.zeros([2, 3]), tfjs.zeros([2, 3])],
      [tf.zeros([2], 'bool'), tfjs.zeros([2], 'bool')],
      [tf.ones([3, 1], 'int32'), tfjs.ones([3, 1], 'int32')],
      [tf.ones([]), tfjs.ones([])],
    ];
    for (const [ours, theirs] of pairs) {
      expect(ours.dtype).toBe(theirs.dtype);
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.toString()).toBe(theirs.toString());
    }
  });

  test('NaN and Infinity are allowed', () => {
    expect(tf.tensor([NaN, Infinity]).arraySync()).toEqual([NaN, Infinity]);
  });

  test('typed array dtypes', () => {
    expect(tf.tensor(new Float32Array([1])).dataSync()).toBeInstanceOf(Float32Array);
    expect(tf.tensor([1], [1], 'int32').dataSync()).toBeInstanceOf(Int32Array);
    expect(tf.tensor([true]).dataSync()).toBeInstanceOf(Uint8Array);
  });
});

describe('tensor fields and data access', () => {
  test('shape, dtype, size, rank, strides', () => {
    const [ours, theirs] = both(range(24), [2, 3, 4]);
    for (const key of ['shape', 'dtype', 'size', 'rank', 'strides']) {
      expect(ours[key]).toEqual(theirs[key]);
    }
  });

  test('ids are unique and increasing', () => {
    const a = tf.tensor([1]);
    const b = a.reshape([1, 1]);
    const c = tf.scalar(2);
    expect(b.id).toBeGreaterThan(a.id);
    expect(c.id).toBeGreaterThan(b.id);
  });

  test('data() and array() resolve like TF.js', async () => {
    const [ours, theirs] = both([[1, 2], [3, 4]]);
    expect(await ours.data()).toEqual(await theirs.data());
    expect(await ours.array()).toEqual(await theirs.array());
    expect(await tf.scalar(5).array()).toBe(5);
  });

  test('data() and dataSync() return copies', async () => {
    const t = tf.tensor([1, 2, 3]);
    t.dataSync()[0] = 100;
    (await t.data())[1] = 100;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
  });

  test('arraySync matches TF.js quirks (bool as 0/1, empty dims)', () => {
    const cases = [[[true, false]], [[[], []]], [5], [[[[1, 2]], [[3, 4]]]]];
    for (const [values] of cases) {
      const [ours, theirs] = both(values);
      expect(ours.arraySync()).toEqual(theirs.arraySync());
    }
  });

  test('isTensor', () => {
    expect(tf.isTensor(tf.scalar(1))).toBe(true);
    expect(tf.isTensor([1])).toBe(false);
    expect(tf.isTensor(null)).toBe(false);
  });

  test('Tensor.fromTypedArray wraps without copying', () => {
    const values = new Float32Array([1, 2, 3, 4]);
    const t = tf.Tensor.fromTypedArray(values, [2, 2], 'float32');
    values[0] = 9;
    expect(t.arraySync()).toEqual([[9, 2], [3, 4]]);
    expect(t.dataRef()).toBe(values);
  });

  test('Tensor.fromTypedArray validates its input', () => {
    expect(() => tf.Tensor.fromTypedArray(new Float32Array(3), [2, 2], 'float32'))
      .toThrow('Tensor.fromTypedArray: shape [2,2] needs 4 values but values has 3');
    expect(() => tf.Tensor.fromTypedArray(new Float32Array(2), [2], 'int32'))
      .toThrow(/Tensor.fromTypedArray: dtype 'int32' needs values of type Int32Array, got Float32Array/);
    expect(() => tf.Tensor.fromTypedArray([1, 2], [2], 'float32'))
      .toThrow(/needs values of type Float32Array, got \[1,2\]/);
  });
});

describe('ops match TF.js', () => {
  const matrix = [[1, 9, 3], [4, 2, 6]];

  test.each([0, 1, -1, -2])('argMax axis %d', (axis) => {
    const [ours, theirs] = both(matrix);
    const a = ours.argMax(axis);
    const b = theirs.argMax(axis);
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual(b.shape);
    expect(a.arraySync()).toEqual(b.arraySync());
  });

  test('argMax defaults to axis 0 and handles ties, NaN and rank 3', () => {
    const cases = [[3, 1, 3], [NaN, 2, 1], [1, NaN, 2], [0, 0, 0]];
    for (const values of cases) {
      expect(tf.argMax(values).arraySync()).toEqual(tfjs.argMax(values).arraySync());
    }
    const [ours, theirs] = both(randomValues(24, 11), [2, 3, 4]);
    for (const axis of [0, 1, 2]) {
      expect(tf.argMax(ours, axis).arraySync()).toEqual(tfjs.argMax(theirs, axis).arraySync());
    }
  });

  test('oneHot', () => {
    const cases = [
      [[1, 0, 2], 3],
      [[1, 0, 5, -1], 3, 0.5],
      [[[0, 1], [1, 0]], 2],
      [[1, 1], 3, 2, -1, 'float32'],
      [[1, 0], 3, 1, 0, 'bool'],
      [[1.7, 2.2], 3],
    ];
    for (const [indices, ...rest] of cases) {
      const a = tf.oneHot(indices, ...rest);
      const b = tfjs.oneHot(indices, ...rest);
      expect(a.dtype).toBe(b.dtype);
      expect(a.shape).toEqual(b.shape);
      expect(a.arraySync()).toEqual(b.arraySync());
    }
    const fromTensor = tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3);
    expect(fromTensor.arraySync()).toEqual([[0, 0, 1], [1, 0, 0]]);
  });

  test('reshape, including -1', () => {
    const [ours, theirs] = both(range(12));
    for (const shape of [[3, 4], [-1, 6], [2, -1, 3], [12], [1, 12, 1]]) {
      const a = ours.reshape(shape);
      const b = theirs.reshape(shape);
      expect(a.shape).toEqual(b.shape);
      expect(a.arraySync()).toEqual(b.arraySync());
    }
    expect(tf.reshape([1, 2, 3, 4], [2, 2]).arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(tf.scalar(1).reshape([1, 1]).shape).toEqual([1, 1]);
  });

  test.each([
    ['float32', 'int32'], ['float32', 'bool'], ['int32', 'float32'],
    ['int32', 'bool'], ['bool', 'float32'], ['bool', 'int32'], ['float32', 'float32'],
  ])('cast %s -> %s', (from, to) => {
    const values = from === 'bool' ? [true, false, true] : [1.7, -1.7, 0, 0.3, NaN];
    const [ours, theirs] = both(values, undefined, from);
    const a = ours.cast(to);
    const b = theirs.cast(to);
    expect(a.dtype).toBe(to);
    expect(a.arraySync()).toEqual(b.arraySync());
    expect(a.dataSync()).toBeInstanceOf(tf.tensor([], [0], to).dataSync().constructor);
    expect(tf.cast(ours, to).arraySync()).toEqual(b.arraySync());
  });

  test('toInt, toFloat and asType', () => {
    const [ours, theirs] = both([1.5, -2.5]);
    expect(ours.toInt().arraySync()).toEqual(theirs.toInt().arraySync());
    expect(ours.toInt().toFloat().dtype).toBe('float32');
    expect(ours.asType('int32').dtype).toBe('int32');
  });

  test('shape helpers', () => {
    const [ours, theirs] = both([[[1], [2], [3]]]);
    const pairs = [
      [ours.squeeze(), theirs.squeeze()],
      [ours.squeeze([0]), theirs.squeeze([0])],
      [ours.squeeze([-1]), theirs.squeeze([-1])],
      [ours.expandDims(), theirs.expandDims()],
      [ours.expandDims(3), theirs.expandDims(3)],
      [ours.expandDims(-1), theirs.expandDims(-1)],
      [ours.flatten(), theirs.flatten()],
      [ours.as1D(), theirs.as1D()],
      [ours.as2D(3, 1), theirs.as2D(3, 1)],
      [ours.clone(), theirs.clone()],
      [tf.scalar(4).expandDims(), tfjs.scalar(4).expandDims()],
      [tf.tensor([4]).asScalar(), tfjs.tensor([4]).asScalar()],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expect(a.arraySync()).toEqual(b.arraySync());
    }
  });

  test('ops accept plain arrays', () => {
    expect(tf.argMax([[1, 5], [7, 2]], 1).arraySync()).toEqual([1, 0]);
    expect(tf.cast([1.9], 'int32').arraySync()).toEqual([1]);
  });
});

describe('bad input throws helpful errors', () => {
  test.each([
    [() => tf.tensor2d([[1, 2], [3, 4, 5]]), /^tensor2d: values is ragged: row 1 has 3 entries, expected 2$/],
    [() => tf.tensor([[1, 2], 3]), /tensor: values is ragged: row 1 is number 3, expected an array of 2 entries/],
    [() => tf.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]), /tensor: values is ragged: values\[1\]\[1\] has 1 entry, expected 2/],
    [() => tf.tensor([1, [2]]), /tensor: values is ragged: values\[1\] is an array, expected a number/],
    [() => tf.tensor([1, 2, 3, 4, 5], [2, 3]), /^tensor: shape \[2,3\] needs 6 values but values has 5$/],
    [() => tf.tensor2d([1, 2, 3], [2, 2]), /tensor2d: shape \[2,2\] needs 4 values but values has 3/],
    [() => tf.tensor([[1, 2], [3, 4]], [4]), /tensor: values has shape \[2,2\], which does not match shape \[4\]/],
    [() => tf.tensor([1, 'a']), /tensor: values\[1\] must be a number or boolean, got string "a"/],
    [() => tf.tensor([[1, null]]), /tensor: values\[0\]\[1\] must be a number or boolean, got null/],
    [() => tf.tensor('abc'), /tensor: values must be a number, boolean, \(nested\) array or TypedArray, got string "abc"/],
    [() => tf.tensor({ a: 1 }), /tensor: values must be .* got an object/],
    [() => tf.tensor([1], [1], 'float16'), /tensor: dtype must be 'float32', 'int32' or 'bool', got string "float16"/],
    [() => tf.tensor([1], [1], 'string'), /tensor: dtype must be/],
    [() => tf.tensor([1, 2], [2, -1]), /tensor: shape must be an array of non-negative integers, got \[2,-1\]/],
    [() => tf.tensor([1, 2], [1.5]), /tensor: shape must be an array of non-negative integers/],
    [() => tf.tensor1d([[1]]), /tensor1d: values must be a flat array or TypedArray, got a 2-D nested array/],
    [() => tf.tensor1d(3), /tensor1d: values must be a flat array or TypedArray, got a number/],
    [() => tf.tensor2d([1, 2, 3, 4]), /tensor2d: shape is required when values is a flat array or TypedArray/],
    [() => tf.tensor2d([1, 2, 3, 4], [4]), /tensor2d: shape must have 2 dimensions, got \[4\]/],
    [() => tf.tensor2d([[[1]]]), /tensor2d: values must be a 2-D nested array, or a flat array or TypedArray with a shape; got a 3-D nested array/],
    [() => tf.scalar([1]), /scalar: value must be a number or boolean, got \[1\]/],
    [() => tf.zeros([2], 'complex64'), /zeros: dtype must be 'float32', 'int32' or 'bool', got string "complex64"/],
    [() => tf.ones(3), /ones: shape must be an array of non-negative integers, got number 3/],
    [() => tf.oneHot([1], 1), /oneHot: depth must be an integer >= 2, got number 1/],
    [() => tf.oneHot(tf.tensor([1]), 3), /oneHot: indices must be an int32 tensor, got a float32 tensor/],
    [() => tf.oneHot([1], 3, 'on'), /oneHot: onValue must be a number, got string "on"/],
    [() => tf.oneHot([[1], 2], 3), /oneHot: indices is ragged: row 1 is number 2/],
    [() => tf.tensor([1, 2, 3, 4]).reshape([3]), /reshape: cannot reshape a tensor of shape \[4\] \(4 values\) into shape \[3\] \(3 values\)/],
    [() => tf.tensor([1, 2, 3, 4]).reshape([3, -1]), /reshape: cannot infer the -1 in \[3,-1\] for a tensor of shape \[4\] \(4 values\)/],
    [() => tf.tensor([1, 2]).reshape([-1, -1]), /reshape: shape \[-1,-1\] may contain only one -1/],
    [() => tf.tensor([1, 2]).reshape([-2, -1]), /reshape: shape must be an array of non-negative integers \(and at most one -1\), got \[-2,-1\]/],
    [() => tf.tensor([1, 2]).cast('string'), /cast: dtype must be 'float32', 'int32' or 'bool', got string "string"/],
    [() => tf.tensor([[1, 2]]).argMax(2), /argMax: axis must be an integer in \[-2, 1\] for a tensor of rank 2, got number 2/],
    [() => tf.scalar(1).argMax(), /argMax: x must have rank >= 1, got a scalar/],
    [() => tf.tensor([[1, 2]]).squeeze([1]), /squeeze: cannot squeeze axis 1 of shape \[1,2\]: its size is 2, not 1/],
    [() => tf.tensor([1, 2]).expandDims(3), /expandDims: axis must be an integer in \[-2, 1\] for a tensor of rank 1, got number 3/],
    [() => tf.tensor([1, 2]).asScalar(), /asScalar: the tensor must have exactly 1 value, got shape \[2\] with 2/],
    [() => tf.keep([1]), /keep: expected a Tensor, got \[1\]/],
  ])('%#: %s', (fn, message) => {
    expect(fn).toThrow(message);
  });

  test('failed creation leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => tf.tensor([[1], [2, 3]])).toThrow(/ragged/);
    expect(() => tf.oneHot([1, 'x'], 3)).toThrow(/indices\[1\] must be a number/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('disposed tensors', () => {
  const uses = {
    dataSync: t => t.dataSync(),
    arraySync: t => t.arraySync(),
    toString: t => t.toString(),
    print: t => t.print(),
    reshape: t => t.reshape([2]),
    argMax: t => t.argMax(),
    cast: t => t.cast('int32'),
    toInt: t => t.toInt(),
    clone: t => t.clone(),
    squeeze: t => t.squeeze(),
    expandDims: t => t.expandDims(),
    flatten: t => t.flatten(),
    as2D: t => t.as2D(1, 2),
    dataRef: t => t.dataRef(),
    tfReshape: t => tf.reshape(t, [2]),
    oneHot: t => tf.oneHot(t, 3),
  };

  test.each(Object.keys(uses))('%s throws like TF.js', (name) => {
    const t = tf.tensor([1, 0], [2], 'int32');
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => uses[name](t)).toThrow(/^Tensor is disposed\.$/);
  });

  test('data() and array() reject', async () => {
    const t = tf.tensor([1]);
    t.dispose();
    await expect(t.data()).rejects.toThrow('Tensor is disposed.');
    await expect(t.array()).rejects.toThrow('Tensor is disposed.');
  });

  test('metadata stays readable and a second dispose is a no-op', () => {
    const t = tf.tensor([1, 2]);
    t.dispose();
    const before = tf.memory();
    t.dispose();
    expect(tf.memory()).toEqual(before);
    expect(t.shape).toEqual([2]);
    expect(t.size).toBe(2);
  });

  test('disposing one view keeps a reshaped view alive', () => {
    const a = tf.tensor([1, 2, 3, 4]);
    const b = a.reshape([2, 2]);
    a.dispose();
    expect(b.arraySync()).toEqual([[1, 2], [3, 4]]);
  });
});

describe('memory tracking', () => {
  const counts = lib => {
    const { numTensors, numDataBuffers, numBytes } = lib.memory();
    return { numTensors, numDataBuffers, numBytes };
  };

  // Runs the same scenario on both libraries and compares the deltas.
  function sameDeltas(scenario) {
    const deltas = [tf, tfjs].map((lib) => {
      const before = counts(lib);
      scenario(lib);
      const after = counts(lib);
      return Object.fromEntries(Object.keys(after).map(k => [k, after[k] - before[k]]));
    });
    expect(deltas[0]).toEqual(deltas[1]);
    return deltas[0];
  }

  test('memory() shape', () => {
    expect(Object.keys(tf.memory()).sort()).toEqual(
      ['numBytes', 'numDataBuffers', 'numTensors', 'unreliable']);
    expect(tf.memory().unreliable).toBe(false);
  });

  test('creation, views and dispose count like TF.js', () => {
    const delta = sameDeltas((lib) => {
      const a = lib.tensor([1, 2, 3, 4]);
      a.reshape([2, 2]);
      a.clone();
      a.flatten();
      lib.tensor([true, false]);
      lib.tensor([1, 2], [2], 'int32').dispose();
      lib.zeros([3]).dispose();
      a.argMax();
    });
    expect(delta).toEqual({ numTensors: 6, numDataBuffers: 3, numBytes: 4 * 16 + 2 + 4 });
  });

  test('tidy disposes intermediates like TF.js', () => {
    sameDeltas((lib) => {
      const kept = lib.tidy(() => {
        const x = lib.tensor([1, 2]);
        const y = x.reshape([2, 1]);
        const z = lib.keep(lib.tensor([3]));
        lib.tensor([4]);
        return { y, list: [z, lib.scalar(5)], n: 3 };
      });
      expect(kept.y.isDisposed).toBe(false);
      expect(kept.list[1].isDisposed).toBe(false);
    });
  });

  test('tidy returns the result and disposes the rest', () => {
    const before = tf.memory().numTensors;
    let inner;
    const out = tf.tidy(() => {
      inner = tf.tensor([1, 2]);
      return inner.reshape([1, 2]);
    });
    expect(inner.isDisposed).toBe(true);
    expect(out.arraySync()).toEqual([[1, 2]]);
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  test('nested tidy hands results to the outer scope', () => {
    const before = tf.memory().numTensors;
    let fromInner;
    tf.tidy('outer', () => {
      fromInner = tf.tidy('inner', () => tf.tensor([1]));
      expect(fromInner.isDisposed).toBe(false);
      return null;
    });
    expect(fromInner.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('tensors from outside a tidy survive it', () => {
    const outside = tf.tensor([1]);
    tf.tidy(() => outside.reshape([1, 1]));
    tf.tidy(() => [outside]);
    expect(outside.isDisposed).toBe(false);
  });

  test('keep survives every enclosing tidy', () => {
    let kept;
    tf.tidy(() => tf.tidy(() => { kept = tf.keep(tf.tensor([1])); }));
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
  });

  test('a throwing tidy still cleans up', () => {
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => {
      tf.tensor([1]);
      throw new Error('boom');
    })).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('returning a Promise from tidy throws', () => {
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => {
      tf.tensor([1]);
      return Promise.resolve(1);
    })).toThrow(/^Cannot return a Promise inside of tidy\.$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('tidy argument errors match TF.js', () => {
    const calls = [[], [1], [() => 1, () => 1], ['name', 1]];
    for (const args of calls) {
      let expected;
      try { tfjs.tidy(...args); } catch (e) { expected = e.message; }
      expect(expected).toBeDefined();
      expect(() => tf.tidy(...args)).toThrow(expected);
    }
  });

  test('dispose() walks tensors, arrays and objects', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor([1]);
    const b = tf.tensor([2]);
    const c = tf.tensor([3]);
    tf.dispose({ a, rest: [b, { c }], other: 'x' });
    tf.dispose(tf.scalar(1));
    tf.dispose(null);
    expect([a, b, c].every(t => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('garbage-collected tensors stop counting', () => {
    // Needs --expose-gc, so run it in a child process.
    const script = `
      const tf = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'tensor'))});
      (function make() { for (let i = 0; i < 1000; i++) tf.tensor([i, i]).reshape([2, 1]); })();
      const kept = tf.tensor([1, 2, 3]);
      const made = tf.memory().numTensors;
      (async () => {
        for (let i = 0; i < 50 && tf.memory().numTensors > 1; i++) {
          global.gc();
          await new Promise(r => setTimeout(r, 10));
        }
        console.log(JSON.stringify({ made, after: tf.memory(), keptOk: kept.size === 3 }));
      })();`;
    const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out);
    expect(result.made).toBe(2001);
    expect(result.after).toEqual({ numTensors: 1, numDataBuffers: 1, numBytes: 12, unreliable: false });
    expect(result.keptOk).toBe(true);
  });
});
