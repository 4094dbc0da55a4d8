#!/usr/bin/env node
// Heterogeneous multi-task learning on Iris: from sepal length, sepal width and petal length,
// predict the species (3 classes) and the petal width (regression), with one shared trunk.
'use strict';
const { readCsv, compareMultiTask, printComparison, avg, sd } = require('./lib/tabular');

const SPECIES = ['setosa', 'versicolor', 'virginica'];

async function main() {
  const rows = readCsv('iris.csv');
  const widths = rows.map(r => Number(r.petal_width));
  const [mean, spread] = [avg(widths), sd(widths)];
  const data = {
    x: rows.map(r => [r.sepal_length, r.sepal_width, r.petal_length].map(Number)),
    tasks: [
      { name: 'species', kind: 'classification', units: 3, activation: 'softmax', loss: 'categoricalCrossentropy',
        y: rows.map(r => SPECIES.map(s => (s === r.species ? 1 : 0))) },
      // Regression targets standardized (scores are reported back in cm).
      { name: 'petal_width', kind: 'regression', units: 1, activation: 'linear', loss: 'meanSquaredError',
        y: widths.map(w => [(w - mean) / spread]), scale: spread, unit: 'cm' },
    ],
  };
  const options = { folds: 5, repeats: 2, epochs: 150, batchSize: 16 };
  const results = await compareMultiTask(data, options);
  printComparison('Iris: species + petal width from the other three measurements', data, results, options);
}

main().catch((err) => { console.error(err); process.exit(1); });
