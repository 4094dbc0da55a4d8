'use strict';
// Placeholder until the TF.js model-format implementation lands: see issue "Model files".
const { fail } = require('./errors');

const io = {};
async function saveModel() { fail('model.save is not implemented yet'); }
async function loadLayersModel() { fail('tf.loadLayersModel is not implemented yet'); }

module.exports = { io, saveModel, loadLayersModel };
