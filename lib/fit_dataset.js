'use strict';
// model.fitDataset and model.evaluateDataset (TF.js's engine/training_dataset.ts): batches come
// from a dataset's iterator, each one is trained natively, and callbacks, History and logs are
// as TF.js makes them (epoch logs are batch-size-weighted means, validation keys first).
const { scalar, isTensor } = require('./tensor');
const { fail, describe } = require('./errors');
const { History, standardizeCallbacks, callAll, usesHook } = require('./callbacks');
const { ProgressLogger } = require('./progbar');
const { classWeightsPerOutput } = require('./data');

const DEFAULT_VALIDATION_BATCH_SIZE = 32;
const YIELD_MS = { auto: 125, batch: 0 };
const nextFrame = () => new Promise(resolve => setImmediate(resolve));

async function fitDataset(model, dataset, args) {
  if (args == null) fail('For fitDataset(), the 2nd argument (config) is required, but it is not provided in this call.');
  requireCompiled(model);
  const { epochs, batchesPerEpoch } = args;
  if (!Number.isInteger(epochs) || epochs <= 0) fail(`For fitDataset(), config.epochs is expected to be a positive integer, but got ${describe(epochs)}`);
  const hasBatchesPerEpoch = batchesPerEpoch != null;
  if (hasBatchesPerEpoch && !(Number.isInteger(batchesPerEpoch) && batchesPerEpoch > 0)) {
    fail(`For fitDataset(), config.batchesPerEpoch is expected to be a positive integer if specified, but got ${describe(batchesPerEpoch)}`);
  }
  if (args.validationSplit != null) fail('`validationSplit` is not supported by `fitDataset()`. Use validationData instead.');
  if (!isDataset(dataset)) fail(`fitDataset: expected a tf.data.Dataset but got ${describe(dataset)}`);
  const validate = validator(model, args);
  if (model._isTraining || model._fittingDataset) throw new Error('Cannot start training because another fit() call is ongoing.');

  model._fittingDataset = true;
  try {
    const metrics = model.metricsNames;
    const callbacks = standardizeCallbacks(args.callbacks);
    const verbose = args.verbose ?? 1;
    const steps = hasBatchesPerEpoch ? batchesPerEpoch : (Number.isFinite(dataset.size) ? dataset.size : null);
    const params = {
      epochs, initialEpoch: null, samples: null, steps, batchSize: null, verbose,
      doValidation: validate !== null, metrics: validate ? [...metrics, ...metrics.map(n => `val_${n}`)] : metrics.slice(),
    };
    const history = new History();
    const all = [...callbacks];
    if (verbose === 1) all.push(new ProgressLogger({ epochs, stepsPerEpoch: steps ?? 0 }));
    all.push(history);
    all.forEach((cb) => { if (cb.setModel) cb.setModel(model); if (cb.setParams) cb.setParams(params); });
    history.params = params;
    model.history = history;
    const yielder = makeYielder(args.yieldEvery, callbacks);

    const native = await nativeCsvRunner(model, dataset, args, hasBatchesPerEpoch, usesHook(callbacks, 'onBatchBegin') || usesHook(callbacks, 'onBatchEnd'));
    await callAll(all, 'onTrainBegin', {});
    model.stopTraining = false;
    try {
    let iterator = native ? null : await dataset.iterator();
    for (let epoch = args.initialEpoch ?? 0; epoch < epochs; epoch++) {
      const epochLogs = {};
      const totals = new Array(metrics.length).fill(0);
      let seen = 0;
      await callAll(all, 'onEpochBegin', epoch, {});
      const onBatch = async (batch, rows, values) => {
        values.forEach((v, i) => { totals[i] += v * rows; });
        seen += rows;
        const batchLogs = { batch, size: rows, ...Object.fromEntries(metrics.map((m, i) => [m, values[i]])) };
        await callAll(all, 'onBatchEnd', batch, batchLogs);
        await yielder.afterBatch(epoch, batch, batchLogs);
      };
      if (native) {
        await native.epoch(onBatch, (batch, size) => callAll(all, 'onBatchBegin', batch, { batch, size }));
        if (validate && !model.stopTraining) Object.assign(epochLogs, await validate());
      }
      if (!native && !hasBatchesPerEpoch) iterator = await dataset.iterator();
      for (let batch = 0; !native && (!hasBatchesPerEpoch || batch < batchesPerEpoch);) {
        const next = await iterator.next();
        if (hasBatchesPerEpoch && next.done) {
          console.warn(`You provided \`batchesPerEpoch\` as ${batchesPerEpoch}, but your dataset iterator ran out of data after ${batch} batches; ` +
            'interrupting training. Make sure that your dataset can generate at least `batchesPerEpoch * epochs` batches ' +
            `(in this case, ${batchesPerEpoch * epochs} batches). You may need to use the repeat() function when building your dataset.`);
          break;
        }
        if (next.value != null) {
          const { xs, ys, rows } = standardizeBatch(model, next.value, 'fitDataset');
          await callAll(all, 'onBatchBegin', batch, { batch, size: rows });
          const values = await trainBatch(model, xs, ys, args.classWeight);
          model.history = history; // a per-batch fit replaced it
          values.forEach((v, i) => { totals[i] += v * rows; });
          seen += rows;
          const batchLogs = { batch, size: rows, ...Object.fromEntries(metrics.map((m, i) => [m, values[i]])) };
          await callAll(all, 'onBatchEnd', batch, batchLogs);
          await yielder.afterBatch(epoch, batch, batchLogs);
          batch++;
        }
        if (hasBatchesPerEpoch ? batch >= batchesPerEpoch : next.done) {
          if (validate) Object.assign(epochLogs, await validate());
          break;
        }
        if (model.stopTraining) break;
      }
      // BaseLogger's epoch means come after the validation values.
      if (seen > 0) metrics.forEach((m, i) => { epochLogs[m] = totals[i] / seen; });
      await callAll(all, 'onEpochEnd', epoch, epochLogs);
      await yielder.afterEpoch(epoch, epochLogs);
      if (model.stopTraining) break;
    }
    await callAll(all, 'onTrainEnd', {});
    return history;
    } finally {
      if (native) native.finish();
    }
  } finally {
    model._fittingDataset = false;
  }
}

