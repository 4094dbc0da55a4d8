'use strict';
// tf.layers: every layer factory, gathered from the modules that define the layers (so that
// those modules need not know each other): TF.js's layers, then dense-mtl's own (MMoE and CGC,
// which TF.js cannot load).
const { layers } = require('./layers');
const { factories: activationLayers } = require('./activation_layers');
const { expertLayers } = require('./experts');

module.exports = { ...layers, ...activationLayers, ...expertLayers };
