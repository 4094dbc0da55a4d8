#!/usr/bin/env node
// Homogeneous multi-task learning on Linnerud (20 men): from three exercise counts (chins,
// sit-ups, jumps), predict three physiological measurements (weight, waist, pulse) at once.
// Twenty rows are far too few for claims: this example shows the workflow, and its spread.
'use strict';
const { readCsv, compareMultiTask, printComparison, avg, sd } = require('./lib/tabular');

const TARGETS = [['Weight', 'lb'], ['Waist', 'in'], ['Pulse', 'bpm']];

async function main() {
  const rows = readCsv('linnerud.csv');
  const data = {
    x: rows.map(r => [r.Chins, r.Situps, r.Jumps].map(Number)),
    tasks: TARGETS.map(([name, unit]) => {
      const v = rows.map(r => Number(r[name]));
      const [mean, spread] = [avg(v), sd(v)];
      return { name, kind: 'regression', units: 1, activation: 'linear', loss: 'meanSquaredError', y: v.map(x => [(x - mean) / spread]), scale: spread, unit };
    }),
  };
  const options = { folds: 5, repeats: 4, epochs: 200, batchSize: 8, trunk: [8] };
  const results = await compareMultiTask(data, options);
  printComparison('Linnerud: weight + waist + pulse from exercise counts', data, results, options);
}

main().catch((err) => { console.error(err); process.exit(1); });
