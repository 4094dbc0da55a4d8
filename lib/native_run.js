'use strict';
// Running the native training loop without holding the process: it runs on a worker thread in
// slices of at most RUN_SLICE_MS, so that a terminated worker, or an exiting process (which
// waits for the thread pool), waits for one slice at most; and an exiting process stops every
// running fit after its current batch.
const RUN_SLICE_MS = 100;
const running = new Set();
let exitListener = false;

/** Marks a native model as training (stopped when the process exits). */
function trackTraining(native) {
  running.add(native);
  if (!exitListener) {
    exitListener = true;
    process.on('exit', () => { for (const n of running) n.setStopTraining(true); });
  }
}

function untrackTraining(native) {
  running.delete(native);
}

/**
 * trainer.run(options) in slices, until every epoch (or every batch handed over) has run, the
 * fit stopped or diverged, or `options.epochs` epochs ended; the reports merged. With a
 * budgetMs or a batch limit the caller wants control back then: one call.
 */
async function runInSlices(trainer, options) {
  if (options.budgetMs > 0 || options.batches > 0) return trainer.run(options);
  const total = { batches: [], epochs: [], done: false, trained: 0, stopped: false, diverged: null };
  let epochs = options.epochs;
  for (;;) {
    const r = await trainer.run({ ...options, epochs, budgetMs: RUN_SLICE_MS });
    for (const b of r.batches) total.batches.push(b);
    for (const e of r.epochs) total.epochs.push(e);
    total.trained += r.trained;
    Object.assign(total, { done: r.done, stopped: r.stopped, diverged: r.diverged });
    epochs -= r.epochs.length;
    if (r.done || r.stopped || r.diverged || epochs <= 0) return total;
  }
}

/** Logs keyed by name from the core's values in the same order (`keys[i]` -> `values[i]`). */
function toLogs(values, keys) {
  const logs = {};
  for (let i = 0; i < keys.length; i++) logs[keys[i]] = values[i];
  return logs;
}

/**
 * Epoch logs keyed by name, in TF.js's order: the validation values first (they are written
 * before BaseLogger's).
 */
function epochLogsFrom(values, keys) {
  const logs = {};
  for (let i = 0; i < keys.length; i++) if (keys[i].startsWith('val_')) logs[keys[i]] = values[i];
  for (let i = 0; i < keys.length; i++) if (!keys[i].startsWith('val_')) logs[keys[i]] = values[i];
  return logs;
}

/** The Error a diverged fit rejects with; `history` holds the epochs before. */
function divergence(message, history) {
  const err = new Error(message);
  err.history = history;
  return err;
}

module.exports = { runInSlices, trackTraining, untrackTraining, toLogs, epochLogsFrom, divergence };
