'use strict';
// The MMoE paper's synthetic experiment: for each task correlation and seed, fresh data and
// fresh models of each architecture, trained the same way; held-out MSE per task and the loss
// curves (training and held-out, summed over the two tasks) per epoch.
const tf = require('../..');
const { mmoeSynthetic } = require('./synthetic');
const { ARCHITECTURES } = require('./architectures');
const { nowMs } = require('../common');

/**
 * runs: [{architecture, correlation, seed, trainLoss: number[], testLoss: number[],
 * testMse: [task1, task2], msPerEpoch}].
 */
async function runMmoeSynthetic({ correlations, seeds, trainRows, testRows, epochs, batchSize, learningRate, architectures = Object.keys(ARCHITECTURES), log = () => {} }) {
  const runs = [];
  for (const correlation of correlations) {
    for (let seed = 1; seed <= seeds; seed++) {
      const data = mmoeSynthetic({ rows: trainRows + testRows, correlation, seed });
      const x = tf.tensor2d(data.x.slice(0, trainRows));
      const xTest = tf.tensor2d(data.x.slice(trainRows));
      const y = data.y.map(v => tf.tensor2d(v.slice(0, trainRows)));
      const yTest = data.y.map(v => tf.tensor2d(v.slice(trainRows)));
      for (const architecture of architectures) {
        const model = ARCHITECTURES[architecture](x.shape[1], 2, 1000 * seed);
        model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
        const start = nowMs();
        const { history } = await model.fit(x, y, { epochs, batchSize, verbose: 0, seed, validationData: [xTest, yTest] });
        const msPerEpoch = (nowMs() - start) / epochs;
        runs.push({
          architecture, correlation, seed, msPerEpoch,
          trainLoss: history.loss, testLoss: history.val_loss,
          testMse: [history.val_task1_loss.at(-1), history.val_task2_loss.at(-1)],
        });
        model.dispose();
        log(`  p = ${correlation}, seed ${seed}: ${architecture} (${msPerEpoch.toFixed(1)} ms/epoch)`);
      }
      tf.dispose([x, xTest, ...y, ...yTest]);
    }
  }
  return runs;
}

module.exports = { runMmoeSynthetic };
