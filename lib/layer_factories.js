'use strict';
// tf.layers: every layer factory, gathered from the modules that define the layers (so that
// those modules need not know each other).
const { layers } = require('./layers');
const { factories: activationLayers } = require('./activation_layers');

module.exports = { ...layers, ...activationLayers };
