'use strict';
// LayersModel (tf.model) and Sequential (tf.sequential): the TF.js model API over a NativeModel.
const { NativeModel, targetWidths } = require('./native');
const { getUid } = require('./names');
const { fail, describe, positiveInteger, nonNegativeInteger, finiteNumber } = require('./errors');
const { InputLayer, SymbolicTensor, Layer } = require('./layers');
const { buildGraph } = require('./graph');
const { getOptimizer, attachModel } = require('./optimizers');
const { shapeMismatch, toBlocks, matrixTensor, classWeightsPerOutput } = require('./data');
const { Tensor, scalar, isTensor, makeTensor } = require('./tensor');
const { printSummary, isSequentialLike } = require('./summary');
const { lossName, metricName } = require('./functions');
const { History, standardizeCallbacks, callAll, usesHook, divergenceHandled } = require('./callbacks');
const { ProgressLogger } = require('./progbar');
const { fitDataset, evaluateDataset } = require('./fit_dataset');
const { runInSlices, trackTraining, untrackTraining, toLogs, epochLogsFrom, divergence } = require('./native_run');
const { expose, ownerOf, setOwner } = require('./model_internals');
const { saveModel } = require('./io/save');

const DEFAULT_BATCH_SIZE = 32;
const YIELD_EVERY_MS = 125; // TF.js's yieldEvery 'auto'
const TINY_STEP = 1 << 18; // rows × parameters below which a single training step runs inline

class LayersModel {
  constructor(args = {}) {
    this.name = args.name ?? getUid(this.constructor === LayersModel ? 'model' : 'sequential_');
    this._stopTraining = false;
    this._native = null;
    this._compileSpec = null;
    this.history = null;
    expose(this, {
      native: () => this._model(),
      structure: () => this._structure(),
      compileSpec: () => this._compileSpec,
      targetWidths: () => this._targetWidths(),
      inputBlocks: (x, what) => this._inputBlocks(x, what),
      targetBlocks: (y, rows, what) => this._targetBlocks(y, rows, what),
      paramCount: () => this._paramCount(),
      layerWeights: (layer) => this._layerWeights(layer),
      setLayerWeights: (layer, weights) => this._setLayerWeights(layer, weights),
    });
    if (this.constructor === LayersModel) {
      const inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
      const outputs = Array.isArray(args.outputs) ? args.outputs : [args.outputs];
      for (const t of [...inputs, ...outputs]) {
        if (!(t instanceof SymbolicTensor)) fail(`model: inputs and outputs must be symbolic tensors (from tf.input and layer.apply) but got ${describe(t)}`);
      }
      this._inputs = inputs;
      this._outputs = outputs;
      const layers = this._structure().layers;
      const before = layers.map(l => [l, ownerOf(l), weightSources.get(l)]);
      layers.forEach(l => this._claim(l));
      try {
        this._model(); // the core checks the graph now, as TF.js does
      } catch (err) {
        // A model that cannot be built takes no layer from the model that holds it.
        for (const [layer, owner, source] of before) {
          setOwner(layer, owner);
          if (source) weightSources.set(layer, source);
          else weightSources.delete(layer);
        }
        throw err;
      }
    }
  }

  // --- structure ---------------------------------------------------------------------------

  get inputs() { return this._inputs.slice(); }
  get outputs() { return this._outputs.slice(); }
  get inputNames() { return this._inputs.map(t => t.sourceLayer.name); }
  /** Output layers' names, made unique as Keras does when a layer gives several outputs (`mmoe`, `mmoe_1`). */
  get outputNames() {
    const names = [];
    for (const t of this._outputs) {
      let name = t.sourceLayer.name;
      for (let count = 1; names.includes(name); count++) name = `${t.sourceLayer.name}_${count}`;
      names.push(name);
    }
    return names;
  }
  get inputLayers() { return this._inputs.map(t => t.sourceLayer); }
  get outputLayers() { return this._outputs.map(t => t.sourceLayer); }
  get layers() { return this._structure().layers; }

