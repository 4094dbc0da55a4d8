'use strict';
// The package's internal interface to models (not public API). lib/model.js gives each model a
// view here (its native core, compile state, data conversion, a layer's weights); fitDataset,
// io, the optimizers, the report callback and layers use it instead of reading a model's
// private fields. This module requires nothing, so using it closes no import cycle.

const views = new WeakMap();
const owners = new WeakMap(); // layer -> the model that holds its weights

/** Called once per model by lib/model.js. */
function expose(model, view) {
  views.set(model, view);
}

/**
 * The view of a model: {native(), structure(), compileSpec(), targetWidths(), inputBlocks(x, what),
 * targetBlocks(y, rows, what), paramCount(), layerWeights(layer), setLayerWeights(layer, weights)}.
 */
function internals(model) {
  const view = views.get(model);
  if (!view) throw new Error('expected a tf.LayersModel (made by tf.model or tf.sequential)');
  return view;
}

/** The model that holds a layer's weights (the last one it was added to), or null. */
function ownerOf(layer) {
  return owners.get(layer) ?? null;
}

function setOwner(layer, model) {
  owners.set(layer, model);
}

module.exports = { expose, internals, ownerOf, setOwner };
