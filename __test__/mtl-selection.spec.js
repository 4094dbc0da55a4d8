'use strict';
// Model selection in multi-task fits: per-output monitor keys for earlyStopping, and
// setLossWeights changing fixed weights mid-training without resetting the optimizer.
const tf = require('..');
const { seededValues } = require('./helpers/tfjs');

const N = 16;
const rows = (n, width, seed) => {
  const v = seededValues(n * width, seed, -1, 1);
  return Array.from({ length: n }, (_, r) => v.slice(r * width, (r + 1) * width));
};
const X = rows(N, 3, 5);
const Y = [X.map(r => [r[0] + r[1]]), X.map(r => [r[1] * r[2]])];

function twoHeads() {
  const input = tf.input({ shape: [3] });
  const init = seed => tf.initializers.glorotUniform({ seed });
  const trunk = tf.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: init(1), name: 'trunk' }).apply(input);
  const a = tf.layers.dense({ units: 1, kernelInitializer: init(2), name: 'a' }).apply(trunk);
  const b = tf.layers.dense({ units: 1, kernelInitializer: init(3), name: 'b' }).apply(trunk);
  return tf.model({ inputs: input, outputs: [a, b] });
}
const weightsOf = model => model.getWeights().map(w => Array.from(w.dataSync()));
const xs = () => tf.tensor2d(X);
const ys = () => Y.map(y => tf.tensor2d(y));

test("earlyStopping({monitor: 'val_<output>_loss'}) stops on that output's validation loss", async () => {
  const model = twoHeads();
  // A large learning rate so that output a's validation loss stops improving early.
  model.compile({ optimizer: tf.train.sgd(0.9), loss: 'meanSquaredError', lossWeights: [0.1, 1] });
  const h = await model.fit(xs(), ys(), {
    epochs: 40, batchSize: 4, shuffle: false, verbose: 0, validationData: [xs(), ys()],
    callbacks: [tf.callbacks.earlyStopping({ monitor: 'val_a_loss', patience: 0 })],
  });
  const v = h.history.val_a_loss;
  expect(v.every(Number.isFinite)).toBe(true);
  // patience 0: training stops after the first epoch whose val_a_loss is not below the best so far.
  let best = Infinity;
  let stopAfter = 40;
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] < best)) {
      stopAfter = i + 1;
      break;
    }
    best = v[i];
  }
  expect(stopAfter).toBeLessThan(40); // the scenario must exercise the stop
  expect(v.length).toBe(stopAfter);
});

test('objective and val_objective are the lossWeights-weighted sums of the per-output losses, whatever uncertainty weighting does', async () => {
  const model = twoHeads();
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError', lossWeights: [0.5, 2], taskWeighting: 'uncertainty' });
  const h = await model.fit(xs(), ys(), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, validationData: [xs(), ys()] });
  for (let e = 0; e < 3; e++) {
    expect(h.history.objective[e]).toBeCloseTo(0.5 * h.history.a_loss[e] + 2 * h.history.b_loss[e], 6);
    expect(h.history.val_objective[e]).toBeCloseTo(0.5 * h.history.val_a_loss[e] + 2 * h.history.val_b_loss[e], 6);
    // The logged loss uses the learned weights (and leaves out Σ s/2): another number.
    expect(Math.abs(h.history.loss[e] - h.history.objective[e])).toBeGreaterThan(1e-4);
  }
});

describe('setLossWeights', () => {
  const compile = (model, lossWeights) => model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError', lossWeights });
  const epochs = { batchSize: 4, shuffle: false, verbose: 0 };

  test('from a callback, it changes the weights and keeps Adam state: same as changing them between two fits', async () => {
    const fromCallback = twoHeads();
    compile(fromCallback, [1, 1]);
    await fromCallback.fit(xs(), ys(), {
      ...epochs, epochs: 2,
      callbacks: { onEpochEnd: epoch => { if (epoch === 0) fromCallback.setLossWeights({ a: 0.2, b: 3 }); } },
    });
    const between = twoHeads();
    compile(between, [1, 1]);
    await between.fit(xs(), ys(), { ...epochs, epochs: 1 });
    between.setLossWeights([0.2, 3]);
    await between.fit(xs(), ys(), { ...epochs, epochs: 1 });
    expect(weightsOf(fromCallback)).toEqual(weightsOf(between));

    // compile resets Adam's moments: the same weights by recompiling give another result...
    const recompiled = twoHeads();
    compile(recompiled, [1, 1]);
    await recompiled.fit(xs(), ys(), { ...epochs, epochs: 1 });
    compile(recompiled, [0.2, 3]);
    await recompiled.fit(xs(), ys(), { ...epochs, epochs: 1 });
    expect(weightsOf(recompiled)).not.toEqual(weightsOf(between));
    // ...and keeping the weights gives another one too (the change is applied).
    const unchanged = twoHeads();
    compile(unchanged, [1, 1]);
    await unchanged.fit(xs(), ys(), { ...epochs, epochs: 2 });
    expect(weightsOf(unchanged)).not.toEqual(weightsOf(between));
  });

  test('a wrong count or a negative weight is refused and changes nothing', async () => {
    const model = twoHeads();
    compile(model, [1, 2]);
    expect(() => model.setLossWeights([1])).toThrow('setLossWeights: expected one weight per output (2) but got 1');
    expect(() => model.setLossWeights([1, -1])).toThrow("setLossWeights: the weight of output 'b' must be a finite number >= 0 but got -1");
    const h = await model.evaluate(xs(), ys());
    const [total, a, b] = h.map(t => t.dataSync()[0]);
    expect(total).toBeCloseTo(a + 2 * b, 5);
  });
});
