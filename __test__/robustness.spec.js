'use strict';
// No input crashes Node: every public entry point given odd values either works or throws an
// ordinary Error (a crash would take the test worker down). Values are tried exhaustively over a
// small grid rather than at random, so that a failure is repeatable.
const tf = require('..');

const ODD = [undefined, null, NaN, -1, 0, 0.5, 1e12, Infinity, '', 'relu', true, [], [[]], [1, [2]], {}, { units: -1 },
  () => 1, Symbol('s'), new Float32Array(3), new Float64Array(2), BigInt(3), tf.scalar(1)];

function survives(fn) {
  try {
    const out = fn();
    if (out && typeof out.then === 'function') return out.then(() => 'ok', e => check(e));
    return 'ok';
  } catch (e) {
    return check(e);
  }
}

function check(e) {
  expect(e).toBeDefined();
  expect(typeof e.message).toBe('string');
  return 'error';
}

function compiledModel() {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

test('tensor factories and ops', async () => {
  for (const v of ODD) {
    for (const f of [tf.tensor, tf.tensor1d, tf.tensor2d, tf.scalar, tf.zeros, tf.ones, x => tf.oneHot(x, 3), x => tf.oneHot(tf.tensor1d([0, 1], 'int32'), x),
      x => tf.tensor([1, 2]).reshape(x), x => tf.tensor([1, 2]).cast(x), x => tf.tensor2d([[1, 2]]).argMax(x), tf.memory, x => tf.tidy(x), tf.dispose,
      x => tf.add(tf.tensor([1, 2]), x), x => tf.sum(tf.tensor([1, 2]), x), x => tf.slice(tf.tensor([1, 2]), x), x => tf.concat(x)]) {
      await survives(() => f(v));
    }
  }
});

test('layers, initializers, regularizers, optimizers', async () => {
  for (const v of ODD) {
    for (const f of [tf.layers.dense, tf.layers.dropout, tf.layers.activation, tf.layers.concatenate, tf.input, tf.sequential, tf.model,
      x => tf.layers.dense({ units: 2, activation: x }), x => tf.layers.dense({ units: 2, kernelInitializer: x }), x => tf.layers.dense({ units: x, inputShape: [2] }),
      x => tf.layers.dense({ units: 2, inputShape: x }), x => tf.layers.dense({ units: 2, kernelRegularizer: x }), tf.initializers.randomNormal,
      tf.initializers.constant, tf.regularizers.l1l2, tf.train.sgd, x => tf.train.adam(x), x => tf.train.rmsprop(0.1, x)]) {
      await survives(() => f(v));
    }
  }
});

test('model calls', async () => {
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
  for (const v of ODD) {
    const model = compiledModel();
    for (const f of [
      a => model.compile(a), a => model.compile({ optimizer: a, loss: 'mse' }), a => model.compile({ optimizer: 'sgd', loss: a }),
      a => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: a }), a => model.compile({ optimizer: 'sgd', loss: 'mse', taskWeighting: a }),
      a => model.predict(a), a => model.predict(x, { batchSize: a }), a => model.evaluate(a, y), a => model.evaluate(x, a),
      a => model.fit(a, y, { verbose: 0 }), a => model.fit(x, a, { verbose: 0 }), a => model.fit(x, y, a), a => model.fit(x, y, { epochs: 1, batchSize: a, verbose: 0 }),
      a => model.fit(x, y, { epochs: 1, verbose: 0, validationSplit: a }), a => model.fit(x, y, { epochs: 1, verbose: 0, classWeight: a }),
      a => model.fit(x, y, { epochs: 1, verbose: 0, sampleWeight: a }), a => model.fit(x, y, { epochs: 1, verbose: 0, callbacks: a }),
      a => model.fit(x, y, { epochs: 1, verbose: 0, validationData: a }), a => model.setWeights(a), a => model.getLayer(a),
      a => model.trainOnBatch(a, y), a => model.summary(a, undefined, () => {}), a => (typeof a === 'string' ? null : model.save(a)),
    ]) {
      await survives(() => f(v));
    }
    // The model still works afterwards.
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(model.predict(x).shape).toEqual([2, 3]);
  }
});