  _structure() {
    if (!this._graph) this._graph = buildGraph(this._inputs, this._outputs);
    return this._graph;
  }

  /** Builds the native model on first use (and after a Sequential grows), keeping known weights. */
  _model() {
    if (this._native) return this._native;
    const g = this._structure();
    const spec = {
      name: this.name,
      layers: g.layers.map(l => l.toNative()),
      nodes: g.nodes.map(({ layer, inputs, output }) => ({ layer, inputs, output })),
      inputs: g.inputs,
      outputs: g.outputs,
    };
    // Weights the layers already have (in this model before it grew, or in another model).
    const carried = new Map();
    for (const layer of g.layers) {
      const previousOwner = weightSources.get(layer);
      const source = this._staleNative || (previousOwner && previousOwner._native);
      weightSources.delete(layer);
      if (source) {
        const values = source.getWeights();
        source.weightInfo().forEach((w, i) => { if (w.name.startsWith(`${layer.name}/`)) carried.set(w.name, values[i]); });
      }
    }
    // Only once the new model is built: a layer the core refuses leaves the old weights to carry.
    const native = new NativeModel(spec);
    this._staleNative = null;
    if (carried.size) {
      const info = native.weightInfo();
      const values = native.getWeights();
      info.forEach((w, i) => {
        const old = carried.get(w.name);
        if (old && old.length === values[i].length) values[i] = old;
      });
      native.setWeights(values);
    }
    if (this._compileSpec) native.compile(this._compileSpec);
    this._native = native;
    return native;
  }

  /** Makes this model the owner of a layer's weights; a previous owner's values carry over. */
  _claim(layer) {
    const owner = ownerOf(layer);
    if (owner && owner !== this) weightSources.set(layer, owner);
    setOwner(layer, this);
  }

  _namedWeights() {
    const native = this._model();
    return { names: native.weightInfo().map(w => w.name), values: native.getWeights() };
  }

  getLayer(nameOrIndex, index) {
    const layers = this.layers;
    if (index !== undefined || typeof nameOrIndex === 'number') {
      const i = index ?? nameOrIndex;
      if (!Number.isInteger(i) || i < 0 || i >= layers.length) fail(`getLayer: index must be in [0, ${layers.length}) but got ${describe(i)}`);
      return layers[i];
    }
    const found = layers.find(l => l.name === nameOrIndex);
    if (!found) fail(`getLayer: no layer named ${describe(nameOrIndex)}; the layers are ${layers.map(l => l.name).join(', ')}`);
    return found;
  }

  countParams() { return this._model().countParams(); }

  _paramCount() {
    if (this._paramCountOf !== this._native) {
      this._paramCountCache = this._model().countParams();
      this._paramCountOf = this._native;
    }
    return this._paramCountCache;
  }

  // --- weights -----------------------------------------------------------------------------

  get weights() {
    const native = this._model();
    return native.weightInfo().map((w, i) => ({
      name: w.name, originalName: w.name, shape: w.shape, dtype: 'float32', trainable: w.trainable,
      read: () => matrixLike(this._model().getWeights()[i], w.shape),
    }));
  }
  get trainableWeights() { return this.weights.filter(w => w.trainable); }
  get nonTrainableWeights() { return this.weights.filter(w => !w.trainable); }

  getWeights(trainableOnly = false) {
    const native = this._model();
    const info = native.weightInfo();
    return native.getWeights().map((v, i) => [v, info[i]]).filter(([, w]) => !trainableOnly || w.trainable)
      .map(([v, w]) => matrixLike(v, w.shape));
  }

  setWeights(weights) {
    const native = this._model();
    const info = native.weightInfo();
    if (!Array.isArray(weights)) fail(`setWeights: expected an array of ${info.length} tensors but got ${describe(weights)}`);
    // The core checks the count (and sizes); shapes are TF.js's, seen here only.
    const arrays = weights.map((t, i) => {
      if (!isTensor(t)) fail(`setWeights: weight ${i}${info[i] ? ` (${info[i].name})` : ''} must be a Tensor but got ${describe(t)}`);
      if (info[i] && (t.shape.length !== info[i].shape.length || t.shape.some((d, k) => d !== info[i].shape[k]))) {
        fail(`setWeights: weight ${info[i].name} has shape [${info[i].shape}] but the tensor given for it has shape [${t.shape}]`);
      }
      return Float32Array.from(t.dataSync());
    });
    native.setWeights(arrays);
  }

