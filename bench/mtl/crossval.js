'use strict';
// Repeated k-fold cross-validation of one balancing method on one multi-task data set. Every
// method sees the same splits, the same initial weights and the same fit seed, so scores can be
// compared split by split.
const tf = require('../..');
const { fitScaler, kFold, take, buildModel, score } = require('../../examples/lib/tabular');
const { nowMs } = require('../common');

/** The seeds of split `fold` of repeat `repeat` (the examples' scheme). */
const splitSeed = (repeat) => 1000 + repeat;
const modelSeed = (repeat, fold) => 100 * repeat + 10 * fold;

/**
 * Held-out scores of `method` on `data` ({x, tasks}, as examples/lib/datasets.js frames them).
 * Returns {scores: number[][] (per task, one per split), msPerEpoch: number[] (one per fit)}.
 */
async function crossValidate(data, method, { folds, repeats, epochs, batchSize, learningRate = 0.01, trunk = [16, 16] }) {
  const scores = data.tasks.map(() => []);
  const msPerEpoch = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [fold, split] of kFold(data.x.length, folds, splitSeed(repeat)).entries()) {
      const seed = modelSeed(repeat, fold);
      const scaler = fitScaler(take(data.x, split.train));
      const xTrain = tf.tensor2d(scaler.apply(take(data.x, split.train)));
      const xTest = tf.tensor2d(scaler.apply(take(data.x, split.test)));
      const ys = data.tasks.map(t => tf.tensor2d(take(t.y, split.train)));
      const model = buildModel(data.x[0].length, data.tasks, { trunk, seed });
      model.compile({ optimizer: tf.train.adam(learningRate), loss: data.tasks.map(t => t.loss), ...method.compile });
      const start = nowMs();
      await model.fit(xTrain, ys, { epochs, batchSize, verbose: 0, seed });
      msPerEpoch.push((nowMs() - start) / epochs);
      const preds = model.predict(xTest);
      preds.forEach((p, i) => scores[i].push(score(data.tasks[i], p.arraySync(), take(data.tasks[i].y, split.test))));
      tf.dispose([xTrain, xTest, ...ys, ...preds]);
      model.dispose();
    }
  }
  return { scores, msPerEpoch };
}

module.exports = { crossValidate };