/**
 * A pipeline with no JavaScript step between tf.data.csv, shuffle and batch trains natively end
 * to end: the file is read natively into columns once, each epoch's row order is drawn exactly as
 * the dataset's shuffle would draw it, and the batches run in native code (one call per epoch,
 * or per batch when a callback wants each batch). As in TF.js, feature columns feed the model
 * inputs of the same names and label columns the outputs. Anything else returns null and takes
 * the JavaScript path.
 */
async function nativeCsvRunner(model, dataset, args, hasBatchesPerEpoch, batchLevel) {
  const plan = dataset._plan;
  if (!plan || !plan.batch || hasBatchesPerEpoch || typeof model._model !== 'function') return null;
  const widthOf = t => t.shape[t.shape.length - 1];
  if (model.inputs.some(t => widthOf(t) !== 1) || model.outputs.some((t, i) => widthOf(t) !== 1 && !model._isSparseHead(i))) return null;
  const data = await plan.csv._readColumns();
  if (data == null || data.rows === 0) return null;
  const column = (name, label) => (data.columns[name] && data.columns[name].isLabel === label ? data.columns[name].values : null);
  const xs = model.inputNames.map(n => column(n, false));
  const ys = model.outputNames.map(n => column(n, true));
  if (xs.includes(null) || ys.includes(null)) return null;
  const { batchSize, smallLastBatch } = plan.batch;
  const options = { batchSize, epochs: args.epochs, initialEpoch: args.initialEpoch ?? 0, shuffle: false,
    classWeights: classWeightsPerOutput(args.classWeight, model.outputNames) };
  const trainer = model._model().startFit(xs, ys, data.rows, null, null, options);
  // fitDataset (here and in TF.js) makes an iterator before the first epoch and a fresh one for
  // each epoch: the shuffle's seeds are drawn in that order.
  if (plan.shuffle) plan.shuffle.nextSeed();
  const orderFor = async () => {
    const rows = Array.from({ length: data.rows }, (_, i) => i);
    let order = rows;
    if (plan.shuffle) {
      const { ArrayIterator } = require('./dataset/iterators');
      order = await new ArrayIterator(rows).shuffle(plan.shuffle.bufferSize, plan.shuffle.nextSeed()).toArray();
    }
    return smallLastBatch ? order : order.slice(0, order.length - (order.length % batchSize));
  };
  return {
    async epoch(onBatch, onBatchBegin) {
      const order = await orderFor();
      if (order.length === 0) return;
      trainer.setNextEpochOrder(Uint32Array.from(order));
      for (let batch = 0, done = false; !done;) {
        if (batchLevel) await onBatchBegin(batch, Math.min(batchSize, order.length - batch * batchSize));
        const report = await trainer.run({ epochs: 1, batches: batchLevel ? 1 : 0, budgetMs: 0, recordBatches: true });
        for (const b of report.batches) await onBatch(b.batch, b.size, b.logs.slice(0, model.metricsNames.length));
        batch += report.batches.length;
        done = report.epochs.length > 0 || (model.stopTraining && batchLevel);
      }
    },
    finish: () => trainer.finish(),
  };
}

