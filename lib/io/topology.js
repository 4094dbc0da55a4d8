'use strict';
// modelTopology: our models written as TF.js's `model.toJSON()` writes them, and models rebuilt
// from topologies written by TF.js, by the Keras converter or by us, through the public API.
const { fail, describe } = require('../errors');
const { layers: layerFactories, input, ACTIVATIONS } = require('../layers');
const { expertLayers } = require('../experts');
const { LayersModel, Sequential } = require('../model');
const { initializers, getInitializer } = require('../initializers');
const { regularizers } = require('../regularizers');
const { convertTsToPythonic, convertPythonicToTs, toSnakeCase } = require('./pythonic');

const TFJS_VERSION = '4.22.0';
const KERAS_VERSION = `tfjs-layers ${TFJS_VERSION}`;
const MERGE_CLASSES = ['Concatenate', 'Add', 'Multiply', 'Average'];
const EXPERT_CLASSES = ['MixtureOfExperts', 'CustomizedGateControl'];
const SUPPORTED = ['Dense', 'Dropout', 'Activation', ...MERGE_CLASSES, 'InputLayer', ...EXPERT_CLASSES];

// --- writing -------------------------------------------------------------------------------

const serializeInitializer = (init) => ({ className: init.className, config: { ...init.config } });
const serializeRegularizer = (reg) => (reg ? { className: 'L1L2', config: { l1: reg.l1, l2: reg.l2 } } : null);

/** TF.js `Layer.getConfig()` base: name and trainable, then the input shape if the layer was given one. */
function baseConfig(layer) {
  const config = { name: layer.name, trainable: layer.trainable };
  if (layer.batchInputShape) {
    config.batchInputShape = layer.batchInputShape.slice();
    config.dtype = 'float32';
  }
  return config;
}

/** A layer's config in TF.js's camelCase form, with every key TF.js writes, in its order. */
function layerConfig(layer) {
  switch (layer.className) {
    case 'InputLayer':
      return { batchInputShape: layer.batchInputShape.slice(), dtype: 'float32', sparse: false, name: layer.name };
    case 'Dense':
      return {
        units: layer.units, activation: layer.activation, useBias: layer.useBias,
        kernelInitializer: serializeInitializer(layer.kernelInitializer), biasInitializer: serializeInitializer(layer.biasInitializer),
        kernelRegularizer: serializeRegularizer(layer.kernelRegularizer), biasRegularizer: serializeRegularizer(layer.biasRegularizer),
        activityRegularizer: null, kernelConstraint: null, biasConstraint: null, ...baseConfig(layer),
      };
    case 'Dropout':
      return { rate: layer.rate, noiseShape: null, seed: layer.seed ?? null, ...baseConfig(layer) };
    case 'Activation':
      return { activation: layer.activation, ...baseConfig(layer) };
    case 'Concatenate':
      return { axis: layer.axis ?? -1, ...baseConfig(layer) };
    case 'Add': case 'Multiply': case 'Average':
      return baseConfig(layer);
    case 'MixtureOfExperts': case 'CustomizedGateControl': {
      const { kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, name, trainable, ...options } = layer.getConfig();
      return {
        ...options, kernelInitializer: serializeInitializer(kernelInitializer), biasInitializer: serializeInitializer(biasInitializer),
        kernelRegularizer: serializeRegularizer(kernelRegularizer), biasRegularizer: serializeRegularizer(biasRegularizer), ...baseConfig(layer),
      };
    }
    default:
      return fail(`model.save: cannot serialize layer '${layer.name}' of class ${layer.className}`);
  }
}