  _layerWeights(layer) {
    const { names, values } = this._namedWeights();
    const info = this._model().weightInfo();
    return names.map((n, i) => [n, i]).filter(([n]) => n.startsWith(`${layer.name}/`)).map(([, i]) => matrixLike(values[i], info[i].shape));
  }

  _setLayerWeights(layer, weights) {
    const info = this._model().weightInfo();
    const all = this.getWeights();
    const mine = info.map((w, i) => i).filter(i => info[i].name.startsWith(`${layer.name}/`));
    if (!Array.isArray(weights) || weights.length !== mine.length) {
      fail(`${layer.name}.setWeights: the layer has ${mine.length} weight(s) but ${Array.isArray(weights) ? weights.length : describe(weights)} were given`);
    }
    mine.forEach((idx, k) => { all[idx] = weights[k]; });
    this.setWeights(all);
  }

  // --- compile -----------------------------------------------------------------------------

  /**
   * dense-mtl only: changes the fixed loss weights (an array, or {outputName: weight}) of a
   * compiled model, e.g. from a callback, without resetting the optimizer or balancing state.
   */
  setLossWeights(weights) {
    const list = Array.isArray(weights) ? weights : perOutput(weights, this.outputNames, 'lossWeights', true);
    this._model().setLossWeights(list);
    if (this._compileSpec) this._compileSpec.heads.forEach((h, i) => (h.lossWeight = list[i]));
  }

  compile(args = {}) {
    if (args == null || typeof args !== 'object') fail(`compile: expected {optimizer, loss, metrics?} but got ${describe(args)}`);
    if (args.loss == null) fail('compile: loss is required (e.g. "meanSquaredError")');
    if (args.optimizer == null) fail('compile: optimizer is required (e.g. "sgd" or tf.train.adam())');
    const optimizer = getOptimizer(args.optimizer);
    const outputs = this.outputNames;
    const losses = perOutput(args.loss, outputs, 'loss', true).map((l, i) => lossName(l, `compile: loss for output '${outputs[i]}'`));
    const metricLists = perOutputMetrics(args.metrics, outputs);
    const weights = args.lossWeights == null ? outputs.map(() => 1) : perOutput(args.lossWeights, outputs, 'lossWeights', true);
    // NaN and infinities cannot reach the core (JSON has none); the core checks the range.
    weights.forEach((w, i) => finiteNumber(w, `compile: lossWeights for output '${outputs[i]}'`));
    const spec = {
      optimizer: optimizer.toNative(),
      heads: outputs.map((_, i) => ({ loss: losses[i], metrics: metricLists[i], lossWeight: weights[i] })),
      taskWeighting: taskWeightingSpec(args.taskWeighting),
      gradientSurgery: gradientSurgerySpec(args.gradientSurgery),
    };
    this._model().compile(spec);
    this._compileSpec = spec;
    this.optimizer = optimizer;
    attachModel(optimizer, this);
    this.loss = args.loss;
    this.metrics = args.metrics;
    this.compiled = true;
  }

  get metricsNames() { return this._model().metricsNames(); }

  /** Per output, the width of the targets its loss takes; the core's "compile first" error before compile. */
  _targetWidths() {
    return targetWidths(this._model(), 'training/testing');
  }

  // --- data --------------------------------------------------------------------------------

  _inputBlocks(x, what) {
    const names = this.inputNames;
    const blocks = toBlocks(x, names, what);
    const widths = this._inputs.map(t => t.shape[1]);
    blocks.cols.forEach((c, i) => {
      if (c !== widths[i]) fail(`${what}: ${shapeMismatch(names[i], widths[i], blocks.shapes[i])}`);
    });
    return blocks;
  }

