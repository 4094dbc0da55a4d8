#!/usr/bin/env node
// Heterogeneous multi-task learning with missing labels on the Palmer penguins: from the bill and
// flipper measurements and the island, predict species (3 classes), sex (binary; 11 birds have
// no recorded sex, which the model simply skips for that task) and body mass (regression).
'use strict';
const { readCsv, compareMultiTask, printComparison, avg, sd } = require('./lib/tabular');

const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'];
const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];

async function main() {
  // Two birds have no measurements at all: they cannot be inputs.
  const rows = readCsv('penguins.csv').filter(r => r.bill_length_mm !== null && r.body_mass_g !== null);
  const mass = rows.map(r => Number(r.body_mass_g));
  const [mean, spread] = [avg(mass), sd(mass)];
  const data = {
    x: rows.map(r => [r.bill_length_mm, r.bill_depth_mm, r.flipper_length_mm].map(Number).concat(ISLANDS.map(i => (i === r.island ? 1 : 0)))),
    tasks: [
      { name: 'species', kind: 'classification', units: 3, activation: 'softmax', loss: 'categoricalCrossentropy',
        y: rows.map(r => SPECIES.map(s => (s === r.species ? 1 : 0))) },
      // NaN marks a missing label: that row adds nothing to this task's loss or score.
      { name: 'sex', kind: 'classification', units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy',
        y: rows.map(r => [r.sex === null ? NaN : r.sex === 'male' ? 1 : 0]) },
      { name: 'body_mass', kind: 'regression', units: 1, activation: 'linear', loss: 'meanSquaredError',
        y: mass.map(m => [(m - mean) / spread]), scale: spread, unit: 'g' },
    ],
  };
  console.log(`${rows.length} penguins, ${data.tasks[1].y.filter(y => Number.isNaN(y[0])).length} without a recorded sex.`);
  const options = { folds: 5, repeats: 2, epochs: 100, batchSize: 32 };
  const results = await compareMultiTask(data, options);
  printComparison('Penguins: species + sex (with missing labels) + body mass', data, results, options);
}

main().catch((err) => { console.error(err); process.exit(1); });
