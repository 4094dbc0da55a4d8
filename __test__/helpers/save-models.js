'use strict';
// The models of the kill-during-save tests: weights (about 540 kB) that differ in every value
// from one seed to the next, so that a directory's weights tell which save it holds.
const { seededValues } = require('./tfjs');

const SHAPE = { inputs: 256, hidden: 512, outputs: 8 };

/** Expected weights of model `seed`, one Float32Array per weight in model order. */
function weightValues(seed) {
  const sizes = [SHAPE.inputs * SHAPE.hidden, SHAPE.hidden, SHAPE.hidden * SHAPE.outputs, SHAPE.outputs];
  return sizes.map((n, i) => Float32Array.from(seededValues(n, seed * 100 + i)));
}

function buildModel(tf, seed) {
  const model = tf.sequential({ name: 'killed' });
  model.add(tf.layers.dense({ units: SHAPE.hidden, inputShape: [SHAPE.inputs], activation: 'relu', name: 'hidden' }));
  model.add(tf.layers.dense({ units: SHAPE.outputs, name: 'out' }));
  const values = weightValues(seed);
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(values[i], w.shape)));
  return model;
}

module.exports = { buildModel, weightValues };
