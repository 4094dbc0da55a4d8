'use strict';
// Replica of tfjs-node 4.22's ProgbarLogger (tfjs-node/src/callbacks.ts), the
// callback `fit()` installs for verbose = 1: "Epoch i / n", a `progress` bar
// on stderr while batches run, then a timing + metrics line via console.log.
const ProgressBar = require('progress');
const {performance} = require('perf_hooks');

const BASE_NUM_DIGITS = 2;
const MAX_NUM_DECIMAL_PLACES = 4;
const RENDER_THROTTLE_MS = 50;

// Two significant digits after the leading one for |x| <= 1, two decimals
// otherwise (and for 0 / non-finite values).
function getDisplayDecimalPlaces(x) {
  if (!Number.isFinite(x) || x === 0 || x > 1 || x < -1) {
    return BASE_NUM_DIGITS;
  }
  return BASE_NUM_DIGITS - Math.floor(Math.log10(Math.abs(x)));
}

// Decimal notation unless that needs more than 4 decimals, then e.g. 1.23e-5.
function getSuccinctNumberDisplay(x) {
  const decimalPlaces = getDisplayDecimalPlaces(x);
  return decimalPlaces > MAX_NUM_DECIMAL_PLACES ?
      x.toExponential(BASE_NUM_DIGITS) :
      x.toFixed(decimalPlaces);
}

const isFieldRelevant = (key) => key !== 'batch' && key !== 'size';

// "key=value " for each sorted key (the trailing space is kept, as in
// tfjs-node); cut to maxLength with "..." so the bar line never wraps.
function formatLogs(logs, maxLength) {
  let content = '';
  for (const key of Object.keys(logs || {}).sort()) {
    if (isFieldRelevant(key)) {
      content += `${key}=${getSuccinctNumberDisplay(logs[key])} `;
    }
  }
  // maxLength is NaN when the stream has no columns: never truncates.
  if (maxLength != null && content.length > maxLength) {
    content = content.slice(0, maxLength - 3) + '...';
  }
  return content;
}

// tfjs-core's nextFrame() in Node: yield once so the bar can be flushed.
const nextFrame = () => new Promise((resolve) => setImmediate(resolve));

class ProgressLogger {
  /**
   * @param {object} [options]
   * @param {number} [options.epochs]
   * @param {number} [options.stepsPerEpoch] batches per epoch; 0/undefined =
   *   unknown (the bar then never advances, as in tfjs-node).
   * @param {number} [options.samples] training samples per epoch; when known,
   *   tfjs-node divides the epoch time by samples, not batches, for "us/step".
   * @param {object} [options.stream] where the bar goes (default stderr, the
   *   `progress` default); its `columns` sizes the bar.
   * @param {Function} [options.log] line printer, console.log by default.
   * @param {Function} [options.now] millisecond clock, for tests.
   */
  constructor(options = {}) {
    this.epochs = options.epochs;
    this.samples = options.samples;
    this.numTrainBatchesPerEpoch = options.stepsPerEpoch || 0;
    this.stream = options.stream || process.stderr;
    // Resolved per call so a later jest.spyOn(console, 'log') still sees it.
    this.log = options.log || ((line) => console.log(line));
    this.now = options.now || (() => performance.now());
    this.progressBar = null;
  }

  /** Accepts tfjs-style params: {epochs, samples, batchSize, steps}. */
  async onTrainBegin(params = {}) {
    if (params.epochs != null) this.epochs = params.epochs;
    if (params.samples != null) {
      this.samples = params.samples;
      this.numTrainBatchesPerEpoch = Math.ceil(params.samples / params.batchSize);
    } else if (params.steps != null) {
      this.samples = undefined;
      this.numTrainBatchesPerEpoch = params.steps;
    }
  }

  async onEpochBegin(epoch) {
    this.log(`Epoch ${epoch + 1} / ${this.epochs}`);
    this.currentEpochBegin = this.now();
    this.epochDurationMillis = null;
    this.usPerStep = null;
    this.batchesInLatestEpoch = 0;
    this.terminalWidth = this.stream.columns;
  }

  async onBatchEnd(batch, logs) {
    this.batchesInLatestEpoch++;
    if (batch === 0 || this.progressBar == null) this.progressBar = this.newBar();
    const maxMetricsLength = Math.floor(this.terminalWidth * 0.5 - 12);
    const tokens = {placeholderForLossesAndMetrics: formatLogs(logs, maxMetricsLength)};
    if (this.numTrainBatchesPerEpoch === 0) {
      this.progressBar.tick(0, tokens);
    } else {
      this.progressBar.tick(tokens);
    }
    await nextFrame();
    // With a known batch count the epoch time stops at the last batch, so it
    // excludes validation.
    if (batch === this.numTrainBatchesPerEpoch - 1) this.measureEpoch(true);
  }

  async onEpochEnd(epoch, logs) {
    // Unknown batch count: timed here, validation included, per batch.
    if (this.epochDurationMillis == null) this.measureEpoch(false);
    // The extra tick completes the bar (total is batches + 1) and makes
    // `progress` end its line. tfjs-node has no guard here: it throws when an
    // epoch had no batches.
    if (this.progressBar != null) {
      this.progressBar.tick({placeholderForLossesAndMetrics: ''});
    }
    this.log(`${this.epochDurationMillis.toFixed(0)}ms ` +
        `${this.usPerStep.toFixed(0)}us/step - ${formatLogs(logs)}`);
    await nextFrame();
  }

  newBar() {
    return new ProgressBar('eta=:eta :bar :placeholderForLossesAndMetrics', {
      width: Math.floor(0.5 * this.terminalWidth),
      total: this.numTrainBatchesPerEpoch + 1,
      head: '>',
      renderThrottle: RENDER_THROTTLE_MS,
      stream: this.stream,
    });
  }

  measureEpoch(perSample) {
    this.epochDurationMillis = this.now() - this.currentEpochBegin;
    const steps = perSample && this.samples != null ?
        this.samples : this.batchesInLatestEpoch;
    this.usPerStep = this.epochDurationMillis / steps * 1e3;
  }
}

module.exports = {
  ProgressLogger,
  getSuccinctNumberDisplay,
  getDisplayDecimalPlaces,
  formatLogs,
};