/** TF.js `Container.getConfig()`: layers with the inbound nodes that belong to this model. */
function functionalConfig(model) {
  const g = model._structure();
  // Which nodes of each layer are in this model (a layer may also be called in other models).
  const inModel = new Map(g.layers.map(l => [l, new Set()]));
  g.nodes.forEach(({ entry }) => inModel.get(entry.layer).add(entry.nodeIndex));
  // Node indices are renumbered over the nodes kept, as TF.js's node conversion map does.
  const newIndex = (layer, nodeIndex) => [...(inModel.get(layer) || [])].sort((a, b) => a - b).indexOf(nodeIndex);
  const ref = (t) => [t.sourceLayer.name, Math.max(0, newIndex(t.sourceLayer, t.nodeIndex)), t.tensorIndex];
  const layers = g.layers.map(layer => ({
    name: layer.name,
    className: layer.className,
    config: layerConfig(layer),
    inboundNodes: layer.inboundNodes
      .filter((node, i) => inModel.get(layer).has(i) && node.inputs.length > 0)
      .map(node => node.inputs.map(t => [...ref(t), {}])),
  }));
  return { name: model.name, layers, inputLayers: model.inputs.map(ref), outputLayers: model.outputs.map(ref) };
}

function sequentialConfig(model) {
  return { name: model.name, layers: model.layers.map(layer => ({ className: layer.className, config: layerConfig(layer) })) };
}

/** `model.toJSON(null, false)`: the python-style topology TF.js writes into model.json. */
function modelTopology(model) {
  const sequential = model instanceof Sequential;
  return convertTsToPythonic({
    className: sequential ? 'Sequential' : 'Model',
    config: sequential ? sequentialConfig(model) : functionalConfig(model),
    kerasVersion: KERAS_VERSION,
    backend: 'TensorFlow.js',
  });
}

// --- reading -------------------------------------------------------------------------------

const isObject = (v) => v != null && typeof v === 'object' && !Array.isArray(v);

// Config values the layer factories take as they come: a model file can hold anything, so their
// types are checked here (units, rate, activation, ... are checked where they are used).
const isDim = (d) => Number.isSafeInteger(d) && d > 0;
const isShape = (v) => Array.isArray(v) && v.length > 0 && v.every(d => d === null || isDim(d));
const CONFIG_TYPES = {
  name: [v => typeof v === 'string', 'a string'],
  trainable: [v => typeof v === 'boolean', 'true or false'],
  useBias: [v => typeof v === 'boolean', 'true or false'],
  sparse: [v => typeof v === 'boolean', 'true or false'],
  ragged: [v => typeof v === 'boolean', 'true or false'],
  seed: [v => Number.isSafeInteger(v) && v >= 0, 'a non-negative integer'],
  batchSize: [isDim, 'a positive integer'],
  batchInputShape: [isShape, 'a list of positive integers or nulls'],
  batchShape: [isShape, 'a list of positive integers or nulls'],
  inputShape: [isShape, 'a list of positive integers'],
};

/** Fails on the first config value of the wrong type, naming it as the file does (snake_case). */
function checkConfigTypes(c, what) {
  for (const [key, [valid, expected]] of Object.entries(CONFIG_TYPES)) {
    if (c[key] != null && !valid(c[key])) fail(`${what}: ${toSnakeCase(key)} must be ${expected} but got ${describe(c[key])}`);
  }
}

/** Initializer options are finite numbers, except the seed and the strings of VarianceScaling. */
function checkInitializerConfig(config, what) {
  if (config == null) return;
  if (!isObject(config)) fail(`${what}: config must be an object but got ${describe(config)}`);
  for (const [key, v] of Object.entries(config)) {
    if (v == null) continue;
    const [valid, expected] = key === 'seed' ? [Number.isSafeInteger(v) && v >= 0, 'a non-negative integer or null']
      : key === 'mode' || key === 'distribution' ? [typeof v === 'string', 'a string'] : [Number.isFinite(v), 'a finite number'];
    if (!valid) fail(`${what}: ${toSnakeCase(key)} must be ${expected} but got ${describe(v)}`);
  }
}

// Keras class names of initializers (TF.js registers the same) → our factories.
const INITIALIZER_CLASSES = {
  Zeros: () => initializers.zeros(),
  Ones: () => initializers.ones(),
  Constant: c => initializers.constant({ value: c.value }),
  RandomUniform: c => initializers.randomUniform(c),
  RandomNormal: c => initializers.randomNormal(c),
  TruncatedNormal: c => initializers.truncatedNormal(c),
  VarianceScaling: c => initializers.varianceScaling(c),
  GlorotUniform: c => initializers.glorotUniform(c),
  GlorotNormal: c => initializers.glorotNormal(c),
  HeUniform: c => initializers.heUniform(c),
  HeNormal: c => initializers.heNormal(c),
  LeCunUniform: c => initializers.leCunUniform(c),
  LeCunNormal: c => initializers.leCunNormal(c),
  LecunUniform: c => initializers.leCunUniform(c), // Keras's spelling
  LecunNormal: c => initializers.leCunNormal(c),
};

