'use strict';
// model.fitDataset and model.evaluateDataset (TF.js's engine/training_dataset.ts). The dataset is
// read a chunk of batches at a time (synchronously when its stages are), the chunk's rows go to
// the core's training loop in one call, and the core keeps the epoch means, validates and ends
// epochs. Callbacks, History and logs are as TF.js makes them; with onBatchBegin/onBatchEnd
// callbacks, batches are read and trained one at a time so that each callback sees its batch.
const { scalar, isTensor } = require('./tensor');
const { fail, describe } = require('./errors');
const { History, standardizeCallbacks, callAll, usesHook, divergenceHandled } = require('./callbacks');
const { ProgressLogger } = require('./progbar');
const { classWeightsPerOutput } = require('./data');
const { RawBatch, LazyIterator, isPromise } = require('./dataset/iterators');
const { iteratorOf } = require('./dataset/dataset');
const { writeNumberArray } = require('./dataset/batch');
const { runInSlices, trackTraining, untrackTraining, toLogs, epochLogsFrom, divergence } = require('./native_run');
const { internals } = require('./model_internals');

const DEFAULT_VALIDATION_BATCH_SIZE = 32;
const YIELD_MS = { auto: 125, batch: 0 };
/**
 * Rows read from the dataset and handed to the core at once: bounds the memory a fit holds, and
 * keeps the elements of a chunk short-lived (cheap to collect).
 */
