#!/usr/bin/env node
// Heterogeneous multi-task learning with missing labels on the Palmer penguins: from the bill and
// flipper measurements and the island, predict species (3 classes), sex (binary; 11 birds have
// no recorded sex, which the model simply skips for that task) and body mass (regression).
'use strict';
const { compareMultiTask, printComparison } = require('./lib/tabular');
const { penguinsTasks } = require('./lib/datasets');

async function main() {
  const data = penguinsTasks();
  console.log(`${data.x.length} penguins, ${data.tasks[1].y.filter(y => Number.isNaN(y[0])).length} without a recorded sex.`);
  const options = { folds: 5, repeats: 2, epochs: 100, batchSize: 32 };
  const results = await compareMultiTask(data, options);
  printComparison('Penguins: species + sex (with missing labels) + body mass', data, results, options);
}

main().catch((err) => { console.error(err); process.exit(1); });
