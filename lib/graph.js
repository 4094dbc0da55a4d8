'use strict';
// Turns symbolic tensors into the graph description the native core builds: layers in TF.js's
// `model.layers` order (deepest first, ties by discovery from the outputs, as tfjs-layers
// `Container` does) and nodes in a topological order.
const { fail } = require('./errors');

// Keyed by layer object, not name: two layers may (wrongly) share a name, which the caller reports.
const layerIds = new WeakMap();
let nextLayerId = 0;
function nodeKey(layer, nodeIndex) {
  if (!layerIds.has(layer)) layerIds.set(layer, nextLayerId++);
  return `${layerIds.get(layer)}#${nodeIndex}`;
}

// A layer with several outputs (its node's `output` is a list) is one core node computing them
// all, plus one node per output tensor that picks it (`output: k`). `whole` stands for the former.
const picks = (t) => !t.whole && Array.isArray(t.sourceLayer.inboundNodes[t.nodeIndex].output);
const tensorKey = (t) => (picks(t) ? `${nodeKey(t.sourceLayer, t.nodeIndex)}:${t.tensorIndex}` : nodeKey(t.sourceLayer, t.nodeIndex));
const dependencies = (t, node) => (picks(t) ? [{ sourceLayer: t.sourceLayer, nodeIndex: t.nodeIndex, whole: true }] : node.inputs);

/**
 * @param inputs SymbolicTensor[] (model inputs)
 * @param outputs SymbolicTensor[] (model outputs)
 * @returns {layers, nodes: [{layer, inputs, output}], inputs: number[], outputs: number[]} indices into layers/nodes
 *   (`output: k` for the node picking output k of a layer with several outputs)
 */
function buildGraph(inputs, outputs) {
  const layerIndex = new Map(); // layer -> discovery order
  const nodesInDecreasingDepth = [];
  const finished = new Set();
  const inProgress = new Set();

  const visit = (tensor) => {
    const layer = tensor.sourceLayer;
    const node = layer.inboundNodes[tensor.nodeIndex];
    const key = tensorKey(tensor);
    if (inProgress.has(key)) fail(`model: the graph has a cycle at layer '${layer.name}'`);
    if (finished.has(key)) return;
    if (!layerIndex.has(layer)) layerIndex.set(layer, layerIndex.size);
    inProgress.add(key);
    const inputs = dependencies(tensor, node);
    inputs.forEach(visit);
    finished.add(key);
    inProgress.delete(key);
    const pick = picks(tensor) ? tensor.tensorIndex : undefined;
    nodesInDecreasingDepth.push({ layer, nodeIndex: tensor.nodeIndex, node, key, inputs, pick });
  };
  outputs.forEach(visit);

  // Depths: outputs at 0, each input one deeper than its deepest consumer.
  const nodeDepth = new Map();
  const layerDepth = new Map();
  for (const entry of nodesInDecreasingDepth.slice().reverse()) {
    let depth = Math.max(nodeDepth.get(entry.key) ?? 0, layerDepth.get(entry.layer) ?? 0);
    layerDepth.set(entry.layer, depth);
    nodeDepth.set(entry.key, depth);
    for (const input of entry.inputs) {
      const k = tensorKey(input);
      nodeDepth.set(k, Math.max(depth + 1, nodeDepth.get(k) ?? 0));
    }
  }

  const layers = [...layerDepth.keys()].sort((a, b) => (layerDepth.get(b) - layerDepth.get(a)) || (layerIndex.get(a) - layerIndex.get(b)));
  // Deepest nodes first is a topological order; ties keep discovery order (sort is stable).
  const orderedNodes = nodesInDecreasingDepth.slice().sort((a, b) => nodeDepth.get(b.key) - nodeDepth.get(a.key));

  const nodeId = new Map(orderedNodes.map((n, i) => [n.key, i]));
  const layerId = new Map(layers.map((l, i) => [l, i]));
  const idOf = (t) => nodeId.get(tensorKey(t));

  for (const t of inputs) {
    if (t.sourceLayer.className !== 'InputLayer') fail(`model: inputs must come from tf.input() but '${t.sourceLayer.name}' is a ${t.sourceLayer.className}`);
  }
  for (const n of orderedNodes) {
    if (n.inputs.length === 0 && !inputs.some(t => t.sourceLayer === n.layer)) {
      fail(`model: an output depends on input '${n.layer.name}', which is not among the model's inputs`);
    }
  }
  const inputIds = inputs.map((t) => {
    const id = idOf(t);
    if (id === undefined) fail(`model: input '${t.sourceLayer.name}' is not used by any output`);
    return id;
  });
  return {
    layers,
    nodes: orderedNodes.map(n => ({ layer: layerId.get(n.layer), inputs: n.inputs.map(idOf), output: n.pick, entry: n })),
    inputs: inputIds,
    outputs: outputs.map(idOf),
  };
}

module.exports = { buildGraph };
