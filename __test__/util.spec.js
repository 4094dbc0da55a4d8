'use strict';
// tf.util and tf.test_util: the same results and messages as @tensorflow/tfjs's, and the calls the
// public tfjs-examples programs make (iris, boston-housing, abalone-node) working as written.
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();

function outcome(f) {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e.message };
  }
}

describe('tf.util', () => {
  test('has every helper of TF.js\'s tf.util except the string/complex/WebGL internals', () => {
    const internal = ['fingerPrint64', 'hexToLong', 'convertBackendValuesAndArrayBuffer', 'checkConversionForErrors', 'hasEncodingLoss', 'bytesFromStringArray',
      'createScalarValue', 'toTypedArray'];
    expect(Object.keys(tfjs.util).filter(k => !internal.includes(k)).filter(k => !(k in tf.util))).toEqual([]);
  });

  // [name, args]: each call gives what TF.js gives (value or message).
  const CALLS = [
    ['assert', [true, 'never']], ['assert', [false, 'kernel must be a array of length 12, got 3']], ['assert', [false, () => 'lazy message']],
    ['sizeFromShape', [[2, 3, 4]]], ['sizeFromShape', [[]]], ['sizeFromShape', [[5, 0]]],
    ['flatten', [[[1, [2, 3]], [[4]], 5]]], ['flatten', [[new Float32Array([1, 2]), [3]]]], ['flatten', [[new Float32Array([1, 2])], [], true]],
    ['isTypedArray', [new Float32Array(1)]], ['isTypedArray', [new Int32Array(1)]], ['isTypedArray', [new Uint8Array(1)]], ['isTypedArray', [new Float64Array(1)]], ['isTypedArray', [[1]]],
    ['arraysEqual', [[1, 2], [1, 2]]], ['arraysEqual', [[1, 2], [1, 3]]], ['arraysEqualWithNull', [[null, 2], [5, 2]]],
    ['assertShapesMatch', [[1, 2], [2, 1], 'prefix:']], ['assertNonNull', [null]], ['assertNonNegativeIntegerDimensions', [[2, -1]]],
    ['isInt', [3]], ['isInt', [3.5]], ['isString', ['a']], ['isBoolean', [false]], ['isNumber', [NaN]], ['isFunction', [() => 1]], ['isScalarShape', [[]]],
    ['isValidDtype', ['float32']], ['isValidDtype', ['float64']], ['inferDtype', [[[true]]]], ['inferDtype', [new Int32Array(1)]], ['inferDtype', [['a']]],
    ['clamp', [0, 5, 3]], ['computeStrides', [[2, 3, 4]]], ['locToIndex', [[1, 2, 3], 3, [12, 4]]], ['indexToLoc', [23, 3, [12, 4]]],
    ['toNestedArray', [[2, 2], [1, 2, 3, 4]]], ['toNestedArray', [[3], [1, 2]]], ['makeZerosNestedTypedArray', [[2, 1], 'int32']],
    ['parseAxisParam', [-1, [2, 3]]], ['parseAxisParam', [2, [2, 3]]], ['squeezeShape', [[1, 3, 1, 2]]], ['squeezeShape', [[1, 3], [1]]],
    ['inferFromImplicitShape', [[-1, 3], 12]], ['inferFromImplicitShape', [[-1, -1], 12]], ['inferFromImplicitShape', [[5, 3], 12]],
    ['bytesPerElement', ['bool']], ['bytesPerElement', ['float64']], ['getTypedArrayFromDType', ['int32', 3]], ['makeOnesTypedArray', [3, 'float32']],
    ['makeZerosTypedArray', [2, 'bool']], ['getArrayFromDType', ['uint8', 1]], ['nearestDivisor', [12, 5]], ['nearestLargerEven', [7]],
    ['sizeToSquarishShape', [10]], ['sum', [[1, 2, 3.5]]], ['distSquared', [[1, 2], [4, 6]]], ['tanh', [0.5]], ['rightPad', ['ab', 4]],
    ['encodeString', ['héllo']], ['decodeString', [new Uint8Array([104, 195, 169])]],
  ];
  test.each(CALLS.map(([name, args], i) => [name, i, args]))('%s (call %i)', (name, i, args) => {
    const theirs = outcome(() => tfjs.util[name](...args));
    const mine = outcome(() => tf.util[name](...args));
    expect(mine).toEqual(theirs);
  });

  test('now() is a millisecond clock; shuffle, shuffleCombo and createShuffledIndices permute', async () => {
    const t0 = tf.util.now();
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(tf.util.now() - t0).toBeGreaterThanOrEqual(15);
    const idx = tf.util.createShuffledIndices(30);
    expect(idx).toBeInstanceOf(Uint32Array);
    expect([...idx].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    const a = [...Array(30).keys()];
    const b = a.map(v => v * 10);
    tf.util.shuffleCombo(a, b);
    expect(b).toEqual(a.map(v => v * 10));
    expect(outcome(() => tf.util.shuffleCombo([1], [1, 2]))).toEqual(outcome(() => tfjs.util.shuffleCombo([1], [1, 2])));
  });

  test('isPromise and repeatedTry', async () => {
    expect(Boolean(tf.util.isPromise(Promise.resolve()))).toBe(true);
    expect(Boolean(tf.util.isPromise({}))).toBe(false);
    let n = 0;
    await tf.util.repeatedTry(() => ++n === 3);
    expect(n).toBe(3);
    await expect(tf.util.repeatedTry(() => false, () => 0, 2)).rejects.toBeUndefined();
  });
});

describe('tf.test_util', () => {
  test('has TF.js\'s assertion helpers (not the browser video ones)', () => {
    const browserOnly = ['createVideoElement', 'play'];
    expect(Object.keys(tfjs.test_util).filter(k => !browserOnly.includes(k)).filter(k => !(k in tf.test_util))).toEqual([]);
  });

  const CALLS = [
    ['expectArraysClose', [[1, 2, 3], [1, 2, 3.0009]]], ['expectArraysClose', [[1, 2, 3], [1, 2, 3.01]]], ['expectArraysClose', [[1, 2], [1, 2, 3]]],
    ['expectArraysClose', [[[1, 2]], [1, 2]]], ['expectArraysClose', [new Float32Array([1, NaN]), [1, NaN]]], ['expectArraysClose', [[1, Infinity], [1, -Infinity]]],
    ['expectArraysClose', [new Float32Array([1]), new Int32Array([1])]], ['expectArraysClose', [[1, 2.05], [1, 2], 0.1]], ['expectArraysClose', [5, 5.01]],
    ['expectArraysEqual', [[1, 2], [1, 2]]], ['expectArraysEqual', [[1, 2], [1, 2.0001]]], ['expectArraysEqual', [['a', 'b'], ['a', 'b']]], ['expectArraysEqual', [[3], 3]],
    ['expectNumbersClose', [1, 1.0005]], ['expectNumbersClose', [1, 1.5]], ['expectNumbersClose', [1, 1.5, 1]],
    ['expectValuesInRange', [[1, 2, 3], 0, 2]], ['expectValuesInRange', [new Float32Array([0.5]), 0, 1]],
    ['expectArrayBuffersEqual', [new Float32Array([1, 2]).buffer, new Float32Array([1, 2]).buffer]], ['expectArrayBuffersEqual', [new Float32Array([1, 2]).buffer, new Float32Array([1, 3]).buffer]],
    ['testEpsilon', []],
  ];
  // TF.js calls jasmine's expect().nothing(), which jest does not have: hide jest's expect from it.
  const withoutJestExpect = (f) => {
    const saved = global.expect;
    delete global.expect;
    try {
      return outcome(f);
    } finally {
      global.expect = saved;
    }
  };
  test.each(CALLS.map(([name, args], i) => [name, i, args]))('%s (call %i) passes or fails as in TF.js, with its message', (name, i, args) => {
    const theirs = withoutJestExpect(() => tfjs.test_util[name](...args));
    expect(outcome(() => tf.test_util[name](...args))).toEqual(theirs);
  });

  test('tensors are compared by shape and values (TF.js passes any two tensors)', () => {
    expect(() => tf.test_util.expectArraysClose(tf.tensor1d([1, 2]), tf.tensor1d([1, 2.0001]))).not.toThrow();
    expect(() => tf.test_util.expectArraysClose(tf.tensor1d([1, 2]), tf.tensor1d([1, 3]))).toThrow('Arrays differ: actual[1] = 2, expected[1] = 3.');
    expect(() => tf.test_util.expectArraysClose(tf.tensor1d([1, 2]), tf.tensor2d([[1, 2]]))).toThrow('Tensors have different shapes. Actual: [2]. Expected: [1,2]');
    expect(() => tf.test_util.expectArraysClose(tf.tensor1d([1, 2]), [1, 2])).not.toThrow();
    expect(() => tf.test_util.expectArraysEqual(tf.tensor1d([1, 2], 'int32'), [1, 3])).toThrow('Arrays differ');
    expect(withoutJestExpect(() => tfjs.test_util.expectArraysClose(tfjs.tensor1d([1, 2]), tfjs.tensor1d([1, 3])))).toEqual({ value: undefined });
  });

  test('expectPromiseToFail calls done on rejection and done.fail on resolution', async () => {
    const calls = [];
    const done = () => calls.push('done');
    done.fail = () => calls.push('fail');
    tf.test_util.expectPromiseToFail(() => Promise.reject(new Error('x')), done);
    tf.test_util.expectPromiseToFail(() => Promise.resolve(), done);
    await new Promise(resolve => setImmediate(resolve));
    expect(calls.sort()).toEqual(['done', 'fail']);
  });
});

// The calls of three programs from the public tfjs-examples repository, in their own shapes
// (their data is made here; the programs themselves are not copied).
describe('what the tfjs-examples programs use', () => {
  test('iris: shuffle indices, tensor2d, oneHot(tensor1d().toInt()), slice, concat in tidy, adam, fit with validationData, argMax(-1)', async () => {
    const rows = [0, 1, 2].flatMap(c => Array.from({ length: 10 }, (_, i) => [4 + c + i / 10, 3 - c / 2, 1 + 2 * c, c / 2 + i / 50, c]));
    const [xTrain, yTrain, xTest, yTest] = tf.tidy(() => {
      const indices = [...Array(rows.length).keys()];
      tf.util.shuffle(indices);
      const data = indices.map(i => rows[i].slice(0, 4));
      const targets = indices.map(i => rows[i][4]);
      const xs = tf.tensor2d(data, [data.length, 4]);
      const ys = tf.oneHot(tf.tensor1d(targets).toInt(), 3);
      const nTest = Math.round(data.length * 0.15);
      const nTrain = data.length - nTest;
      return [xs.slice([0, 0], [nTrain, 4]), ys.slice([0, 0], [nTrain, 3]), xs.slice([nTrain, 0], [nTest, 4]), ys.slice([nTrain, 0], [nTest, 3])];
    });
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [xTrain.shape[1]] }));
    model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const logs = [];
    const begin = performance.now();
    await model.fit(xTrain, yTrain, { epochs: 5, verbose: 0, validationData: [xTest, yTest], callbacks: { onEpochEnd: async (epoch, l) => { logs.push(l); } } });
    expect(performance.now()).toBeGreaterThan(begin);
    expect(Object.keys(logs[4]).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(tf.concat([xTrain, xTest], 0).shape).toEqual([rows.length, 4]);
    const preds = tf.tidy(() => model.predict(xTest).argMax(-1));
    expect(preds.shape).toEqual([xTest.shape[0]]);
    const winner = model.predict(tf.tensor2d([rows[0].slice(0, 4)], [1, 4])).argMax(-1).dataSync()[0];
    expect([0, 1, 2]).toContain(winner);
    tf.dispose([preds, xTrain, yTrain]);
  });

  test('boston-housing: mean(0), sub, square, sqrt, div; summary; sgd; evaluate with batchSize; kernel data checked with tf.util.assert', async () => {
    const raw = tf.tensor2d(Array.from({ length: 40 }, (_, i) => Array.from({ length: 12 }, (__, j) => Math.sin(i * 0.7 + j) * (j + 1))));
    const target = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [20 + Math.cos(i)]));
    const dataMean = raw.mean(0);
    const dataStd = raw.sub(dataMean).square().mean(0).sqrt();
    const features = raw.sub(dataMean).div(dataStd);
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [12], units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }));
    model.add(tf.layers.dense({ units: 1 }));
    const printed = [];
    model.summary(undefined, undefined, line => printed.push(line));
    expect(printed.join('\n')).toMatch(/Total params: 701/);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    await model.fit(features, target, { batchSize: 40, epochs: 2, validationSplit: 0.2, verbose: 0 });
    const testLoss = model.evaluate(features, target, { batchSize: 40 }).dataSync()[0];
    expect(Number.isFinite(testLoss)).toBe(true);
    const kernel = await model.layers[0].getWeights()[0].data();
    expect(() => tf.util.assert(kernel.length == 12, `kernel must be a array of length 12, got ${kernel.length}`))  
      .toThrow('kernel must be a array of length 12, got 600');
    const baseline = target.sub(target.mean()).square().mean();
    expect(baseline.dataSync()[0]).toBeGreaterThan(0);
  });

  test('abalone-node: tf.data.csv with a label column mapped to numbers, fitDataset with validation data, model.inputs[0].shape, fit history, save + loadLayersModel round trip checked with tf.test_util.expectArraysClose', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [6], activation: 'sigmoid', units: 50 }));
    model.add(tf.layers.dense({ activation: 'sigmoid', units: 50 }));
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    expect(model.inputs[0].shape).toEqual([null, 6]);
    expect(model.outputs[0].shape).toEqual([null, 1]);
    const history = await model.fit(tf.ones([3, 6]), tf.ones([3, 1]), { epochs: 2, verbose: 0 });
    expect(history.history.loss.length).toEqual(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-abalone-'));
    try {
      // data.js: a CSV with a text column (sex) and a label column, mapped to numbers in JavaScript.
      const csv = path.join(dir, 'rows.csv');
      fs.writeFileSync(csv, 'sex,length,diameter,height,whole,shucked,viscera,shell,rings\nM,0.45,0.36,0.09,0.51,0.22,0.10,0.15,15\n' +
        'F,0.53,0.42,0.13,0.67,0.25,0.14,0.21,9\nI,0.33,0.25,0.08,0.20,0.08,0.03,0.05,7\nM,0.44,0.36,0.12,0.51,0.21,0.11,0.15,10\n');
      const dataset = tf.data.csv(`file://${csv}`, { hasHeader: true, columnConfigs: { rings: { isLabel: true } } });
      const numOfColumns = (await dataset.columnNames()).length - 1;
      const rows = dataset.map(({ xs, ys }) => ({ xs: Object.keys(xs).map(k => ({ F: 0, M: 1, I: 2 })[xs[k]] ?? Number(xs[k])), ys: [ys.rings] }));
      expect(numOfColumns).toBe(8);
      expect(await rows.take(1).toArray()).toEqual([{ xs: [1, 0.45, 0.36, 0.09, 0.51, 0.22, 0.10, 0.15], ys: [15] }]);
      const wide = tf.sequential({ layers: [tf.layers.dense({ inputShape: [numOfColumns], units: 4, activation: 'sigmoid' }), tf.layers.dense({ units: 1 })] });
      wide.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      const batched = rows.shuffle(1000).batch(2);
      const fitted = await wide.fitDataset(batched.take(1), { epochs: 2, verbose: 0, validationData: batched.skip(1) });
      expect(fitted.history.val_loss).toHaveLength(2);
      const feature = tf.ones([3, 6]);
      const y = model.predict(feature);
      await model.save(`file://${dir}`);
      const again = await tf.loadLayersModel(`file://${dir}/model.json`);
      const yPrime = again.predict([feature]);
      tf.test_util.expectArraysClose(yPrime, y);
      expect(() => tf.test_util.expectArraysClose(yPrime, y.add(1))).toThrow('Arrays differ');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
