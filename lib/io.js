'use strict';
// Model files in the TF.js layers-model format: `tf.io` and `tf.loadLayersModel`. The parts live
// in lib/io/: save and load, topology (writing) and read_topology, weights (the binary), training
// (weights by name, trainingConfig, optimizer state) and handlers (files, HTTP, memory).
const { concatenateArrayBuffers } = require('./io/weights');
const handlers = require('./io/handlers');
const { loadLayersModel } = require('./io/load');

// --- tf.io ---------------------------------------------------------------------------------

const io = {
  fromMemory: handlers.fromMemory,
  fromMemorySync: handlers.fromMemorySync,
  withSaveHandler: handlers.withSaveHandler,
  withSaveHandlerSync: handlers.withSaveHandlerSync,
  http: handlers.http,
  browserHTTPRequest: handlers.http,
  fileSystem: handlers.fileSystem,
  isHTTPScheme: handlers.isHTTPScheme,
  getModelArtifactsInfoForJSON: handlers.getModelArtifactsInfoForJSON,
  getModelArtifactsForJSON: handlers.getModelArtifactsForJSON,
  getWeightSpecs: handlers.getWeightSpecs,
  concatenateArrayBuffers,
};

module.exports = { io, loadLayersModel };