// Keras's string ids come back camel-cased ('lecun_normal' → 'lecunNormal').
const INITIALIZER_IDS = { lecunNormal: 'leCunNormal', lecunUniform: 'leCunUniform' };

function readInitializer(value, what) {
  if (value == null) return undefined;
  if (typeof value === 'string') return getInitializer(INITIALIZER_IDS[value] || value, what);
  const make = isObject(value) && INITIALIZER_CLASSES[value.className];
  if (!make) fail(`${what}: initializer ${describe(isObject(value) ? value.className : value)} is not supported; dense-mtl supports ${Object.keys(INITIALIZER_CLASSES).join(', ')}`);
  checkInitializerConfig(value.config, `${what} (${value.className})`);
  const { seed, ...rest } = value.config || {};
  return make({ ...rest, seed: seed ?? undefined });
}

function readRegularizer(value, what) {
  if (value == null) return undefined;
  const c = (isObject(value) && value.config) || {};
  switch (isObject(value) ? value.className : value) {
    case 'L1L2': return regularizers.l1l2({ l1: c.l1 ?? 0, l2: c.l2 ?? 0 });
    case 'L1': case 'l1': return regularizers.l1({ l1: c.l1 });
    case 'L2': case 'l2': return regularizers.l2({ l2: c.l2 });
    default: return fail(`${what}: regularizer ${describe(isObject(value) ? value.className : value)} is not supported; dense-mtl supports L1L2, L1 and L2`);
  }
}

function readActivation(value, what) {
  if (value == null) return undefined;
  const name = value === 'geluNew' ? 'gelu_new' : value; // 'gelu_new' comes back camel-cased
  if (!ACTIVATIONS.includes(name)) fail(`${what}: unknown activation ${describe(value)}; dense-mtl supports ${ACTIVATIONS.join(', ')}`);
  return name;
}

/** Layers compute in float32; Keras may write a dtype policy object instead of a string. */
function checkDtype(dtype, what) {
  const name = isObject(dtype) ? (dtype.config && dtype.config.name) : dtype;
  if (name != null && name !== 'float32') fail(`${what}: dtype ${describe(name)} is not supported (dense-mtl layers compute in float32)`);
}

function inputShapeOf(c, what) {
  const shape = c.batchInputShape ?? c.batchShape ?? (c.inputShape ? [c.batchSize ?? null, ...c.inputShape] : null);
  if (!Array.isArray(shape)) fail(`${what}: An InputLayer should be passed either a \`batchInputShape\` or an \`inputShape\`.`);
  return shape;
}

/** The arguments every layer takes, from a config (unknown keys are ignored, as TF.js does). */
function commonArgs(c, what) {
  checkDtype(c.dtype, what);
  const args = { name: c.name };
  if (c.trainable != null) args.trainable = c.trainable;
  if (c.batchInputShape != null) args.batchInputShape = c.batchInputShape;
  else if (c.inputShape != null) args.inputShape = c.inputShape;
  return args;
}

