#!/usr/bin/env node
// Homogeneous multi-task learning on Linnerud (20 men): from three exercise counts (chins,
// sit-ups, jumps), predict three physiological measurements (weight, waist, pulse) at once.
// Twenty rows are far too few for claims: this example shows the workflow, and its spread.
'use strict';
const { compareMultiTask, printComparison } = require('./lib/tabular');
const { linnerudTasks } = require('./lib/datasets');

async function main() {
  const data = linnerudTasks();
  const options = { folds: 5, repeats: 4, epochs: 200, batchSize: 8, trunk: [8] };
  const results = await compareMultiTask(data, options);
  printComparison('Linnerud: weight + waist + pulse from exercise counts', data, results, options);
}

main().catch((err) => { console.error(err); process.exit(1); });
