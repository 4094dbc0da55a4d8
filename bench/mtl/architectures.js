'use strict';
// The three models of the MMoE paper's synthetic experiment (Ma et al., KDD 2018, section 4.3),
// with its sizes: experts of one 16-unit ReLU layer (8 of them), towers of one 8-unit ReLU layer,
// and a shared bottom of one 113-unit ReLU layer (about the experts' parameter count).
const tf = require('../..');

const SIZES = { experts: 8, expertUnits: 16, towerUnits: 8, bottomUnits: 113 };

/** A seeded Glorot-normal initializer per layer, in build order. */
function initializers(seed) {
  let s = seed;
  return () => tf.initializers.glorotNormal({ seed: ++s });
}

/** One tower per task on top of its representation: dense(8, relu) → dense(1). */
function towers(representations, init) {
  return representations.map((rep, k) => {
    const hidden = tf.layers.dense({ units: SIZES.towerUnits, activation: 'relu', kernelInitializer: init() }).apply(rep);
    return tf.layers.dense({ units: 1, name: `task${k + 1}`, kernelInitializer: init() }).apply(hidden);
  });
}

/** Shared bottom: one dense layer used by both towers. */
function sharedBottom(inputDim, tasks, seed) {
  const init = initializers(seed);
  const input = tf.input({ shape: [inputDim] });
  const bottom = tf.layers.dense({ units: SIZES.bottomUnits, activation: 'relu', kernelInitializer: init() }).apply(input);
  return tf.model({ inputs: input, outputs: towers(Array(tasks).fill(bottom), init) });
}

/**
 * Experts mixed by softmax gates (tf.layers.mixtureOfExperts): `gates` = 1 is the one-gate MoE,
 * whose single mixture feeds every tower; `gates` = tasks is MMoE, one gate per task.
 */
function mixtureOfExperts(gates) {
  return (inputDim, tasks, seed) => {
    const init = initializers(seed);
    const input = tf.input({ shape: [inputDim] });
    const mixtures = tf.layers.mixtureOfExperts({
      numExperts: SIZES.experts, expertUnits: SIZES.expertUnits, numTasks: gates, expertActivation: 'relu', kernelInitializer: init(),
    }).apply(input);
    const representations = gates === 1 ? Array(tasks).fill(mixtures[0]) : mixtures;
    return tf.model({ inputs: input, outputs: towers(representations, init) });
  };
}

const ARCHITECTURES = { 'shared-bottom': sharedBottom, 'one-gate MoE': mixtureOfExperts(1), MMoE: mixtureOfExperts(2) };

module.exports = { ARCHITECTURES, SIZES };
