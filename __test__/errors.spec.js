'use strict';
// Bad input: each case gets an Error whose message names the argument, what was expected and
// what came; nothing crashes Node; a failed call leaves the model exactly as it was.
const tf = require('..');

function irisLikeModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 10, activation: 'relu', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

const x = tf.tensor2d([[5.1, 3.5, 1.4, 0.2], [6.9, 3.1, 5.4, 2.1], [5.9, 3.0, 5.1, 1.8]]);
const y = tf.tensor2d([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);

function compiled() {
  const model = irisLikeModel();
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const snapshot = (model) => model.getWeights().map(w => Array.from(w.dataSync()));

describe('layer arguments', () => {
  test.each([[0], [-3], [2.5], ['ten'], [undefined]])('units %p is rejected', (units) => {
    expect(() => tf.layers.dense({ units })).toThrow(/dense: units must be a positive integer but got/);
  });
  test('unknown activation names the bad one and lists the valid ones', () => {
    expect(() => tf.layers.dense({ units: 2, activation: 'rleu' })).toThrow(/Unknown activation 'rleu'\. Expected one of: elu, hardSigmoid, linear, relu/);
    expect(() => tf.layers.activation({ activation: 'Relu' })).toThrow(/Unknown activation 'Relu'/);
  });
  test('unknown initializer', () => {
    expect(() => tf.layers.dense({ units: 2, kernelInitializer: 'glorot' })).toThrow(/Unknown initializer 'glorot'\. Expected one of: zeros, ones, .*glorotNormal/);
  });
  test('unknown regularizer', () => {
    expect(() => tf.layers.dense({ units: 2, kernelRegularizer: 'l3' })).toThrow(/Unknown regularizer 'l3'\. Expected one of: l1, l2, l1l2/);
  });
  test('dropout rate outside [0, 1)', () => {
    expect(() => tf.layers.dropout({ rate: 1.5 })).toThrow(/dropout 'dropout_Dropout\d+': rate must be in \[0, 1\) but got 1.5/);
    expect(() => tf.layers.dropout({ rate: NaN })).toThrow(/dropout 'dropout_Dropout\d+': rate must be a finite number but got NaN/);
  });
  test('first Sequential layer without an input shape', () => {
    expect(() => tf.sequential().add(tf.layers.dense({ units: 2 }))).toThrow(/first layer in a Sequential model must get an `inputShape`/);
  });
  test('a layer too large for memory is an error, not a crash, and the model is unchanged', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 100000, inputShape: [3] }));
    const before = snapshot(model);
    // 100 000 × 10 000 000 float32 values: 4 TB.
    expect(() => model.add(tf.layers.dense({ units: 10000000 }))).toThrow(/a kernel of 100000×10000000 values is too large to allocate/);
    const big = tf.input({ shape: [100000] });
    expect(() => tf.model({ inputs: big, outputs: tf.layers.dense({ units: 10000000 }).apply(big) })).toThrow(/a kernel of 100000×10000000 values is too large to allocate/);
    expect(model.layers.length).toBe(1);
    expect(snapshot(model)).toEqual(before);
  });
  test('inputShape with more than one dimension', () => {
    expect(() => tf.layers.dense({ units: 2, inputShape: [2, 3] })).toThrow(/inputShape must be \[features\].*but got \[2,3\]/);
  });
});

