#!/usr/bin/env node
// The seed network on the bundled Iris data: tf.data.csv with the species as label column, a map
// to one-hot targets, shuffle, batch, then fitDataset; 4 → dense 10 relu → dense 10 relu →
// dense 3 softmax, categoricalCrossentropy, 'sgd'. Written exactly as for @tensorflow/tfjs: swap
// the require line for `require('@tensorflow/tfjs')` (plus tfjs-node for file:// URLs) and it
// runs there too.
'use strict';
const path = require('node:path');
const tf = require('..');

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const CSV = `file://${path.join(__dirname, '..', 'data', 'iris.csv')}`;

/** The CSV as {xs: [4 numbers], ys: one-hot species}, the way TF.js examples prepare it. */
const iris = () => tf.data.csv(CSV, { columnConfigs: { species: { isLabel: true } } })
  .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: SPECIES.map(s => (s === ys.species ? 1 : 0)) }));

/** The seed network, compiled. */
function seedModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 10, activation: 'relu', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 10, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

// The seed's pipeline: every row, reshuffled each epoch (the file is sorted by species), in batches.
const trainingBatches = () => iris().shuffle(150, 'iris').batch(16);

async function main() {
  const train = trainingBatches();
  const model = seedModel();
  model.summary();

  const epochs = 200;
  const start = Date.now();
  await model.fitDataset(train, {
    epochs, verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        if ((epoch + 1) % 20 === 0) console.log(`epoch ${String(epoch + 1).padStart(3)}/${epochs}  loss=${logs.loss.toFixed(4)}  acc=${logs.acc.toFixed(3)}`);
      },
    },
  });
  console.log(`\nTrained ${epochs} epochs in ${Date.now() - start} ms.`);
  const [loss, accuracy] = await model.evaluateDataset(iris().batch(150));
  console.log(`Accuracy on the 150 rows: ${(100 * accuracy.dataSync()[0]).toFixed(1)} %   loss ${loss.dataSync()[0].toFixed(4)}`);
  console.log('(npm run iris-multitask reports held-out scores under cross-validation.)\n');

  console.log('predict on [5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 5.1, 1.8], [6.9, 3.1, 5.4, 2.1]:');
  const probabilities = model.predict(tf.tensor2d([[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 5.1, 1.8], [6.9, 3.1, 5.4, 2.1]]));
  probabilities.print();
  console.log(`species: ${probabilities.argMax(-1).arraySync().map(i => SPECIES[i]).join(', ')}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { seedModel, trainingBatches };