const LAYER_READERS = {
  Dense(c, what) {
    for (const key of ['kernelConstraint', 'biasConstraint']) {
      if (c[key] != null) fail(`${what}: ${key} is not supported by dense-mtl`);
    }
    return layerFactories.dense({
      ...commonArgs(c, what), units: c.units, activation: readActivation(c.activation, what), useBias: c.useBias ?? undefined,
      kernelInitializer: readInitializer(c.kernelInitializer, `${what} kernelInitializer`),
      biasInitializer: readInitializer(c.biasInitializer, `${what} biasInitializer`),
      kernelRegularizer: readRegularizer(c.kernelRegularizer, `${what} kernelRegularizer`),
      biasRegularizer: readRegularizer(c.biasRegularizer, `${what} biasRegularizer`),
      activityRegularizer: c.activityRegularizer ?? undefined,
    });
  },
  Dropout: (c, what) => layerFactories.dropout({ ...commonArgs(c, what), rate: c.rate, seed: c.seed ?? undefined, noiseShape: c.noiseShape ?? undefined }),
  Activation: (c, what) => layerFactories.activation({ ...commonArgs(c, what), activation: readActivation(c.activation, what) }),
  Concatenate: (c, what) => layerFactories.concatenate({ ...commonArgs(c, what), axis: c.axis ?? undefined }),
  Add: (c, what) => layerFactories.add(commonArgs(c, what)),
  Multiply: (c, what) => layerFactories.multiply(commonArgs(c, what)),
  Average: (c, what) => layerFactories.average(commonArgs(c, what)),
  MixtureOfExperts: (c, what) => expertLayers.mixtureOfExperts({ ...expertArgs(c, what), numExperts: c.numExperts }),
  CustomizedGateControl: (c, what) => expertLayers.customizedGateControl({
    ...expertArgs(c, what), sharedExperts: c.sharedExperts, taskExperts: c.taskExperts, outputShared: c.outputShared ?? undefined,
  }),
};

/** The options MMoE and CGC share (dense-mtl's own layers: only our files have them). */
function expertArgs(c, what) {
  return {
    ...commonArgs(c, what), numTasks: c.numTasks, expertUnits: c.expertUnits, expertActivation: readActivation(c.expertActivation, what),
    useBias: c.useBias ?? undefined,
    kernelInitializer: readInitializer(c.kernelInitializer, `${what} kernelInitializer`),
    biasInitializer: readInitializer(c.biasInitializer, `${what} biasInitializer`),
    kernelRegularizer: readRegularizer(c.kernelRegularizer, `${what} kernelRegularizer`),
    biasRegularizer: readRegularizer(c.biasRegularizer, `${what} biasRegularizer`),
  };
}

function unknownLayer(className, name, where) {
  return fail(`Unknown layer: ${className} (layer ${describe(name)} in ${where}). dense-mtl supports ${SUPPORTED.join(', ')}`);
}

/** Makes one layer from a `{className, config}` entry; errors name the layer and the source. */
function readLayer(entry, where, overrides = {}) {
  if (!isObject(entry) || typeof entry.className !== 'string' || !isObject(entry.config)) {
    fail(`${where}: a layer entry must be {class_name, config} but got ${JSON.stringify(entry)}`);
  }
  const name = entry.config.name ?? entry.name;
  const reader = LAYER_READERS[entry.className];
  if (!reader) unknownLayer(entry.className, name, where);
  const what = `${where}: layer '${name}' (${entry.className})`;
  checkConfigTypes({ ...entry.config, name, ...overrides }, what);
  try {
    return reader({ ...entry.config, name, ...overrides }, what);
  } catch (e) {
    throw e.message.startsWith(where) ? e : new Error(`${what}: ${e.message}`);
  }
}

/** A model's own name, if the file gives one. */
function modelName(config, where) {
  const name = Array.isArray(config) ? undefined : config.name ?? undefined;
  if (name !== undefined && typeof name !== 'string') fail(`${where}: the model's name must be a string but got ${describe(name)}`);
  return name;
}

function readSequential(config, where) {
  const entries = Array.isArray(config) ? config : config.layers;
  if (!Array.isArray(entries) || entries.length === 0) fail(`${where}: a Sequential config needs a non-empty 'layers' list`);
  const model = new Sequential({ name: modelName(config, where) });
  // Keras writes an explicit InputLayer first; TF.js puts the shape on the first layer instead.
  let inputShape = null;
  entries.forEach((entry, i) => {
    if (entry && entry.className === 'InputLayer') {
      if (i !== 0) fail(`${where}: an InputLayer may only come first in a Sequential model`);
      checkConfigTypes(entry.config || {}, `${where}: layer '${entry.config && entry.config.name}' (InputLayer)`);
      checkDtype(entry.config && entry.config.dtype, `${where}: layer '${entry.config && entry.config.name}' (InputLayer)`);
      inputShape = inputShapeOf(entry.config || {}, `${where}: layer '${entry.config && entry.config.name}'`);
      return;
    }
    const first = inputShape && model.layers.length === 0;
    model.add(readLayer(entry, where, first ? { batchInputShape: inputShape, inputShape: undefined } : {}));
  });
  return model;
}

