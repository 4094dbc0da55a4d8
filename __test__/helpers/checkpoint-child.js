'use strict';
// Child process of callbacks.spec.js: fits a model for 3 epochs with modelCheckpoint(dir), after
// writing each epoch's weights to `record/<epoch>.json`, and SIGKILLs itself right after save
// step `step` of save number `save` (1-based).
const fs = require('fs');
const path = require('path');
const tf = require('../..');

const [dir, record, step, save] = process.argv.slice(2);
const model = tf.sequential();
model.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [16] }));
model.add(tf.layers.dense({ units: 2 }));
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
const x = tf.randomNormal([32, 16], 0, 1, 'float32', 1);
const y = tf.randomNormal([32, 2], 0, 1, 'float32', 2);
let saves = 0;
const recorder = {
  onEpochEnd: async (epoch) => {
    fs.writeFileSync(path.join(record, `${epoch}.json`), JSON.stringify(model.getWeights().map(w => Array.from(w.dataSync()))));
    saves += 1;
  },
};
const checkpoint = tf.callbacks.modelCheckpoint(dir);
checkpoint.hooks.onStep = (name) => { if (saves === Number(save) && name === step) process.kill(process.pid, 'SIGKILL'); };
model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [recorder, checkpoint] })
  .then(() => process.stdout.write('done\n'))
  .catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