const CHUNK_ROWS = 1 << 12;
/** Rows × parameters of a chunk under which it trains on the calling thread (well under a ms). */
const INLINE_WORK = 1 << 20;
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
  const validation = validationPlan(model, args);
  const callbacks = standardizeCallbacks(args.callbacks);
  const yielder = makeYielder(args.yieldEvery, callbacks);
  const initialEpoch = args.initialEpoch ?? 0;
  // The core refuses a second fit while one runs.
  const trainer = internals(model).native().startBatchFit(validation.arrays, validation.dataset != null, {
    batchSize: validation.batchSize, epochs, initialEpoch, seed: args.seed ?? null, classWeights: classWeightsPerOutput(args.classWeight, model.outputNames),
  });
  const native = internals(model).native();
  trackTraining(native);
  let iterator = null;
  try {
    const metrics = model.metricsNames;
    const verbose = args.verbose ?? 1;
    const steps = hasBatchesPerEpoch ? batchesPerEpoch : (Number.isFinite(dataset.size) ? dataset.size : null);
    const doValidation = validation.arrays != null || validation.dataset != null;
    const params = {
      epochs, initialEpoch: null, samples: null, steps, batchSize: null, verbose,
      doValidation, metrics: doValidation ? [...metrics, ...metrics.map(n => `val_${n}`)] : metrics.slice(),
    };
    const history = new History();
    const all = [...callbacks];
    const progress = verbose === 1 ? new ProgressLogger({ epochs, stepsPerEpoch: steps ?? 0 }) : null;
    if (progress) all.push(progress);
    all.push(history);
    all.forEach((cb) => { if (cb.setModel) cb.setModel(model); if (cb.setParams) cb.setParams(params); });
    history.params = params;
    model.history = history;
    // Batch callbacks, and yielding after every batch, see the batches one at a time.
    const batchLevel = usesHook(callbacks, 'onBatchBegin') || usesHook(callbacks, 'onBatchEnd') || yielder.everyBatch;
    const record = batchLevel || progress != null || usesHook(callbacks, 'onYield');
    const reader = new BatchReader(model);
    const logNames = trainer.logNames;
    const runOptions = { epochs: 1, batches: 0, budgetMs: 0, recordBatches: record };

    await callAll(all, 'onTrainBegin', {});
    model.stopTraining = false;
    // As in TF.js, an iterator is made before the first epoch (a shuffle draws its seed then).
    iterator = await iteratorOf(dataset);
    // Hooks return a promise only when one needs awaiting (see callAll), and chunks come as
    // arrays when the dataset's stages are synchronous: awaiting those anyway would cost promise
    // rounds every epoch, most of an epoch's time on small data.
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      const began = callAll(all, 'onEpochBegin', epoch, {});
      if (began) await began;
      if (!hasBatchesPerEpoch) {
        closeIterator(iterator);
        iterator = iteratorOf(dataset);
        if (isPromise(iterator)) iterator = await iterator;
      }
      let batch = 0;
      let complete = false; // every batch of the epoch ran (then it validates)
      let diverged = null;
      for (;;) {
        const wanted = batchLevel ? 1 : reader.batchesPerChunk(hasBatchesPerEpoch ? batchesPerEpoch - batch : Infinity);
        let elements = readChunk(iterator, wanted);
        if (!Array.isArray(elements)) elements = await elements;
        if (elements.length === 0) {
          if (hasBatchesPerEpoch) {
            console.warn(`You provided \`batchesPerEpoch\` as ${batchesPerEpoch}, but your dataset iterator ran out of data after ${batch} batches; ` +
              'interrupting training. Make sure that your dataset can generate at least `batchesPerEpoch * epochs` batches ' +
              `(in this case, ${batchesPerEpoch * epochs} batches). You may need to use the repeat() function when building your dataset.`);
          } else {
            complete = true;
          }
          break;
        }
        const chunk = reader.pack(elements, 'fitDataset');
        if (batchLevel) await callAll(all, 'onBatchBegin', batch, { batch, size: chunk.sizes[0] });
        trainer.push(chunk.xs, chunk.ys, chunk.sizes);
        const report = chunk.rows * internals(model).paramCount() < INLINE_WORK ? trainer.runSync(runOptions) : await runInSlices(trainer, runOptions);
        for (const b of report.batches) await callAll(all, 'onBatchEnd', b.batch, { batch: b.batch, size: b.size, ...toLogs(b.logs, metrics) });
        batch += report.trained;
        if (report.diverged) {
          diverged = report.diverged;
          break;
        }
        const last = report.batches[report.batches.length - 1];
        if (yielder.dueAfterBatch()) await yielder.yieldNow(epoch, batch - 1, last ? toLogs(last.logs, metrics) : {});
        if (hasBatchesPerEpoch && batch >= batchesPerEpoch) {
          complete = true;
          break;
        }
        if (model.stopTraining) break;
      }
      let epochLogs = {};
      if (complete) {
        if (validation.dataset) await validateWith(trainer, reader, validation);
        epochLogs = epochLogsFrom(trainer.endEpoch(), logNames);
        // An epoch without batches has no training means (TF.js logs only its validation).
        if (batch === 0) epochLogs = Object.fromEntries(Object.entries(epochLogs).filter(([k]) => k.startsWith('val_')));
      } else {
        // Stopped or cut short: TF.js still ends the epoch, with the means of the batches run
        // (no validation).
        const partial = trainer.closePartialEpoch();
        if (batch > 0) epochLogs = toLogs(partial, metrics);
      }
      // terminateOnNaN turns the rejection into a stop (the epoch ends with the batches run).
      if (diverged && !(await divergenceHandled(all, diverged))) {
        if (batch > 0) history.record(epoch, epochLogs);
        throw divergence(diverged, history);
      }
      const ended = callAll(all, 'onEpochEnd', epoch, epochLogs);
      if (ended) await ended;
      if (yielder.dueAfterEpoch()) await yielder.yieldNow(epoch, null, epochLogs);
      if (model.stopTraining) break;
    }
    await callAll(all, 'onTrainEnd', {});
    return history;
  } finally {
    closeIterator(iterator);
    trainer.finish();
    untrackTraining(native);
  }
}

/**
 * Turns dataset elements (batches) into the row-major arrays the core trains on: every batch's
 * inputs and targets, one after the other, with the batch sizes.
 */
class BatchReader {
  constructor(model) {
    this.model = model;
    this.inputNames = model.inputNames;
    this.outputNames = model.outputNames;
    this.inputWidths = model.inputs.map(t => t.shape[1]);
    this.targetWidths = internals(model).targetWidths();
    // One input and one output given as arrays (the common case) take the short way.
    this.single = this.inputWidths.length === 1 && this.targetWidths.length === 1;
    this.rowsPerBatch = null;
  }

  /** How many batches to read next: as many as fit in a chunk, at most `left`. */
  batchesPerChunk(left) {
    const perChunk = this.rowsPerBatch == null ? 1 : Math.max(1, Math.floor(CHUNK_ROWS / this.rowsPerBatch));
    return Math.max(1, Math.min(perChunk, left));
  }

  pack(elements, what) {
    const packed = this.packRows(elements) ?? this.packTensors(elements, what);
    this.rowsPerBatch = Math.max(this.rowsPerBatch ?? 0, ...packed.sizes);
    return packed;
  }