  _targetBlocks(y, rows, what) {
    const names = this.outputNames;
    const blocks = toBlocks(y, names, what);
    const widths = this._outputs.map(t => t.shape[1]);
    const targetWidths = this._targetWidths();
    blocks.cols.forEach((c, i) => {
      const expected = targetWidths[i];
      if (c !== expected) {
        const why = expected !== widths[i] ? ' (class indices, one per row, with sparseCategoricalCrossentropy)' : ` (${widths[i]} unit(s))`;
        fail(`${what}: ${shapeMismatch(names[i], expected, blocks.shapes[i])}${why}`);
      }
    });
    if (blocks.rows !== rows) fail(`${what} has ${blocks.rows} row(s) but x has ${rows}; they must match`);
    return blocks;
  }

  /** One weight array (or null) per output, from a tensor (every output), an array or an object by name. */
  _sampleWeights(sampleWeight, rows) {
    if (sampleWeight == null) return null;
    const names = this.outputNames;
    const one = (w, name) => {
      if (w == null) return null;
      const t = isTensor(w) ? w : makeTensor(w, undefined, 'float32', 'fit', 'sampleWeight');
      const values = Float32Array.from(t.dataSync());
      if (t.size !== rows || (t.rank === 2 && t.shape[1] !== 1) || t.rank > 2) {
        fail(`fit: sampleWeight for output '${name}' must hold one weight per row (${rows}) but has shape [${t.shape}]`);
      }
      return values;
    };
    if (isTensor(sampleWeight) || (Array.isArray(sampleWeight) && typeof sampleWeight[0] === 'number')) {
      return names.map(n => one(sampleWeight, n));
    }
    if (Array.isArray(sampleWeight)) {
      if (sampleWeight.length !== names.length) fail(`fit: sampleWeight has ${sampleWeight.length} entries but the model has ${names.length} output(s) (${names.join(', ')})`);
      return sampleWeight.map((w, i) => one(w, names[i]));
    }
    const unknown = Object.keys(sampleWeight).filter(k => !names.includes(k));
    if (unknown.length) fail(`fit: sampleWeight names '${unknown[0]}', which is not an output; the outputs are ${names.join(', ')}`);
    return names.map(n => one(sampleWeight[n], n));
  }

  // --- fit ---------------------------------------------------------------------------------

  get stopTraining() { return this._stopTraining; }
  /** Read by a running fit after each batch, wherever it is set from (as in TF.js). */
  set stopTraining(value) {
    this._stopTraining = Boolean(value);
    if (this._native) this._native.setStopTraining(this._stopTraining);
  }

