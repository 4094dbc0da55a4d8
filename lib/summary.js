'use strict';
// Replica of tfjs-layers 4.22 `printSummary` (src/utils/layer_utils.ts): the
// text `model.summary()` prints, built from a plain model description instead
// of live Layer/Node objects.
//
// desc = {
//   sequentialLike: boolean,   // see isSequentialLike() when unknown
//   layers: [{
//     name, className,
//     inputShapes: [[null, 4], ...],  // one entry per tensor of the inbound node
//     nodeInputShapes?: [[[null, 4]], [[null, 4]]], // only for a layer applied
//                                     // several times: one inputShapes per node
//     outputShape: [null, 10],        // null => 'multiple' (TF.js throws there)
//     params: number,
//     inbound: [[layerName, nodeIndex, tensorIndex], ...],
//   }],
//   trainableParams, nonTrainableParams,
// }

const HEADERS = ['Layer (type)', 'Input Shape', 'Output shape', 'Param #'];
const CONNECTIONS_HEADER = 'Receives inputs';

const SEQUENTIAL_DEFAULTS = {lineLength: 90, positions: [0.32, 0.61, 0.89, 1]};
const FUNCTIONAL_DEFAULTS = {
  lineLength: 115,
  positions: [0.24, 0.48, 0.70, 0.80, 1],
};

// TF.js treats positions as fractions of the line when the last one is <= 1,
// otherwise as absolute column ends. `||` (not `??`) because TF.js also
// replaces 0 / empty values with the defaults.
function resolveLayout(sequentialLike, lineLength, positions) {
  const defaults = sequentialLike ? SEQUENTIAL_DEFAULTS : FUNCTIONAL_DEFAULTS;
  const length = lineLength || defaults.lineLength;
  let ends = positions || defaults.positions;
  if (ends[ends.length - 1] <= 1) {
    ends = ends.map((p) => Math.floor(length * p));
  }
  return {lineLength: length, positions: ends};
}

// Each field is cut at its column end; the character just before the next
// field is forced to a space, so a field that fills its column loses its last
// character (e.g. "concatenate_Concatenate1 (").
function formatRow(fields, positions) {
  let line = '';
  for (let i = 0; i < fields.length; ++i) {
    if (i > 0) line = line.slice(0, line.length - 1) + ' ';
    line += fields[i];
    line = line.slice(0, positions[i]);
    line += ' '.repeat(positions[i] - line.length);
  }
  return line;
}

// TF.js prints JSON of every inbound node's shape list, joined by ','.
function inputShapeCell(layer) {
  const perNode = layer.nodeInputShapes || [layer.inputShapes];
  return perNode.map((shapes) => JSON.stringify(shapes)).join(',');
}

function outputShapeCell(layer) {
  return layer.outputShape == null ? 'multiple' :
                                     JSON.stringify(layer.outputShape);
}

function baseFields(layer) {
  return [
    `${layer.name} (${layer.className})`, inputShapeCell(layer),
    outputShapeCell(layer), String(layer.params),
  ];
}

function connectionLabels(layer) {
  return (layer.inbound || []).map(([name, node, tensor]) =>
    `${name}[${node}][${tensor}]`);
}

// Functional layout: first inbound connection on the layer's row, each
// further one on its own row with the other columns blank.
function layerRowsWithConnections(layer, positions) {
  const connections = connectionLabels(layer);
  const rows = [formatRow([...baseFields(layer), connections[0] || ''],
      positions)];
  for (const connection of connections.slice(1)) {
    rows.push(formatRow(['', '', '', '', connection], positions));
  }
  return rows;
}

function formatSummary(desc, lineLength, positions) {
  const sequentialLike = typeof desc.sequentialLike === 'boolean' ?
      desc.sequentialLike :
      isSequentialLike(desc.layers);
  const layout = resolveLayout(sequentialLike, lineLength, positions);
  const width = layout.lineLength;
  const headers = sequentialLike ? HEADERS : [...HEADERS, CONNECTIONS_HEADER];

  const lines = ['_'.repeat(width), formatRow(headers, layout.positions),
    '='.repeat(width)];
  desc.layers.forEach((layer, i) => {
    if (sequentialLike) {
      lines.push(formatRow(baseFields(layer), layout.positions));
    } else {
      lines.push(...layerRowsWithConnections(layer, layout.positions));
    }
    lines.push((i === desc.layers.length - 1 ? '=' : '_').repeat(width));
  });

  const trainable = desc.trainableParams;
  const nonTrainable = desc.nonTrainableParams;
  lines.push(`Total params: ${trainable + nonTrainable}`,
      `Trainable params: ${trainable}`,
      `Non-trainable params: ${nonTrainable}`, '_'.repeat(width));
  return lines;
}

function printSummary(desc, lineLength, positions, printFn = console.log) {
  for (const line of formatSummary(desc, lineLength, positions)) printFn(line);
}

// TF.js's isModelSequentialLike works on nodesByDepth; on a connected graph
// its test is equivalent to "a plain chain": no layer takes more than one
// inbound tensor (merges, shared layers) and no layer output feeds more than
// one layer of the model (branches; several outputs also imply a branch or a
// second input, i.e. two nodes at one depth).
function isSequentialLike(layers) {
  const consumers = new Map();
  for (const layer of layers) {
    const inbound = layer.inbound || [];
    if (inbound.length > 1) return false;
    for (const [name] of inbound) {
      consumers.set(name, (consumers.get(name) || 0) + 1);
    }
  }
  const outputs = layers.filter((l) => !consumers.has(l.name)).length;
  return outputs <= 1 && [...consumers.values()].every((n) => n <= 1);
}

module.exports = {formatSummary, printSummary, isSequentialLike};
