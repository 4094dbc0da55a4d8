#!/usr/bin/env node
// A tabular model as people train them: the Palmer penguins' body mass from three measurements
// (standardized numeric columns) and two categorical columns, island and sex, each id embedded by
// one shared embedding table and joined to the numbers with concatenate; batch normalization;
// AdamW with a cosine learning-rate schedule after a linear warmup; the best epoch kept by
// modelCheckpoint and everything logged for TensorBoard.
//
//   npm run tabular [-- <output dir>]      (default: a fresh directory under the system temp dir)
//   tensorboard --logdir <output dir>/logs
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tf = require('..');
const { readCsv, fitScaler, avg } = require('./lib/tabular');

const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];
const SEXES = ['female', 'male', 'unknown']; // 11 birds have no recorded sex: an id of its own
const MEASUREMENTS = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm'];
const EPOCHS = Number(process.env.TABULAR_EPOCHS || 120);
const BATCH_SIZE = 32;

/** One table for both columns: island ids 0..2, sex ids 3..5. */
const categoryIds = (r) => [ISLANDS.indexOf(r.island), ISLANDS.length + SEXES.indexOf(r.sex ?? 'unknown')];

/** A seeded split: every 5th bird (after a fixed shuffle) is held out for validation. */
function split(rows) {
  const order = rows.map((r, i) => [Math.sin(i * 12.9898) * 43758.5453 % 1, r]).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  return { train: order.filter((_, i) => i % 5 !== 0), val: order.filter((_, i) => i % 5 === 0) };
}

function buildModel() {
  const categories = tf.input({ shape: [2], name: 'categories' });
  const measurements = tf.input({ shape: [MEASUREMENTS.length], name: 'measurements' });
  // [batch, 2] ids → [batch, 2, 3] vectors → [batch, 6].
  const embedded = tf.layers.embedding({ inputDim: ISLANDS.length + SEXES.length, outputDim: 3, inputLength: 2, name: 'category_embedding' }).apply(categories);
  const joined = tf.layers.concatenate({ name: 'joined' }).apply([tf.layers.flatten({ name: 'flat' }).apply(embedded), measurements]);
  let h = tf.layers.dense({ units: 32, useBias: false, name: 'hidden' }).apply(joined);
  h = tf.layers.batchNormalization({ name: 'hidden_bn' }).apply(h);
  h = tf.layers.activation({ activation: 'relu', name: 'hidden_relu' }).apply(h);
  h = tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden2' }).apply(h);
  const mass = tf.layers.dense({ units: 1, name: 'body_mass' }).apply(h);
  return tf.model({ inputs: [categories, measurements], outputs: mass, name: 'penguin_mass' });
}

async function main() {
  const outDir = process.argv[2] || fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-tabular-'));
  const rows = readCsv('penguins.csv').filter(r => MEASUREMENTS.every(c => r[c] !== null) && r.body_mass_g !== null);
  const { train, val } = split(rows);
  const scaler = fitScaler(train.map(r => MEASUREMENTS.map(c => Number(r[c]))));
  const massMean = avg(train.map(r => Number(r.body_mass_g)));
  const massSd = Math.sqrt(avg(train.map(r => (Number(r.body_mass_g) - massMean) ** 2)));
  const tensors = (part) => ({
    x: [tf.tensor2d(part.map(categoryIds), undefined, 'int32'), tf.tensor2d(scaler.apply(part.map(r => MEASUREMENTS.map(c => Number(r[c])))))],
    y: tf.tensor2d(part.map(r => [(Number(r.body_mass_g) - massMean) / massSd])),
  });
  const [trainSet, valSet] = [tensors(train), tensors(val)];

  const model = buildModel();
  model.summary();
  const steps = EPOCHS * Math.ceil(train.length / BATCH_SIZE);
  const warmupSteps = Math.round(steps / 10);
  const schedule = tf.train.cosineDecay({ initialLearningRate: 0, decaySteps: steps - warmupSteps, alpha: 0.05, warmupTarget: 0.01, warmupSteps });
  model.compile({ optimizer: tf.train.adamw(schedule, 1e-3), loss: 'meanSquaredError', metrics: ['mae'] });

  const best = path.join(outDir, 'best');
  const history = await model.fit(trainSet.x, trainSet.y, {
    epochs: EPOCHS, batchSize: BATCH_SIZE, validationData: [valSet.x, valSet.y], seed: 1, verbose: 0,
    callbacks: [
      tf.callbacks.modelCheckpoint(best, { monitor: 'val_loss', saveBestOnly: true }),
      tf.node.tensorBoard(path.join(outDir, 'logs')),
    ],
  });

  // The checkpoint holds the best epoch: reload it and report its error in grams.
  const restored = await tf.loadLayersModel(`file://${best}/model.json`);
  const predicted = restored.predict(valSet.x).dataSync();
  const actual = val.map(r => Number(r.body_mass_g));
  const rmse = Math.sqrt(avg(actual.map((a, i) => (predicted[i] * massSd + massMean - a) ** 2)));
  const valLoss = history.history.val_loss;
  const bestEpoch = valLoss.indexOf(Math.min(...valLoss)) + 1;
  console.log(`\n${train.length} penguins to train on, ${val.length} to validate; body mass sd ${massSd.toFixed(0)} g.`);
  console.log(`Best epoch ${bestEpoch} of ${EPOCHS} (val_loss ${Math.min(...valLoss).toFixed(4)}), restored from ${best}`);
  console.log(`Validation RMSE of the restored model: ${rmse.toFixed(0)} g`);
  console.log(`TensorBoard: tensorboard --logdir ${path.join(outDir, 'logs')}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