describe('compile arguments', () => {
  test('unknown loss names the bad one and lists the valid ones', () => {
    const model = irisLikeModel();
    expect(() => model.compile({ optimizer: 'sgd', loss: 'crossEntropy' })).toThrow(/Unknown loss 'crossEntropy'\. Expected one of: meanSquaredError, .*categoricalCrossentropy/);
  });
  test('unknown optimizer', () => {
    expect(() => irisLikeModel().compile({ optimizer: 'nadam', loss: 'meanSquaredError' })).toThrow(/Unknown optimizer 'nadam'\. Expected one of: sgd, adam, adamw, adamax, rmsprop, adagrad, adadelta/);
  });
  test('unknown metric', () => {
    expect(() => irisLikeModel().compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['f1'] })).toThrow(/Unknown metric 'f1'\. Expected one of: accuracy, acc, /);
  });
  test('lossWeights must be finite numbers >= 0', () => {
    const compileWith = (lossWeights) => () => irisLikeModel().compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights });
    expect(compileWith([-1])).toThrow(/^compile: lossWeights for output 'dense_Dense\d+' must be a finite number >= 0 but got -1$/);
    expect(compileWith([NaN])).toThrow(/^compile: lossWeights for output 'dense_Dense\d+' must be a finite number but got NaN$/);
  });
  test('a failed compile keeps the previous compilation', async () => {
    const model = compiled();
    expect(() => model.compile({ optimizer: 'sgd', loss: 'nope' })).toThrow(/Unknown loss 'nope'/);
    expect(model.metricsNames).toEqual(['loss', 'acc']);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).resolves.toBeDefined();
  });
});

describe('tensor constructors', () => {
  test('ragged nested arrays', () => {
    expect(() => tf.tensor2d([[1, 2], [3, 4, 5]])).toThrow(/tensor2d: values is ragged: row 1 has 3 entries, expected 2/);
  });
  test('values that do not fill the shape', () => {
    expect(() => tf.tensor([1, 2, 3, 4, 5], [2, 3])).toThrow(/tensor: shape \[2,3\] needs 6 values but values has 5/);
  });
});

describe('fit data', () => {
  test('NaN in x names row and column', async () => {
    const model = compiled();
    const bad = tf.tensor2d([[5.1, 3.5, 1.4, 0.2], [6.9, NaN, 5.4, 2.1], [5.9, 3.0, 5.1, 1.8]]);
    await expect(model.fit(bad, y, { verbose: 0 })).rejects.toThrow('fit: x must hold finite numbers, but row 1, column 1 is NaN');
  });
  test('Infinity in y names row and column', async () => {
    const model = compiled();
    const bad = tf.tensor2d([[1, 0, 0], [0, 0, 1], [0, Infinity, 0]]);
    await expect(model.fit(x, bad, { verbose: 0 })).rejects.toThrow('fit: y must hold finite numbers, but row 2, column 1 is Infinity');
  });
  test('x and y row counts differ', async () => {
    await expect(compiled().fit(x, y.reshape([3, 3]).arraySync().slice(0, 2), { verbose: 0 })).rejects.toThrow(/fit: y has 2 row\(s\) but x has 3/);
  });
  test('feature width differs from the input shape', async () => {
    const wide = tf.tensor2d([[1, 2, 3, 4, 5]]);
    await expect(compiled().fit(wide, tf.tensor2d([[1, 0, 0]]), { verbose: 0 })).rejects.toThrow(/^fit: x: expected dense_Dense\d+_input to have shape \[null,4\] but got array with shape \[1,5\]$/);
    expect(() => compiled().predict(wide)).toThrow(/^predict: x: expected dense_Dense\d+_input to have shape \[null,4\] but got array with shape \[1,5\]$/);
    // A 1-D tensor is one column of rows, as in TF.js; the message says so in shapes.
    expect(() => compiled().predict(tf.tensor1d([1, 2, 3, 4]))).toThrow(
      /^predict: x: expected dense_Dense\d+_input to have shape \[null,4\] but got a 1-D tensor of shape \[4\], which is read as 4 row\(s\) of 1 value \(shape \[4,1\]\); one example of 4 values is a 2-D tensor of shape \[1,4\]/);
  });
  test('label width differs from the output units', async () => {
    await expect(compiled().fit(x, tf.tensor2d([[1, 0], [0, 1], [1, 0]]), { verbose: 0 })).rejects.toThrow(/^fit: y: expected dense_Dense\d+ to have shape \[null,3\] but got array with shape \[3,2\] \(3 unit\(s\)\)$/);
  });
  test('fit and evaluate before compile', async () => {
    const model = irisLikeModel();
    await expect(model.fit(x, y)).rejects.toThrow('You must compile a model before training/testing. Use LayersModel.compile(modelCompileArgs).');
    expect(() => model.evaluate(x, y)).toThrow('You must compile a model before training/testing.');
  });
  test.each([[0], [-1], [1.5]])('batchSize %p', async (batchSize) => {
    await expect(compiled().fit(x, y, { batchSize, verbose: 0 })).rejects.toThrow(`fit: batchSize must be a positive integer but got ${batchSize}`);
  });
  test('epochs < 0', async () => {
    await expect(compiled().fit(x, y, { epochs: -1, verbose: 0 })).rejects.toThrow('fit: epochs must be a non-negative integer but got -1');
  });
  test.each([[1], [-0.1], [2]])('validationSplit %p', async (validationSplit) => {
    await expect(compiled().fit(x, y, { validationSplit, verbose: 0 })).rejects.toThrow(`fit: validationSplit must be in [0, 1) but got ${validationSplit}`);
  });
  test('validationSplit NaN', async () => {
    await expect(compiled().fit(x, y, { validationSplit: NaN, verbose: 0 })).rejects.toThrow('fit: validationSplit must be a finite number but got NaN');
  });
  test('classWeight: keys must be class indices, weights finite numbers', async () => {
    await expect(compiled().fit(x, y, { classWeight: { a: 1 }, verbose: 0 })).rejects.toThrow("fit: classWeight keys must be class indices (0, 1, ...) but got 'a'");
    await expect(compiled().fit(x, y, { classWeight: { 0: NaN }, verbose: 0 })).rejects.toThrow('fit: classWeight for class 0 must be a finite number but got NaN');
  });
  test('a failed fit leaves the weights unchanged and the model trainable', async () => {
    const model = compiled();
    const before = snapshot(model);
    const bad = tf.tensor2d([[1, 2, 3, NaN], [1, 2, 3, 4], [1, 2, 3, 4]]);
    await expect(model.fit(bad, y, { verbose: 0 })).rejects.toThrow(/row 0, column 3 is NaN/);
    await expect(model.fit(x, y, { batchSize: 0, verbose: 0 })).rejects.toThrow(/batchSize/);
    expect(snapshot(model)).toEqual(before);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(snapshot(model)).not.toEqual(before);
  });
});