  /**
   * Batches not yet stacked, whose rows are {xs, ys} of numbers and arrays of numbers (keyed by
   * name for several inputs or outputs), go straight into the arrays: the values the stacked
   * tensors would hold, without making them. Null for anything else (stacked as in TF.js then).
   */
  packRows(elements) {
    let rows = 0;
    for (const e of elements) {
      if (!(e instanceof RawBatch)) return null;
      rows += e.rows.length;
    }
    const { inputWidths, targetWidths, single } = this;
    const [wx, wy] = [inputWidths[0], targetWidths[0]];
    const arrays = widths => (widths.length === 1 ? [new Float32Array(rows * widths[0])] : widths.map(w => new Float32Array(rows * w)));
    const xs = arrays(inputWidths);
    const ys = arrays(targetWidths);
    const [x0, y0] = [xs[0], ys[0]];
    const sizes = new Array(elements.length);
    let r = 0;
    for (let b = 0; b < elements.length; b++) {
      const batch = elements[b].rows;
      sizes[b] = batch.length;
      for (let i = 0; i < batch.length; i++, r++) {
        const row = batch[i];
        if (row == null || typeof row !== 'object') return null;
        if (single && writeNumberArray(row.xs, wx, x0, r) && writeNumberArray(row.ys, wy, y0, r)) continue;
        if (!writeRow(row.xs, this.inputNames, this.inputWidths, xs, r) || !writeRow(row.ys, this.outputNames, this.targetWidths, ys, r)) return null;
      }
    }
    return { xs, ys, sizes, rows };
  }

  packTensors(elements, what) {
    const batches = elements.map(e => standardizeBatch(this.model, e instanceof RawBatch ? e.stack() : e));
    const sizes = batches.map(b => b.rows);
    const rows = sizes.reduce((a, b) => a + b, 0);
    const gather = (key, widths, names, kind) => widths.map((width, i) => {
      if (batches.length === 1) return values(batches[0][key][i], width, names[i], kind, what);
      const out = new Float32Array(rows * width);
      let at = 0;
      for (const b of batches) {
        out.set(values(b[key][i], width, names[i], kind, what), at);
        at += b.rows * width;
      }
      return out;
    });
    const xs = gather('xs', this.inputWidths, this.model.inputNames, 'input');
    const ys = gather('ys', this.targetWidths, this.model.outputNames, 'target');
    return { xs, ys, sizes, rows };
  }
}

/** Writes row `r` of one element's xs (or ys) into the arrays; false when it is not plain numbers of the right widths. */
function writeRow(value, names, widths, outs, r) {
  if (names.length === 1 && (typeof value === 'number' || Array.isArray(value))) return writeValue(value, widths[0], outs[0], r);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isTensor(value)) return false;
  for (let i = 0; i < names.length; i++) if (!writeValue(value[names[i]], widths[i], outs[i], r)) return false;
  return true;
}

function writeValue(v, width, out, r) {
  if (typeof v === 'number') {
    if (width !== 1) return false;
    out[r] = v;
    return true;
  }
  return writeNumberArray(v, width, out, r);
}