/** The `[layerName, nodeIndex, tensorIndex]` references of input_layers/output_layers. */
function tensorRefs(refs, what, where) {
  if (!Array.isArray(refs) || refs.length === 0) fail(`${where}: '${what}' must be a non-empty list of [layerName, nodeIndex, tensorIndex]`);
  return typeof refs[0] === 'string' ? [refs] : refs; // Keras may write a single ref unwrapped
}

/** TF.js `Container.fromConfig`: create the layers, then call them as their inputs become available. */
function readFunctional(config, where) {
  if (!Array.isArray(config.layers)) fail(`${where}: a functional model config needs a 'layers' list`);
  const created = new Map();
  const pending = new Map();
  for (const entry of config.layers) {
    const name = entry && (entry.name ?? (entry.config && entry.config.name));
    if (created.has(name)) fail(`${where}: layer name '${name}' is used twice`);
    if (entry && entry.className === 'InputLayer') {
      const c = entry.config || {};
      checkConfigTypes({ ...c, name }, `${where}: layer '${name}' (InputLayer)`);
      checkDtype(c.dtype, `${where}: layer '${name}' (InputLayer)`);
      if (c.sparse || c.ragged) fail(`${where}: layer '${name}' (InputLayer): sparse and ragged inputs are not supported`);
      created.set(name, input({ batchShape: inputShapeOf(c, `${where}: layer '${name}'`), name }).sourceLayer);
    } else {
      created.set(name, readLayer({ ...entry, config: { ...(entry && entry.config), name } }, where));
    }
    const nodes = (entry && entry.inboundNodes) || [];
    if (!Array.isArray(nodes) || !nodes.every(Array.isArray)) fail(`${where}: layer '${name}': Corrupted configuration, expected array for nodeData: ${JSON.stringify(nodes)}`);
    pending.set(name, nodes.slice());
  }
  const tensorOf = (ref, owner) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !Number.isSafeInteger(ref[1]) || ref[1] < 0) {
      fail(`${where}: layer '${owner}': an inbound node reference must be [layerName, nodeIndex, tensorIndex] but got ${JSON.stringify(ref)}`);
    }
    const [layerName, nodeIndex, tensorIndex] = ref;
    const layer = created.get(layerName);
    if (!layer) fail(`${where}: layer '${owner}' takes input from '${layerName}', which is not in the model`);
    const node = layer.inboundNodes[nodeIndex];
    if (!node) return null;
    const outputs = Array.isArray(node.output) ? node.output : [node.output];
    const k = tensorIndex ?? 0;
    if (!Number.isSafeInteger(k) || k < 0 || k >= outputs.length) {
      fail(`${where}: layer '${owner}' takes output ${JSON.stringify(tensorIndex)} of '${layerName}', which has ${outputs.length === 1 ? 'one output' : `${outputs.length} outputs`}`);
    }
    return outputs[k];
  };
  // Repeat over the layers until every node is made (shared layers may wait for later ones).
  let progress = true;
  while (progress && [...pending.values()].some(q => q.length)) {
    progress = false;
    for (const [name, queue] of pending) {
      while (queue.length) {
        const inputs = queue[0].map(ref => tensorOf(ref, name));
        if (inputs.some(t => t === null)) break;
        created.get(name).apply(inputs.length === 1 ? inputs[0] : inputs);
        queue.shift();
        progress = true;
      }
    }
  }
  const stuck = [...pending].filter(([, q]) => q.length).map(([n]) => n);
  if (stuck.length) fail(`${where}: the inbound nodes of ${stuck.join(', ')} refer to nodes that never exist (a cycle or a bad node index)`);
  const tensors = (refs, what) => tensorRefs(refs, what, where).map((ref) => {
    const t = tensorOf(ref, what);
    if (!t) fail(`${where}: '${what}' refers to node ${ref[1]} of '${ref[0]}', which does not exist`);
    return t;
  });
  return new LayersModel({ name: modelName(config, where), inputs: tensors(config.inputLayers, 'input_layers'), outputs: tensors(config.outputLayers, 'output_layers') });
}

