#!/usr/bin/env node
// Heterogeneous multi-task learning on Iris: from sepal length, sepal width and petal length,
// predict the species (3 classes) and the petal width (regression), with one shared trunk.
'use strict';
const path = require('node:path');
const tf = require('..');
const { fitScaler, kFold, take, buildModel, compareMultiTask, printComparison } = require('./lib/tabular');
const { irisTasks, IRIS_SPECIES: SPECIES } = require('./lib/datasets');

async function main() {
  // The regression target is standardized (scores are reported back in cm).
  const data = irisTasks();
  const options = { folds: 5, repeats: 2, epochs: 150, batchSize: 16 };
  const results = await compareMultiTask(data, options);
  printComparison('Iris: species + petal width from the other three measurements', data, results, options);
  const file = await trainWithReport(data, options, process.argv[2] || path.join(__dirname, 'out', 'iris-multitask-report.html'));
  console.log(`\nTraining report (open it in a browser): ${file}`);
}

/**
 * One more multi-task model, trained on 80 % of the rows with the other 20 % as validation data,
 * under uncertainty weighting, with tf.callbacks.report drawing its curves and confusion matrix.
 */
async function trainWithReport(data, { epochs, batchSize }, file) {
  const [{ train, test }] = kFold(data.x.length, 5, 7);
  const scaler = fitScaler(take(data.x, train));
  const [xTrain, xVal] = [train, test].map(idx => tf.tensor2d(scaler.apply(take(data.x, idx))));
  const ys = idx => Object.fromEntries(data.tasks.map(t => [t.name, tf.tensor2d(take(t.y, idx))]));
  const model = buildModel(data.x[0].length, data.tasks, { seed: 7 });
  model.compile({
    optimizer: tf.train.adam(0.01),
    loss: Object.fromEntries(data.tasks.map(t => [t.name, t.loss])),
    metrics: { species: 'accuracy', petal_width: 'mae' },
    taskWeighting: 'uncertainty',
  });
  const report = tf.callbacks.report(file, { title: 'Iris: species + petal width (uncertainty weighting)', data: [xVal, ys(test)], classNames: { species: SPECIES } });
  await model.fit(xTrain, ys(train), { epochs, batchSize, validationData: [xVal, ys(test)], verbose: 0, seed: 7, callbacks: [report] });
  return report.path;
}

main().catch((err) => { console.error(err); process.exit(1); });
