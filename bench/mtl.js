#!/usr/bin/env node
// `npm run mtl-bench [-- --full | --smoke] [--out DIR]`: every balancing method against fixed
// weights and RLW under repeated k-fold on the bundled data sets and the MMoE paper's synthetic
// data, and the paper's shared-bottom / one-gate MoE / MMoE experiment. Writes
// MTL-RESULTS.md, mtl-results.json and mtl.svg (in bench/, or in --out DIR).
// The default run takes a few minutes on 2 cores; --full runs more repeats, seeds and epochs;
// --smoke is the harness check (2 folds × 1 repeat, 1 epoch; nothing is claimed from it).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { renderSvg } = require('../lib/charts');
const { runBalancing, compareWithBaselines } = require('./mtl/balancing');
const { runMmoeSynthetic } = require('./mtl/mmoe-synthetic');
const { resultsMarkdown, conclusionText } = require('./mtl/report');
const { benchmarkFigureSpec } = require('./mtl/chart');
const { nowMs } = require('./common');

const PLANS = {
  smoke: {
    balancing: { folds: 2, repeats: 1, syntheticRows: 200, epochs: 1 },
    mmoe: { correlations: [1, 0.5], seeds: 1, trainRows: 200, testRows: 100, epochs: 1, batchSize: 64, learningRate: 0.001 },
  },
  default: {
    balancing: { folds: 5, repeats: 3, syntheticRows: 1000 },
    mmoe: { correlations: [1, 0.9, 0.5], seeds: 3, trainRows: 20000, testRows: 2000, epochs: 20, batchSize: 64, learningRate: 0.001 },
  },
  full: {
    balancing: { folds: 5, repeats: 10, syntheticRows: 2000 },
    mmoe: { correlations: [1, 0.9, 0.5], seeds: 10, trainRows: 20000, testRows: 2000, epochs: 50, batchSize: 64, learningRate: 0.001 },
  },
};

function parseArgs(argv) {
  const plan = argv.includes('--full') ? 'full' : argv.includes('--smoke') ? 'smoke' : 'default';
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : __dirname;
  return { plan, out };
}

const log = (msg) => process.stderr.write(`${msg}\n`);

async function main() {
  const { plan: planName, out } = parseArgs(process.argv.slice(2));
  const plan = PLANS[planName];
  const start = nowMs();
  log(`Balancing methods (${planName}):`);
  const balancing = await runBalancing({ ...plan.balancing, log });
  const comparisons = compareWithBaselines(balancing);
  log('MMoE synthetic experiment:');
  const mmoe = await runMmoeSynthetic({ ...plan.mmoe, log });
  const command = `npm run mtl-bench${planName === 'default' ? '' : ` -- --${planName}`}`;
  const machine = `${os.cpus().length} cores of ${os.cpus()[0].model.trim()}, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(out, { recursive: true });
  const conclusion = conclusionText(comparisons);
  fs.writeFileSync(path.join(out, 'MTL-RESULTS.md'), resultsMarkdown({ command, machine, date, balancing, comparisons, mmoe, mmoeSettings: plan.mmoe, conclusion }));
  fs.writeFileSync(path.join(out, 'mtl-results.json'), `${JSON.stringify({ command, machine, date, plan, balancing, comparisons, mmoe })}\n`);
  fs.writeFileSync(path.join(out, 'mtl.svg'), `${await renderSvg(benchmarkFigureSpec({ comparisons, mmoe }))}\n`);
  log(`\n${conclusion}`);
  log(`Wrote MTL-RESULTS.md, mtl-results.json and mtl.svg to ${out} in ${((nowMs() - start) / 1000).toFixed(0)} s.`);
}

main().catch((err) => { console.error(err); process.exit(1); });