// --- Keras 3 ------------------------------------------------------------------------------

const KERAS_TENSOR = '__keras_tensor__';

/** The `keras_history` of every KerasTensor in a Keras 3 call's args, in order. */
function kerasTensorRefs(value, out = []) {
  if (Array.isArray(value)) value.forEach(v => kerasTensorRefs(v, out));
  else if (isObject(value)) {
    if (value.class_name === KERAS_TENSOR) out.push(value.config && value.config.keras_history);
    else Object.values(value).forEach(v => kerasTensorRefs(v, out));
  }
  return out;
}

/**
 * Keras 3 writes a functional layer's inbound node as the call itself, `{args, kwargs}` with
 * KerasTensors whose `keras_history` is `[layer, node, tensor]`; Keras 2 and TF.js write the
 * list of those references. Rewritten here, before the camelCase conversion (which would
 * otherwise rename the layer names inside).
 */
function legacyInboundNodes(pythonic, where) {
  const config = pythonic.config;
  if (!isObject(config) || !Array.isArray(config.layers)) return pythonic;
  const layers = config.layers.map((layer) => {
    if (!isObject(layer) || !Array.isArray(layer.inbound_nodes) || !layer.inbound_nodes.some(isObject)) return layer;
    const inbound = layer.inbound_nodes.map((node) => {
      if (!isObject(node)) return node;
      const refs = kerasTensorRefs(node.args);
      if (refs.length === 0) fail(`${where}: layer '${layer.name}': inbound node ${JSON.stringify(node).slice(0, 200)} has no KerasTensor in its args`);
      return refs.map(ref => (Array.isArray(ref) ? [...ref.slice(0, 3), {}] : ref));
    });
    return { ...layer, inbound_nodes: inbound };
  });
  return { ...pythonic, config: { ...config, layers } };
}

/**
 * Keras 3's `.keras` weights file (and the converter's output from it) names a layer's weights
 * `layers/<slot>/vars/<i>`, where the slot is the layer's class in snake_case, numbered in the
 * order of the model's layers (`dense`, `dense_1`, ...), as Keras's saving_lib names them.
 * Returns Map(slot → layer name).
 */
function kerasWeightSlots(topology) {
  const pythonic = isObject(topology) && topology.model_config != null ? topology.model_config : topology;
  const config = isObject(pythonic) ? pythonic.config : null;
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  const used = new Map();
  const slots = new Map();
  for (const layer of layers) {
    if (!isObject(layer) || typeof layer.class_name !== 'string') continue;
    const base = toSnakeCase(layer.class_name);
    const count = used.get(base) || 0;
    used.set(base, count + 1);
    const name = layer.name ?? (isObject(layer.config) ? layer.config.name : undefined);
    slots.set(count === 0 ? base : `${base}_${count}`, name);
  }
  return slots;
}

/** A model from a model.json `modelTopology` (Keras-converter files nest it in `model_config`). */
function modelFromTopology(topology, where) {
  if (!isObject(topology)) fail(`${where}: modelTopology must be an object but got ${describe(topology)}`);
  const pythonic = legacyInboundNodes(topology.model_config != null ? topology.model_config : topology, where);
  const ts = convertPythonicToTs(pythonic);
  if (!isObject(ts) || ts.config == null) fail(`${where}: modelTopology must be {class_name, config} but has keys ${Object.keys(ts || {}).join(', ')}`);
  switch (ts.className) {
    case 'Sequential': return readSequential(ts.config, where);
    case 'Model': case 'Functional': return readFunctional(ts.config, where);
    default: return unknownLayer(ts.className, ts.config.name, where);
  }
}

module.exports = { modelTopology, modelFromTopology, kerasWeightSlots, TFJS_VERSION };