/** A batch tensor's values as float32, rows × width. */
function values(t, width, name, kind, what) {
  const cols = t.rank === 1 ? 1 : t.rank === 2 ? t.shape[1] : null;
  if (cols !== width) {
    fail(`${what}: a batch's ${kind} '${name}' has shape [${t.shape}] but the model expects [batchSize, ${width}]`);
  }
  const data = t.dataRef();
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** Evaluates a validation dataset into the trainer's epoch (TF.js: evaluateDataset with `batches`). */
async function validateWith(trainer, reader, validation) {
  await readBatches(validation.dataset, reader, { batches: validation.batches }, 'fitDataset: validationData', c => trainer.validate(c.xs, c.ys, c.sizes));
}

/** Reads up to `batches` batches (all without) in chunks, handing each to `add`. */
async function readBatches(source, reader, { batches }, what, add) {
  const own = typeof source.next !== 'function';
  const iterator = own ? await source.iterator() : source;
  try {
    await readInto(iterator, reader, batches, what, add);
  } finally {
    if (own) closeIterator(iterator);
  }
}

async function readInto(iterator, reader, batches, what, add) {
  const hasBatches = batches != null;
  let read = 0;
  for (;;) {
    const left = hasBatches ? batches - read : Infinity;
    if (left <= 0) break;
    const wanted = reader.batchesPerChunk(left);
    const elements = await readChunk(iterator, wanted);
    if (elements.length === 0) {
      if (hasBatches) {
        console.warn('Your dataset iterator ran out of data during evaluateDataset(). Interrupting evalution. ' +
          'Make sure that your dataset can generate at least `batches` batches ' +
          `(in this case, ${batches} batches). You may need to use the repeat() function when building your dataset.`);
      }
      break;
    }
    add(reader.pack(elements, what));
    read += elements.length;
  }
}

/** Lets an iterator's sources go (a CSV reader's thread) once nothing more is read from it. */
function closeIterator(iterator) {
  if (iterator instanceof LazyIterator) iterator.close();
}

/** Up to `max` elements (batches not yet stacked where the stages allow), through next() for an iterator without nextChunk. */
function readChunk(iterator, max) {
  return typeof iterator.nextChunk === 'function' ? iterator.nextChunk(max, true) : nextElements(iterator, max);
}

/** Up to `max` elements of an iterator that only has next(). */
async function nextElements(iterator, max) {
  const out = [];
  while (out.length < max) {
    const item = await iterator.next();
    if (item.done) break;
    if (item.value != null) out.push(item.value);
  }
  return out;
}

/** Scalar | Scalar[]: metric values over the dataset (per output, over its labelled rows). */
async function evaluateDataset(model, dataset, args = {}) {
  requireCompiled(model);
  args = args ?? {};
  if (args.verbose > 0) fail('Verbose mode is not implemented yet.');
  if (args.batches != null && !(Number.isInteger(args.batches) && args.batches > 0)) {
    fail(`Test loop expects \`batches\` to be a positive integer, but received ${JSON.stringify(args.batches)}`);
  }
  const evaluation = internals(model).native().startEvaluation();
  await readBatches(dataset, new BatchReader(model), args, 'evaluateDataset', c => evaluation.add(c.xs, c.ys, c.sizes));
  if (evaluation.empty) fail('evaluateDataset: the dataset yielded no batches to evaluate');
  const out = evaluation.values().map(v => scalar(v));
  return out.length === 1 ? out[0] : out;
}

/** validationData as arrays for the core, or as a dataset evaluated at each epoch end. */
function validationPlan(model, args) {
  const data = args.validationData;
  const batchSize = args.validationBatchSize ?? DEFAULT_VALIDATION_BATCH_SIZE;
  if (data == null) return { arrays: null, dataset: null, batchSize };
  if (isDataset(data)) {
    if (args.validationBatches != null && !(Number.isInteger(args.validationBatches) && args.validationBatches > 0)) {
      fail(`For fitDataset() with dataset-based validation, config.validationBatches is expected not to be provided, or to be a positive integer, but got ${describe(args.validationBatches)}`);
    }
    return { arrays: null, dataset: data, batches: args.validationBatches, batchSize };
  }
  if (!Array.isArray(data)) fail(`fitDataset: validationData must be a Dataset or [xVal, yVal] but got ${describe(data)}`);
  if (data.length === 3) fail('Validation with sample weights is not implemented yet.');
  if (data.length !== 2) fail(`fitDataset: validationData must be [xVal, yVal] but has ${data.length} entries`);
  const xs = internals(model).inputBlocks(data[0], 'fitDataset: validationData x');
  const ys = internals(model).targetBlocks(data[1], xs.rows, 'fitDataset: validationData y');
  return { arrays: [xs.arrays, ys.arrays, xs.rows], dataset: null, batchSize };
}


/**
 * {xs, ys} of a dataset element as the model's input and target arrays; xs and ys may each be a
 * Tensor, an array of Tensors or an object keyed by input/output name.
 */
function standardizeBatch(model, element) {
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
    everyBatch: ms === 0,
    dueAfterBatch: () => ms !== undefined && Date.now() - last >= ms,
    dueAfterEpoch: () => yieldEvery === 'epoch',
    yieldNow,
  };
}

function requireCompiled(model) {
  if (model.optimizer == null) fail('You must compile a model before training/testing. Use LayersModel.compile(modelCompileConfig).');
}

function isDataset(x) {
  return x != null && typeof x.iterator === 'function';
}

module.exports = { fitDataset, evaluateDataset };
