#!/usr/bin/env node
// Where `npm run iris`'s fitDataset time goes: the same flow as examples/iris.js, with V8's
// sampling profiler on for the fit only (not module loading or compile). Prints the fit's time and
// the functions with the most self time. Usage: node bench/profile-iris.js [top=25]
'use strict';
const inspector = require('node:inspector');
const { seedModel, trainingBatches } = require('../examples/iris');

async function main(top) {
  const train = trainingBatches();
  const model = seedModel();

  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 50 });
  await post('Profiler.start');
  const start = process.hrtime.bigint();
  await model.fitDataset(train, { epochs: 200, verbose: 0, callbacks: { onEpochEnd: () => {} } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const { profile } = await post('Profiler.stop');

  const nodes = new Map(profile.nodes.map(n => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) || 0) + (profile.timeDeltas[i] || 0));
  });
  console.log(`fitDataset, 200 epochs: ${ms.toFixed(1)} ms (profiler on; self time per function below)`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`);
}

main(Number(process.argv[2]) || 25).catch((err) => {
  console.error(err);
  process.exit(1);
});
