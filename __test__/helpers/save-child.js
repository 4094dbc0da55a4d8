'use strict';
// Child process of save-kill.spec.js: saves model `seed` into `dir` and SIGKILLs itself right
// after save step `step` ('none': no kill). With `loop`, saves seeds `seed` and `seed + 1` in
// turn until the parent kills it. Prints 'saved' after each save that was not killed.
const tf = require('../..');
const { saveToDirectory } = require('../../lib/io/save');
const { buildModel } = require('./save-models');

const [dir, seedArg, step, mode] = process.argv.slice(2);
const seed = Number(seedArg);
const onStep = (name) => { if (name === step) process.kill(process.pid, 'SIGKILL'); };

(async () => {
  if (mode === 'loop') {
    const models = [buildModel(tf, seed), buildModel(tf, seed + 1)];
    process.stdout.write('ready\n');
    for (let i = 0; ; i++) {
      await saveToDirectory(models[i % 2], dir, {}, { onStep });
      process.stdout.write('saved\n');
    }
  }
  await saveToDirectory(buildModel(tf, seed), dir, {}, { onStep });
  process.stdout.write('saved\n');
})().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