  async fit(x, y, args = {}) {
    this._targetWidths(); // the core's compile check comes first, as in TF.js
    const batchSize = positiveInteger(args.batchSize ?? DEFAULT_BATCH_SIZE, 'fit: batchSize');
    const epochs = nonNegativeInteger(args.epochs ?? 1, 'fit: epochs');
    const initialEpoch = nonNegativeInteger(args.initialEpoch ?? 0, 'fit: initialEpoch');
    const verbose = args.verbose ?? 1;
    // A NaN could not reach the core (JSON has none); the core checks the range.
    const validationSplit = finiteNumber(args.validationSplit ?? 0, 'fit: validationSplit');
    if (args.shuffle === 'batch') fail("fit: shuffle 'batch' is not supported");
    const xs = this._inputBlocks(x, 'fit: x');
    const ys = this._targetBlocks(y, xs.rows, 'fit: y');
    let validation = null;
    if (args.validationData != null) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) fail('fit: validationData must be [xVal, yVal]');
      const vx = this._inputBlocks(args.validationData[0], 'fit: validationData x');
      const vy = this._targetBlocks(args.validationData[1], vx.rows, 'fit: validationData y');
      validation = [vx.arrays, vy.arrays, vx.rows];
    }
    const callbacks = standardizeCallbacks(args.callbacks);
    const options = {
      batchSize, epochs, initialEpoch, shuffle: args.shuffle ?? true, seed: args.seed ?? null,
      validationSplit: validation ? 0 : validationSplit, classWeights: classWeightsPerOutput(args.classWeight, this.outputNames),
    };
    const sampleWeights = this._sampleWeights(args.sampleWeight, xs.rows);
    // The core refuses a second fit while one runs.
    const trainer = this._model().startFit(xs.arrays, ys.arrays, xs.rows, validation, sampleWeights, options);
    this.stopTraining = false;
    trackTraining(this._native);
    try {
      return await this._fitLoop(trainer, { epochs, initialEpoch, batchSize, verbose, callbacks, yieldCallbacks: callbacks });
    } finally {
      trainer.finish();
      untrackTraining(this._native);
    }
  }

  async _fitLoop(trainer, { epochs, initialEpoch, batchSize, verbose, callbacks }) {
    const names = trainer.logNames;
    const history = new History();
    const all = [...callbacks];
    if (verbose === 1) all.push(new ProgressLogger({ epochs, stepsPerEpoch: trainer.stepsPerEpoch, samples: trainer.samples }));
    all.push(history);
    const params = { epochs, initialEpoch, samples: trainer.samples, steps: null, batchSize, verbose, doValidation: trainer.validating, metrics: names };
    all.forEach((cb) => { if (cb.setModel) cb.setModel(this); if (cb.setParams) cb.setParams(params); });
    history.params = params;
    this.history = history;
    const trainNames = this.metricsNames;
    const batchLevel = usesHook(callbacks, 'onBatchBegin') || usesHook(callbacks, 'onBatchEnd');
    const onYield = usesHook(callbacks, 'onYield');
    const progress = verbose === 1;
    const epochLevel = callbacks.length > 0 || progress;

    await callAll(all, 'onTrainBegin', {});
    this.stopTraining = false; // as TF.js: after onTrainBegin
    // A fit stopped mid-epoch still ends that epoch, with the means of the batches run (TF.js).
    const partialEpoch = () => (trainer.batchesInEpoch > 0 ? toLogs(trainer.partialEpochLogs(), trainNames) : null);
    const diverged = (report) => {
      const partial = partialEpoch();
      if (partial) history.record(trainer.epoch, partial);
      return divergence(report.diverged, history);
    };
    if (!epochLevel) {
      // Nothing to call between epochs: the whole fit runs natively in one go.
      const report = epochs > initialEpoch ? await runInSlices(trainer, { epochs: epochs - initialEpoch, batches: 0, budgetMs: 0, recordBatches: false }) : { epochs: [] };
      for (const e of report.epochs) history.record(e.epoch, epochLogsFrom(e.logs, names));
      if (report.diverged) throw diverged(report);
      if (report.stopped) {
        const partial = partialEpoch();
        if (partial) history.record(trainer.epoch, partial);
      }
    } else {
      for (let epoch = initialEpoch; epoch < epochs; epoch++) {
        await callAll(all, 'onEpochBegin', epoch, {});
        let epochLogs = null;
        let batch = 0;
        while (!epochLogs) {
          if (batchLevel) await callAll(all, 'onBatchBegin', batch, { batch, size: Math.min(batchSize, trainer.samples - batch * batchSize) });
          batch += 1;
          const report = await runInSlices(trainer, {
            epochs: 1, batches: batchLevel ? 1 : 0, budgetMs: batchLevel ? 0 : (progress || onYield ? YIELD_EVERY_MS : 0),
            recordBatches: batchLevel || progress || onYield,
          });
          for (const b of report.batches) {
            await callAll(all, 'onBatchEnd', b.batch, { batch: b.batch, size: b.size, ...toLogs(b.logs, trainNames) });
          }
          // terminateOnNaN turns the rejection into a stop (the epoch ends with the batches run).
          if (report.diverged && !(await divergenceHandled(all, report.diverged))) throw diverged(report);
          if (report.epochs.length) epochLogs = epochLogsFrom(report.epochs[0].logs, names);
          if (onYield && report.batches.length) {
            const last = report.batches[report.batches.length - 1];
            await callAll(callbacks, 'onYield', epoch, last.batch, toLogs(last.logs, trainNames));
          }
          if (this._stopTraining && !epochLogs) epochLogs = partialEpoch() ?? {};
        }
        await callAll(all, 'onEpochEnd', epoch, epochLogs);
        if (this._stopTraining) break;
      }
    }
    await callAll(all, 'onTrainEnd', {});
    return history;
  }

  /** Trains on the elements of a tf.data dataset (see lib/fit_dataset.js). */
  async fitDataset(dataset, args) { return fitDataset(this, dataset, args); }

  async evaluateDataset(dataset, args) { return evaluateDataset(this, dataset, args); }

  /** One optimizer step on a whole batch, natively off the JavaScript thread; logs in metricsNames order. */
  async _trainBatch(x, y, { classWeight } = {}) {
    this._targetWidths(); // the core's compile check; the core also refuses a step while a fit runs
    const xs = this._inputBlocks(x, 'trainOnBatch: x');
    const ys = this._targetBlocks(y, xs.rows, 'trainOnBatch: y');
    const options = { classWeights: classWeightsPerOutput(classWeight, this.outputNames) };
    // A tiny step (a few microseconds) runs inline: the hand-off to a worker thread and back
    // would cost tens of microseconds. Larger steps run off the JavaScript thread.
    if (xs.rows * this._paramCount() < TINY_STEP) return this._model().trainBatchSync(xs.arrays, ys.arrays, xs.rows, options);
    return this._model().trainBatch(xs.arrays, ys.arrays, xs.rows, options);
  }

  async trainOnBatch(x, y) {
    const values = await this._trainBatch(x, y);
    return values.length === 1 ? values[0] : values;
  }

  // --- evaluate / predict ------------------------------------------------------------------

  evaluate(x, y, args = {}) {
    this._targetWidths(); // the core's compile check
    const batchSize = positiveInteger(args.batchSize ?? DEFAULT_BATCH_SIZE, 'evaluate: batchSize');
    if (args.verbose) fail('evaluate: Verbose mode is not implemented yet.');
    const xs = this._inputBlocks(x, 'evaluate: x');
    const ys = this._targetBlocks(y, xs.rows, 'evaluate: y');
    const values = this._model().evaluate(xs.arrays, ys.arrays, xs.rows, batchSize).map(v => scalar(v));
    return values.length === 1 ? values[0] : values;
  }

  predict(x, args = {}) {
    const batchSize = positiveInteger(args.batchSize ?? DEFAULT_BATCH_SIZE, 'predict: batchSize');
    const xs = this._inputBlocks(x, 'predict: x');
    const outs = this._model().predict(xs.arrays, xs.rows, batchSize);
    const tensors = outs.map((data, i) => matrixTensor(data, xs.rows, this._outputs[i].shape[1]));
    return tensors.length === 1 ? tensors[0] : tensors;
  }

  predictOnBatch(x) {
    const rows = toBlocks(x, this.inputNames, 'predictOnBatch: x').rows;
    return this.predict(x, { batchSize: Math.max(1, rows) });
  }

  // --- misc --------------------------------------------------------------------------------

  summary(lineLength, positions, printFn = console.log) {
    const g = this._structure();
    const native = this._model();
    const sequential = this instanceof Sequential;
    const layers = (sequential ? g.layers.filter(l => !(l instanceof InputLayer)) : g.layers).map((layer) => {
      const nodes = layer.inboundNodes.filter(n => g.nodes.some(gn => gn.entry.node === n));
      const inputShapes = (n) => (n.inputs.length ? n.inputs.map(t => t.shape) : [layer.batchInputShape]);
      // A layer with several outputs shows the list of their shapes, as TF.js does.
      const outputShapes = (output) => (Array.isArray(output) ? output.map(t => t.shape) : output.shape);
      const entry = {
        name: layer.name, className: layer.className, inputShapes: inputShapes(nodes[0]), outputShape: outputShapes(nodes[0].output),
        params: layer.countParams(),
        inbound: nodes.flatMap(n => n.inputs.map(t => [t.sourceLayer.name, t.nodeIndex, t.tensorIndex])),
      };
      if (nodes.length > 1) entry.nodeInputShapes = nodes.map(inputShapes);
      return entry;
    });
    const info = native.weightInfo();
    const size = (w) => w.shape.reduce((a, b) => a * b, 1);
    printSummary({
      sequentialLike: isSequentialLike(layers), layers,
      trainableParams: info.filter(w => w.trainable).reduce((s, w) => s + size(w), 0),
      nonTrainableParams: info.filter(w => !w.trainable).reduce((s, w) => s + size(w), 0),
    }, lineLength, positions, printFn);
  }

  getClassName() { return this instanceof Sequential ? 'Sequential' : 'Model'; }

  /** Metadata saved with the model (TF.js's userDefinedMetadata, at most 1 MiB as JSON). */
  setUserDefinedMetadata(metadata) {
    if (metadata != null && (typeof metadata !== 'object' || Array.isArray(metadata))) fail(`setUserDefinedMetadata: expected a plain object but got ${describe(metadata)}`);
    if (metadata != null && JSON.stringify(metadata).length > 1 << 20) fail('setUserDefinedMetadata: the metadata is larger than 1 MiB as JSON');
    this._userDefinedMetadata = metadata ?? undefined;
  }

  getUserDefinedMetadata() { return this._userDefinedMetadata; }

  /** Saves in the TF.js layers format (see lib/io.js): a URL, a path or an IO handler. */
  async save(handlerOrURL, config) {
    return saveModel(this, handlerOrURL, config);
  }

  dispose() { return { refCountAfterDispose: 0, numDisposedVariables: 0 }; }
}