/** Scalar | Scalar[]: metric values averaged over the dataset's batches, weighted by batch size. */
async function evaluateDataset(model, dataset, args = {}) {
  requireCompiled(model);
  const values = await evaluateValues(model, dataset, args ?? {}, 'evaluateDataset');
  const out = values.map(v => scalar(v));
  return out.length === 1 ? out[0] : out;
}

async function evaluateValues(model, dataset, args, what) {
  if (args.verbose > 0) fail('Verbose mode is not implemented yet.');
  const hasBatches = args.batches != null;
  if (hasBatches && !(Number.isInteger(args.batches) && args.batches > 0)) {
    fail(`Test loop expects \`batches\` to be a positive integer, but received ${JSON.stringify(args.batches)}`);
  }
  const iterator = typeof dataset.next === 'function' ? dataset : await dataset.iterator();
  let sums = null;
  let examples = 0;
  for (let batch = 0; !hasBatches || batch < args.batches; batch++) {
    const next = await iterator.next();
    if (next.value != null && !next.done) {
      const { xs, ys, rows } = standardizeBatch(model, next.value, what);
      const v = evaluateBatch(model, xs, ys);
      sums = sums ?? new Array(v.length).fill(0);
      v.forEach((x, i) => { sums[i] += x * rows; });
      examples += rows;
    }
    if (next.done) {
      if (hasBatches) {
        console.warn('Your dataset iterator ran out of data during evaluateDataset(). Interrupting evalution. ' +
          'Make sure that your dataset can generate at least `batches` batches ' +
          `(in this case, ${args.batches} batches). You may need to use the repeat() function when building your dataset.`);
      }
      break;
    }
  }
  if (examples === 0) fail(`${what}: the dataset yielded no batches to evaluate`);
  return sums.map(s => s / examples);
}

/**
 * One training step on a batch; resolves with its logs (metricsNames order). Uses the model's
 * per-batch entry point when it has one, else a one-batch, one-epoch `fit`.
 */
async function trainBatch(model, xs, ys, classWeight) {
  if (typeof model._trainBatch === 'function') return model._trainBatch(xs, ys, { classWeight });
  const history = await model.fit(single(xs), single(ys), { batchSize: xs[0].shape[0], epochs: 1, shuffle: false, verbose: 0, classWeight });
  return model.metricsNames.map(k => history.history[k][0]);
}

/** Metric values of one batch, through the public evaluate. */
function evaluateBatch(model, xs, ys) {
  const out = model.evaluate(single(xs), single(ys), { batchSize: xs[0].shape[0] });
  return (Array.isArray(out) ? out : [out]).map(t => t.dataSync()[0]);
}

const single = list => (list.length === 1 ? list[0] : list);

/**
 * {xs, ys} of a dataset element as the model's input and target arrays; xs and ys may each be a
 * Tensor, an array of Tensors or an object keyed by input/output name.
 */