describe('setWeights', () => {
  test('wrong count', () => {
    expect(() => compiled().setWeights([tf.zeros([4, 10])])).toThrow('setWeights: the model has 4 weight(s) but 1 were given');
  });
  test('wrong shape names the weight and both shapes, and changes nothing', () => {
    const model = compiled();
    const before = snapshot(model);
    const weights = model.getWeights();
    weights[2] = tf.zeros([3, 10]);
    expect(() => model.setWeights(weights)).toThrow(/setWeights: weight dense_Dense\d+\/kernel has shape \[10,3\] but the tensor given for it has shape \[3,10\]/);
    expect(snapshot(model)).toEqual(before);
  });
});

describe('training runs', () => {
  test('a second fit while one runs', async () => {
    const model = compiled();
    const first = model.fit(x, y, { epochs: 50, verbose: 0, callbacks: { onEpochEnd: async () => {} } });
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow('Cannot start training because another fit() call is ongoing.');
    await first;
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).resolves.toBeDefined();
  });
  test('a callback that throws rejects fit with that error, and the model can train again', async () => {
    const model = compiled();
    const boom = new Error('callback failed on purpose');
    await expect(model.fit(x, y, { epochs: 3, verbose: 0, callbacks: { onEpochEnd: () => { throw boom; } } })).rejects.toBe(boom);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: async () => { throw boom; } } })).rejects.toBe(boom);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).resolves.toBeDefined();
  });
  test('a panic in Rust becomes a JavaScript error', () => {
    const native = require('../lib/native');
    expect(() => native.__panicForTests()).toThrow(/deliberate panic for tests/);
  });
});