class Sequential extends LayersModel {
  constructor(args = {}) {
    super({ name: args.name });
    this._inputs = [];
    this._outputs = [];
    this._layers = [];
    if (args.layers != null) {
      if (!Array.isArray(args.layers)) fail(`sequential: layers must be an array but got ${describe(args.layers)}`);
      args.layers.forEach(l => this.add(l));
    }
  }

  get layers() { return this._layers.slice(); }

  add(layer) {
    if (!(layer instanceof Layer)) fail(`Sequential.add: expected a layer (e.g. tf.layers.dense(...)) but got ${describe(layer)}`);
    if (this._layers.includes(layer)) fail(`Sequential.add: layer '${layer.name}' is already in the model`);
    // Layer names are checked by the core when the model is built (on first use, as in TF.js).
    let input;
    if (this._layers.length === 0) {
      if (!layer.batchInputShape) fail('The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument.');
      const inputLayer = new InputLayer({ name: `${layer.name}_input`, batchInputShape: layer.batchInputShape });
      input = new SymbolicTensor(layer.batchInputShape, inputLayer, 0, inputLayer.name);
      inputLayer.inboundNodes.push({ inputs: [], output: input });
      this._inputs = [input];
    } else {
      input = this._outputs[0];
    }
    // A layer with one output per task cannot be a Sequential model's one output (nothing changed yet).
    if (layer.returnsList) fail(`Sequential.add: layer '${layer.name}' (${layer.className}) returns one tensor per task; use the functional API (tf.model) for it`);
    const output = layer.apply(input); // the core checks the layer here; nothing has changed yet
    this._layers.push(layer);
    if (this._layers.length === 1) this._claim(input.sourceLayer);
    this._claim(layer);
    this._outputs = [output];
    this._invalidate();
  }