function standardizeBatch(model, element, what) {
  if (element == null || element.xs == null || element.ys == null) {
    fail('A Dataset iterator for fitDataset() is expected to generate objects of the form `{xs: xVal, ys: yVal}`, where the two values may be ' +
      `\`tf.Tensor\`, an array of Tensors, or a map of string to Tensor.  The provided Dataset instead generates ${describe(element)}`);
  }
  const xs = flatten('input', model.inputNames, element.xs);
  const ys = flatten('output', model.outputNames, element.ys);
  const rows = xs[0].shape[0];
  [[xs, model.inputNames, 'input'], [ys, model.outputNames, 'output']].forEach(([list, names, kind]) => list.forEach((t, i) => {
    if (t.shape[0] !== rows) fail(`Batch size mismatch: ${kind} ${names[i]} has ${t.shape[0]}; expected  ${rows} based on input ${model.inputNames[0]}.`);
  }));
  return { xs, ys, rows };
}

function flatten(kind, names, values) {
  if (isTensor(values)) return checkTensors([values], kind);
  if (Array.isArray(values)) {
    if (values.length !== names.length) fail(`Received an array of ${values.length} Tensors, but expected ${names.length} to match the ${kind} keys ${names}.`);
    return checkTensors(values, kind);
  }
  return checkTensors(names.map((name) => {
    if (values[name] == null) fail(`The feature data generated by the dataset lacks the required ${kind} key '${name}'.`);
    return values[name];
  }), kind);
}

function checkTensors(list, kind) {
  list.forEach((t) => { if (!isTensor(t)) fail(`fitDataset: each ${kind} of a batch must be a Tensor (use dataset.batch()) but got ${describe(t)}`); });
  return list;
}

/** An async function returning the val_ logs, or null without validationData. */
function validator(model, args) {
  const data = args.validationData;
  if (data == null) return null;
  const names = model.metricsNames.map(n => `val_${n}`);
  const asLogs = values => Object.fromEntries(names.map((n, i) => [n, values[i]]));
  if (isDataset(data)) {
    if (args.validationBatches != null && !(Number.isInteger(args.validationBatches) && args.validationBatches > 0)) {
      fail(`For fitDataset() with dataset-based validation, config.validationBatches is expected not to be provided, or to be a positive integer, but got ${describe(args.validationBatches)}`);
    }
    return async () => asLogs(await evaluateValues(model, data, { batches: args.validationBatches }, 'fitDataset: validationData'));
  }
  if (!Array.isArray(data)) fail(`fitDataset: validationData must be a Dataset or [xVal, yVal] but got ${describe(data)}`);
  if (data.length === 3) fail('Validation with sample weights is not implemented yet.');
  if (data.length !== 2) fail(`fitDataset: validationData must be [xVal, yVal] but has ${data.length} entries`);
  const batchSize = args.validationBatchSize ?? DEFAULT_VALIDATION_BATCH_SIZE;
  return async () => {
    const out = model.evaluate(data[0], data[1], { batchSize, verbose: 0 });
    return asLogs((Array.isArray(out) ? out : [out]).map(t => t.dataSync()[0]));
  };
}

/** yieldEvery: 'auto' (125 ms), 'batch', 'epoch', 'never' or milliseconds; calls onYield then. */
function makeYielder(yieldEvery = 'auto', callbacks) {
  const onYield = usesHook(callbacks, 'onYield');
  if (yieldEvery === 'never' && onYield) {
    fail('yieldEvery is `never` but you provided an `onYield` callback. Either change `yieldEvery` or remove the callback');
  }
  const ms = typeof yieldEvery === 'number' ? yieldEvery : YIELD_MS[yieldEvery];
  if (ms === undefined && !['epoch', 'never'].includes(yieldEvery)) fail(`fitDataset: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds but got ${describe(yieldEvery)}`);
  let last = Date.now();
  const yieldNow = async (epoch, batch, logs) => {
    await nextFrame();
    if (onYield) await callAll(callbacks, 'onYield', epoch, batch, logs);
    last = Date.now();
  };
  return {
    afterBatch: async (epoch, batch, logs) => { if (ms !== undefined && Date.now() - last >= ms) await yieldNow(epoch, batch, logs); },
    afterEpoch: async (epoch, logs) => { if (yieldEvery === 'epoch') await yieldNow(epoch, null, logs); },
  };
}

function requireCompiled(model) {
  if (model.optimizer == null) fail('You must compile a model before training/testing. Use LayersModel.compile(modelCompileConfig).');
}

function isDataset(x) {
  return x != null && typeof x.iterator === 'function';
}

module.exports = { fitDataset, evaluateDataset };
