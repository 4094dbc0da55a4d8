'use strict';
// Unsigned typed arrays convert by value. TF.js reads Int32Array, Uint8Array and Uint8ClampedArray
// as int32 and any other typed array nested in an array as float32 (it refuses those at the top
// level; here they are accepted there too, with the same dtype). A Uint32Array's 4294967295 is
// 4294967296 in float32 (the nearest float), never -1; into int32 it is refused, not wrapped.
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();

const contents = t => ({ dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) });

describe('dtype and values equal TF.js where TF.js accepts the array', () => {
  test.each([
    ['Uint8Array', () => new Uint8Array([255, 0, 7])],
    ['Uint8ClampedArray', () => new Uint8ClampedArray([255, 0, 7])],
    ['Int32Array', () => new Int32Array([-2147483648, 2147483647])],
  ])('top-level %s', (_, make) => {
    expect(contents(tf.tensor(make()))).toEqual(contents(tfjs.tensor(make())));
    expect(contents(tf.tensor(make(), undefined, 'float32'))).toEqual(contents(tfjs.tensor(make(), undefined, 'float32')));
  });

  test.each([
    ['Uint32Array', () => new Uint32Array([4294967295, 1])],
    ['Uint16Array', () => new Uint16Array([65535, 1])],
    ['Int16Array', () => new Int16Array([-32768, 1])],
    ['Int8Array', () => new Int8Array([-128, 1])],
    ['Float64Array', () => new Float64Array([1e-50, 3e9])],
  ])('%s nested in an array', (_, make) => {
    // Shapes differ: TF.js's shape inference stops at a kind it does not know and says [2] for
    // these 4 values; here the shape is [2, 2].
    const { dtype, values } = contents(tfjs.tensor([make(), make()]));
    expect(contents(tf.tensor([make(), make()]))).toEqual({ dtype, shape: [2, 2], values });
  });
});

describe('Uint32Array', () => {
  const big = () => new Uint32Array([4294967295, 2147483648, 1]);

  test('converts by value to float32 (its inferred dtype) and bool', () => {
    // Math.fround gives the float32 nearest to each value: 2^32 and 2^31.
    expect(contents(tf.tensor(big()))).toEqual({ dtype: 'float32', shape: [3], values: [4294967296, 2147483648, 1] });
    expect(contents(tf.tensor2d(big(), [3, 1], 'float32')).values).toEqual(Array.from(big(), Math.fround));
    expect(contents(tf.tensor(big(), undefined, 'bool')).values).toEqual([1, 1, 1]);
  });

  test('into int32: values up to 2147483647 convert, larger ones are refused with their position', () => {
    expect(contents(tf.tensor(new Uint32Array([2147483647, 0]), undefined, 'int32')).values).toEqual([2147483647, 0]);
    expect(() => tf.tensor(big(), undefined, 'int32')).toThrow(
      "tensor: values[0] is 4294967295, which does not fit in dtype 'int32' (at most 2147483647); use dtype 'float32' to keep its value");
    expect(() => tf.tensor2d([new Uint32Array([1, 2]), new Uint32Array([3, 2147483648])], undefined, 'int32')).toThrow(
      /^tensor2d: values\[1\]\[1\] is 2147483648, which does not fit in dtype 'int32'/);
  });

  test('predict and fit read the values, not their int32 wrap', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones' })] });
    // Kernel 1, bias 0: the prediction is the input as float32.
    expect(Array.from(model.predict(tf.tensor2d(big(), [3, 1])).dataSync())).toEqual([4294967296, 2147483648, 1]);
    // The loss of the first batch, before any step: mean((x - y)^2) on the values, where a wrap
    // to -1 would give ((1 - 3)^2 + (2 + 1)^2) / 2 = 6.5.
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const x = new Uint32Array([1, 2]);
    const y = new Uint32Array([3, 4294967295]);
    const h = await model.fit(tf.tensor2d(x, [2, 1]), tf.tensor2d(y, [2, 1]), { epochs: 1, verbose: 0 });
    const expected = ((1 - 3) ** 2 + (2 - 4294967296) ** 2) / 2;
    expect(Math.abs(h.history.loss[0] / expected - 1)).toBeLessThan(1e-6);
  });

  test('dataset batches of Uint32Array elements are float32 by value', async () => {
    const [batch] = await tf.data.array([new Uint32Array([4294967295]), new Uint32Array([5])]).batch(2).toArray();
    expect(contents(batch)).toEqual({ dtype: 'float32', shape: [2, 1], values: [4294967296, 5] });
  });
});