  pop() {
    if (this._layers.length === 0) fail('Sequential.pop: there are no layers in the model');
    const layer = this._layers.pop();
    layer.inboundNodes.pop();
    this._outputs = this._layers.length ? [this._layers[this._layers.length - 1].inboundNodes.at(-1).output] : [];
    if (!this._layers.length) this._inputs = [];
    this._invalidate();
  }

  // The structure changed: rebuild the native model on next use, carrying the current weights over.
  _invalidate() {
    this._graph = null;
    this._staleNative = this._native || this._staleNative;
    this._native = null;
  }

  _structure() {
    if (this._layers.length === 0) fail('Sequential model is empty: add a layer with an inputShape first');
    return super._structure();
  }
}

// --- helpers -------------------------------------------------------------------------------

// A layer whose weights this model takes over -> the model that held them before (its values carry over).
const weightSources = new WeakMap();

function matrixLike(values, shape) {
  return Tensor.fromTypedArray(values, shape.slice(), 'float32');
}

/** One entry per output from a single value, an array or an object keyed by output name. */
function perOutput(value, outputs, what, required) {
  if (Array.isArray(value)) {
    if (value.length !== outputs.length) {
      fail(`compile: when passing an array as ${what}, it should have one entry per model output. The model has ${outputs.length} output(s) (${outputs.join(', ')}), but you passed ${what} with ${value.length} entries`);
    }
    return value;
  }
  if (value && typeof value === 'object' && !(typeof value === 'function')) {
    const unknown = Object.keys(value).filter(k => !outputs.includes(k));
    if (unknown.length) fail(`compile: unknown entry in ${what} dictionary: '${unknown[0]}'. Only expected the output names: ${outputs.join(', ')}`);
    return outputs.map((o) => {
      if (required && value[o] === undefined) fail(`compile: ${what} has no entry for output '${o}'; expected keys ${outputs.join(', ')}`);
      return value[o];
    });
  }
  return outputs.map(() => value);
}

