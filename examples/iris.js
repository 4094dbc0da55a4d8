#!/usr/bin/env node
// The seed network on the bundled Iris data: 4 → dense 10 relu → dense 10 relu → dense 3 softmax,
// categoricalCrossentropy, 'sgd'. Written exactly as for @tensorflow/tfjs: swap the require line
// for `require('@tensorflow/tfjs')` and it runs there too.
'use strict';
const tf = require('..');
const fs = require('node:fs');
const path = require('node:path');

const SPECIES = ['setosa', 'versicolor', 'virginica'];

function loadIris() {
  const lines = fs.readFileSync(path.join(__dirname, '..', 'data', 'iris.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map(line => line.split(','));
  // The file is sorted by species: shuffle once with a fixed seed so that the validation split
  // (the last 20 %) holds every species.
  let seed = 42;
  for (let i = rows.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % (i + 1);
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const xs = tf.tensor2d(rows.map(r => r.slice(0, 4).map(Number)));
  const ys = tf.oneHot(tf.tensor1d(rows.map(r => SPECIES.indexOf(r[4])), 'int32'), 3).toFloat();
  return { xs, ys };
}

async function main() {
  const { xs, ys } = loadIris();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 10, activation: 'relu', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 10, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const epochs = 200;
  const start = Date.now();
  const history = await model.fit(xs, ys, {
    epochs, batchSize: 16, validationSplit: 0.2, verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        if ((epoch + 1) % 20 === 0) {
          console.log(`epoch ${String(epoch + 1).padStart(3)}/${epochs}  loss=${logs.loss.toFixed(4)}  acc=${logs.acc.toFixed(3)}  val_loss=${logs.val_loss.toFixed(4)}  val_acc=${logs.val_acc.toFixed(3)}`);
        }
      },
    },
  });
  const last = (key) => history.history[key][history.history[key].length - 1];
  console.log(`\nTrained ${epochs} epochs in ${Date.now() - start} ms.`);
  console.log(`Training accuracy: ${(100 * last('acc')).toFixed(1)} %   held-out accuracy (last 30 rows): ${(100 * last('val_acc')).toFixed(1)} %\n`);

  console.log('predict on [5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 5.1, 1.8], [6.9, 3.1, 5.4, 2.1]:');
  const probabilities = model.predict(tf.tensor2d([[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 5.1, 1.8], [6.9, 3.1, 5.4, 2.1]]));
  probabilities.print();
  console.log(`species: ${probabilities.argMax(-1).arraySync().map(i => SPECIES[i]).join(', ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