function perOutputMetrics(metrics, outputs) {
  if (metrics == null) return outputs.map(() => []);
  const list = (m, out) => (Array.isArray(m) ? m : m == null ? [] : [m]).map(x => metricName(x, `compile: metric for output '${out}'`));
  if (Array.isArray(metrics) || typeof metrics === 'string' || typeof metrics === 'function') return outputs.map(o => list(metrics, o));
  const unknown = Object.keys(metrics).filter(k => !outputs.includes(k));
  if (unknown.length) fail(`compile: unknown entry in metrics dictionary: '${unknown[0]}'. Only expected the output names: ${outputs.join(', ')}`);
  return outputs.map(o => list(metrics[o], o));
}

const TASK_WEIGHTINGS = ['fixed', 'uncertainty', 'dwa', 'gradnorm', 'rlw', 'famo'];
const TASK_WEIGHTING_OPTIONS = { fixed: [], uncertainty: ['minLogVariance', 'maxLogVariance'], dwa: ['temperature'], gradnorm: ['alpha', 'learningRate'], rlw: [], famo: ['learningRate', 'gamma'] };
const GRADIENT_SURGERIES = ['pcgrad', 'cagrad', 'nash-mtl', 'aligned-mtl', 'imtl-g', 'mgda-ub'];

/** compile's taskWeighting: a method name or {method, ...options}. */
function taskWeightingSpec(value) {
  if (value == null) return null;
  const spec = typeof value === 'string' ? { method: value } : value;
  if (!spec || typeof spec !== 'object' || typeof spec.method !== 'string' || !TASK_WEIGHTINGS.includes(spec.method)) {
    fail(`compile: Unknown taskWeighting ${describe(typeof value === 'object' && value ? value.method : value)}. Expected one of: ${TASK_WEIGHTINGS.join(', ')} (or {method, ...options})`);
  }
  const allowed = TASK_WEIGHTING_OPTIONS[spec.method];
  for (const [key, v] of Object.entries(spec)) {
    if (key === 'method') continue;
    if (!allowed.includes(key)) fail(`compile: taskWeighting '${spec.method}' has no option '${key}'${allowed.length ? `; its options are ${allowed.join(', ')}` : ''}`);
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`compile: taskWeighting ${spec.method} ${key} must be a finite number but got ${describe(v)}`);
  }
  return spec;
}

function gradientSurgerySpec(value) {
  if (value == null) return null;
  if (!GRADIENT_SURGERIES.includes(value)) fail(`compile: Unknown gradientSurgery ${describe(value)}. Expected one of: ${GRADIENT_SURGERIES.join(', ')}`);
  return value;
}


module.exports = { LayersModel, Sequential };
