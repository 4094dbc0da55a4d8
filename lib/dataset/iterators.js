'use strict';
// Lazy iterators behind tf.data datasets, ported from tfjs-data's lazy_iterator.ts with the same
// element order (shuffle included) and the same disposal of tensors that a step drops.
//
// Every iterator offers two ways to read it:
//  - next(): a promise of {value, done}, as in TF.js;
//  - nextChunk(max): up to `max` elements (an empty array when exhausted), returned as an Array
//    when every stage upstream is synchronous, as a promise of one only where a stage is truly
//    asynchronous (mapAsync, async generators, downloads). A training loop pulls whole batches
//    this way without a promise per element.
// Both yield the same elements in the same order. Calls are served one after the other, so
// callers may call again without waiting.
const { startScope, endScope, scopeMadeNoTensor } = require('../tensor');
const { alea } = require('../ops/alea');
const { isThenable: isPromise } = require('../thenable');
const { RingBuffer, checkCapacity } = require('./ring_buffer');
const { cloneElement, isIterable, tensorsIn, tensorsInAll, hasTensor } = require('./deep_map');

const DONE = Object.freeze({ value: null, done: true });
/** Elements read upstream in one go by stages that read ahead (shuffle, skip). */
const READ_AHEAD = 256;
/**
 * Rows a batch stage reads for one call at most (whole batches, at least one): a reader asking
 * for many batches at once (toArray, forEachAsync) holds their rows and tensors, not the file.
 */
const BATCH_READ_ROWS = 1 << 12;


/**
 * Runs a generator whose `yield`s are values or promises: resumed at once with a value, after
 * the promise settles with a promise. Returns the generator's result, or a promise of it as
 * soon as one step was asynchronous.
 */
function drive(gen, method = 'next', arg = undefined) {
  for (;;) {
    const step = gen[method](arg);
    if (step.done) return step.value;
    if (isPromise(step.value)) return step.value.then(v => drive(gen, 'next', v), e => drive(gen, 'throw', e));
    method = 'next';
    arg = step.value;
  }
}

/** tf.tidy for dataset steps: tensors made by fn are disposed unless the result holds them. */
function tidy(fn) {
  startScope('dataset');
  let result;
  try {
    result = fn();
  } catch (e) {
    endScope(null);
    throw e;
  }
  // No tensor made inside (the common map of numbers and arrays): nothing to dispose or to hand
  // to the parent scope, so the result, a whole chunk of elements, need not be walked.
  if (scopeMadeNoTensor()) endScope(null);
  else endScope(Array.isArray(result) ? tensorsInAll(result) : tensorsIn(result));
  return result;
}

function dispose(x) {
  for (const t of tensorsIn(x)) t.dispose();
}

class LazyIterator {
  constructor() {
    // Every field an iterator may set later is set here first: instances of a class then keep
    // one shape (a field added later would change it, and code optimized for the first shape
    // would be thrown away each epoch).
    this._busy = null; // the pending read, while one is pending
    this.readRawBatches = false;
  }

  /** Resolves with {value, done}. */
  next() {
    let chunk;
    try {
      chunk = this.nextChunk(1);
    } catch (e) {
      return Promise.reject(e);
    }
    return isPromise(chunk) ? chunk.then(asResult) : Promise.resolve(asResult(chunk));
  }

  /**
   * Up to `max` elements (fewer does not mean exhausted; none does): an Array or a promise of
   * one, a new Array each call that the caller may keep or change. With `rawBatches`, batches
   * may come as RawBatch (their rows, not yet stacked into tensors), for a consumer that reads
   * rows itself (fitDataset).
   */
  nextChunk(max, rawBatches = false) {
    if (this._busy) {
      const run = () => this.nextChunk(max, rawBatches);
      return this._busy.then(run, run);
    }
    let out = this.pullChunk(max, rawBatches);
    if (rawBatches) this.readRawBatches = true;
    else if (this.readRawBatches && this.forwardsRawBatches) out = isPromise(out) ? out.then(stackRawBatches) : stackRawBatches(out);
    if (isPromise(out)) {
      this._busy = out;
      const clear = () => { if (this._busy === out) this._busy = null; };
      out.then(clear, clear);
    }
    return out;
  }

  /**
   * The elements of one nextChunk call. Stages override it; an iterator that only defines
   * serialNext() (one {value, done} promise per element) is read through it.
   */
  async pullChunk(max) {
    const out = [];
    while (out.length < max) {
      const item = await this.serialNext();
      if (item.done) break;
      out.push(item.value);
    }
    return out;
  }

  /**
   * The caller reads no more: sources let go of what they hold (a CSV reader stops its thread).
   * Stages pass it upstream.
   */
  close() {
    if (this.upstream != null) this.upstream.close();
  }

  /** False when no element can hold a tensor (rows of a CSV file): no need to look for them. */
  get mayHoldTensors() {
    return this.upstream != null ? this.upstream.mayHoldTensors : true;
  }

  [Symbol.asyncIterator]() {
    return { next: () => this.next() };
  }

  async toArray() {
    const result = [];
    for (let chunk = await this.nextChunk(READ_AHEAD); chunk.length; chunk = await this.nextChunk(READ_AHEAD)) {
      for (const x of chunk) result.push(x);
    }
    return result;
  }

  async resolveFully() {
    for (let chunk = await this.nextChunk(READ_AHEAD); chunk.length; chunk = await this.nextChunk(READ_AHEAD));
  }

  async forEachAsync(f) {
    return this.map(f).resolveFully();
  }

  filter(predicate) { return new FilterIterator(this, predicate); }
  /** map; with `scoped`, tensors the transform makes and does not return are disposed. */
  map(transform, scoped = false) { return new MapIterator(this, transform, false, scoped); }
  mapAsync(transform) { return new MapIterator(this, transform, true, false); }
  take(count) { return count == null || count < 0 ? this : new TakeIterator(this, count); }
  skip(count) { return count == null || count < 0 ? this : new SkipIterator(this, count); }
  prefetch(bufferSize) { return new PrefetchIterator(this, bufferSize); }
  shuffle(windowSize, seed) { return new ShuffleIterator(this, windowSize, seed); }
  concatenate(other) { return new ChainedIterator(new ArrayIterator([this, other], false)); }
  /** Groups `batchSize` elements and merges each group with `zipFn` (see batch.js). */
  batch(batchSize, smallLastBatch, zipFn) { return new BatchIterator(this, batchSize, smallLastBatch, zipFn); }
}

const asResult = chunk => (chunk.length ? { value: chunk[0], done: false } : DONE);

const ROWS = Symbol('rows');

/**
 * A batch whose rows have not been stacked into tensors yet. Stages that pass elements through
 * unchanged (take, skip, repeat, concatenate, shuffle, prefetch) hand it on; anything else gets
 * the tensors. The rows sit under a symbol, so that walking the element finds no tensor.
 */
class RawBatch {
  constructor(rows, zipFn) {
    this[ROWS] = rows;
    this.zipFn = zipFn;
  }
  get rows() { return this[ROWS]; }
  stack() { return tidy(() => this.zipFn(this[ROWS])); }
}

/** The elements with every RawBatch stacked. */
function stackRawBatches(chunk) {
  for (let i = 0; i < chunk.length; i++) if (chunk[i] instanceof RawBatch) chunk[i] = chunk[i].stack();
  return chunk;
}

class ArrayIterator extends LazyIterator {
  constructor(items, clone = true) {
    super();
    this.items = items;
    this.clone = clone;
    this.pos = 0;
  }
  pullChunk(max) {
    const end = Math.min(this.items.length, this.pos + max);
    const out = new Array(end - this.pos);
    for (let i = 0; i < out.length; i++) {
      const item = this.items[this.pos + i];
      out[i] = this.clone ? cloneElement(item) : item;
    }
    this.pos = end;
    return out;
  }
  /** Iterators not yet read (a concatenation's) are closed too. */
  close() {
    if (this.clone) return;
    for (let i = this.pos; i < this.items.length; i++) if (this.items[i] instanceof LazyIterator) this.items[i].close();
    this.pos = this.items.length;
  }
}

/** Elements from a function returning {value, done} (or a promise of it): generators. */
class FunctionCallIterator extends LazyIterator {
  constructor(nextFn) {
    super();
    this.nextFn = nextFn;
    this.finished = false;
  }
  pullChunk(max) {
    return drive(this.pull(max));
  }
  *pull(max) {
    const out = [];
    while (out.length < max && !this.finished) {
      let item;
      try {
        item = this.nextFn();
        if (isPromise(item)) item = yield item;
      } catch (e) {
        e.message = `Error thrown while iterating through a dataset: ${e.message}`;
        throw e;
      }
      if (item == null || item.done) this.finished = true;
      else out.push(item.value);
    }
    return out;
  }
}

class TakeIterator extends LazyIterator {
  constructor(upstream, count) {
    super();
    this.upstream = upstream;
    this.left = count;
  }
  get forwardsRawBatches() { return true; }
  pullChunk(max, raw) {
    if (this.left <= 0) {
      this.upstream.close();
      return [];
    }
    const chunk = this.upstream.nextChunk(Math.min(max, this.left), raw);
    const count = (c) => {
      this.left -= c.length;
      if (this.left <= 0) this.upstream.close(); // nothing more is read from it
      return c;
    };
    return isPromise(chunk) ? chunk.then(count) : count(chunk);
  }
}

class SkipIterator extends LazyIterator {
  constructor(upstream, count) {
    super();
    this.upstream = upstream;
    this.left = count;
  }
  get forwardsRawBatches() { return true; }
  pullChunk(max, raw) {
    return this.left > 0 ? drive(this.pull(max, raw)) : this.upstream.nextChunk(max, raw);
  }
  *pull(max, raw) {
    while (this.left > 0) {
      const skipped = yield this.upstream.nextChunk(Math.min(this.left, READ_AHEAD), raw);
      if (skipped.length === 0) return skipped;
      this.left -= skipped.length;
      skipped.forEach(dispose);
    }
    return yield this.upstream.nextChunk(max, raw);
  }
}

class FilterIterator extends LazyIterator {
  constructor(upstream, predicate) {
    super();
    this.upstream = upstream;
    this.predicate = predicate;
  }
  pullChunk(max) {
    return drive(this.pull(max));
  }
  *pull(max) {
    for (;;) {
      const chunk = yield this.upstream.nextChunk(max);
      if (chunk.length === 0) return chunk;
      const kept = [];
      for (const x of chunk) {
        if (this.predicate(x)) kept.push(x);
        else dispose(x);
      }
      if (kept.length) return kept;
    }
  }
}

/** map / mapAsync: tensors of the input that the output does not hold are disposed. */
class MapIterator extends LazyIterator {
  constructor(upstream, transform, isAsync, scoped) {
    super();
    this.upstream = upstream;
    this.transform = transform;
    this.isAsync = isAsync;
    this.scoped = scoped;
  }
  pullChunk(max) {
    const chunk = this.upstream.nextChunk(max);
    if (this.isAsync) return Promise.resolve(chunk).then(c => this.mapAsync(c));
    const map = c => (this.scoped ? tidy(() => this.mapAll(c)) : this.mapAll(c));
    return isPromise(chunk) ? chunk.then(map) : map(chunk);
  }
  mapAll(chunk) {
    // Elements of a CSV file hold no tensors: nothing of the input to dispose.
    if (!this.upstream.mayHoldTensors) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = this.transform(chunk[i]);
      return chunk;
    }
    for (let i = 0; i < chunk.length; i++) chunk[i] = this.mapOne(chunk[i], this.transform(chunk[i]));
    return chunk;
  }
  async mapAsync(chunk) {
    for (let i = 0; i < chunk.length; i++) chunk[i] = this.mapOne(chunk[i], await this.transform(chunk[i]));
    return chunk;
  }
  get mayHoldTensors() { return true; }
  mapOne(input, mapped) {
    if (this.upstream.mayHoldTensors && hasTensor(input)) {
      const inputs = tensorsIn(input);
      const kept = new Set(tensorsIn(mapped));
      for (const t of inputs) if (!kept.has(t)) t.dispose();
    }
    return mapped;
  }
}

class BatchIterator extends LazyIterator {
  constructor(upstream, batchSize, smallLastBatch, zipFn) {
    super();
    this.upstream = upstream;
    this.batchSize = batchSize;
    this.smallLastBatch = smallLastBatch;
    this.zipFn = zipFn;
    this.pending = []; // elements read and not yet batched
    this.upstreamDone = false;
  }
  get mayHoldTensors() { return true; }
  pullChunk(max, raw) {
    return drive(this.pull(max, raw));
  }
  *pull(max, raw) {
    const want = Math.max(1, Math.min(max, Math.floor(BATCH_READ_ROWS / this.batchSize))) * this.batchSize;
    this.upstreamDone = false;
    while (this.pending.length < want) {
      const chunk = yield this.upstream.nextChunk(want - this.pending.length);
      if (chunk.length === 0) {
        this.upstreamDone = true;
        break;
      }
      if (this.pending.length === 0) this.pending = chunk;
      else for (let i = 0; i < chunk.length; i++) this.pending.push(chunk[i]);
    }
    const batches = [];
    let at = 0;
    while (batches.length < max && this.pending.length - at >= this.batchSize) {
      batches.push(this.pending.slice(at, at + this.batchSize));
      at += this.batchSize;
    }
    if (batches.length < max && this.upstreamDone && this.pending.length > at) {
      // A small last batch, or the rows that make no whole batch (dropped, as TF.js does).
      if (this.smallLastBatch) batches.push(this.pending.slice(at));
      at = this.pending.length;
    }
    this.pending = at === this.pending.length ? [] : this.pending.slice(at);
    if (raw) return batches.map(rows => new RawBatch(rows, this.zipFn));
    return tidy(() => batches.map(rows => this.zipFn(rows)));
  }
}

/** Elements of each iterator that `iterators` yields, one iterator after the other. */
class ChainedIterator extends LazyIterator {
  constructor(iterators) {
    super();
    this.more = iterators;
    this.current = null;
  }
  get forwardsRawBatches() { return true; }
  pullChunk(max, raw) {
    return drive(this.pull(max, raw));
  }
  *pull(max, raw) {
    for (;;) {
      if (this.current == null) {
        const next = yield this.more.nextChunk(1);
        if (next.length === 0) return next;
        this.current = next[0];
      }
      const chunk = yield this.current.nextChunk(max, raw);
      if (chunk.length) return chunk;
      this.current = null;
    }
  }
  close() {
    if (this.current != null) this.current.close();
    this.current = null;
    this.more.close();
  }
  get mayHoldTensors() { return true; }
}

/** Zips a nested structure of iterators; ends with the shortest. */
class ZipIterator extends LazyIterator {
  constructor(iterators) {
    super();
    this.iterators = iterators;
    this.leaves = [];
    const walk = (node) => {
      if (node instanceof LazyIterator) this.leaves.push(node);
      else if (isIterable(node)) Object.values(node).forEach(walk);
      else throw new Error('Leaves of the structure passed to zip() must be Datasets, not primitives.');
    };
    walk(iterators);
    this.held = this.leaves.map(() => []); // elements read from a leaf, not yet zipped
    this.exhausted = false;
  }
  pullChunk(max) {
    return drive(this.pull(max));
  }
  *pull(max) {
    if (this.exhausted || this.leaves.length === 0) return [];
    const reads = this.leaves.map((it, i) => (this.held[i].length ? this.held[i] : it.nextChunk(max)));
    const chunks = reads.some(isPromise) ? yield Promise.all(reads) : reads;
    if (chunks.some(c => c.length === 0)) {
      this.close(); // the longer datasets are read no further
      return [];
    }
    const n = Math.min(max, ...chunks.map(c => c.length));
    this.held = chunks.map(c => c.slice(n));
    const out = new Array(n);
    for (let k = 0; k < n; k++) {
      let leaf = 0;
      const build = (node) => {
        if (node instanceof LazyIterator) return chunks[leaf++][k];
        const result = Array.isArray(node) ? [] : {};
        for (const key in node) result[key] = build(node[key]);
        return result;
      };
      out[k] = build(this.iterators);
    }
    return out;
  }  close() {
    this.exhausted = true;
    for (const it of this.leaves) it.close();
  }
  get mayHoldTensors() { return this.leaves.some(it => it.mayHoldTensors); }
}

/** Reads `bufferSize` elements ahead (the promises, as TF.js does, when read with next()). */
class PrefetchIterator extends LazyIterator {
  constructor(upstream, bufferSize) {
    super();
    this.upstream = upstream;
    this.buffer = new RingBuffer(bufferSize);
  }
  refill() {
    while (!this.buffer.isFull()) this.buffer.push(this.upstream.next());
  }
  next() {
    this.refill();
    return this.buffer.shift();
  }
  get forwardsRawBatches() { return true; }
  pullChunk(max, raw) {
    // Elements already requested with next() come first.
    if (!this.buffer.isEmpty()) return this.buffer.shift().then(r => (r.done ? [] : [r.value]));
    return this.upstream.nextChunk(max, raw);
  }
}

// An object rather than a symbol: the window otherwise holds elements, most often objects, and
// comparing objects by identity stays monomorphic in optimized code.
const END = Object.freeze({ endOfUpstream: true });

/**
 * TF.js's windowed shuffle: picks a random element of the read-ahead window each time, refilling
 * the window after every element it yields. The window holds values (and an END mark for each
 * read past the end of the upstream, where TF.js holds a promise of a `done` result), so that the
 * same seed draws the same order.
 *
 * TF.js's window is a ring buffer that a shuffle only pushes to and excises from (the last element
 * moves into the excised slot, its start never moves), so it is kept here as a plain array with a
 * length: the same slots, the same draws, and no call per element (this loop runs for every
 * element of every epoch, much of it before the JIT has compiled it).
 */
class ShuffleIterator extends LazyIterator {
  constructor(upstream, windowSize, seed) {
    super();
    checkCapacity(windowSize); // TF.js's window is a ring buffer: a window below 1 is refused
    this.upstream = upstream;
    this.window = new Array(windowSize);
    this.windowSize = windowSize;
    this.length = 0; // entries in the window
    this.elements = 0; // entries that are elements (not END)
    this.random = alea(seed || String(Date.now()));
    this.upstreamExhausted = false; // an END was drawn: the window is no longer refilled before a draw
    this.mustRefill = false; // the window is refilled before the next draw
    this.queue = []; // elements read upstream, not yet in the window
    this.queueAt = 0;
    this.upstreamDone = false; // the upstream returned no more elements
  }
  // Holds elements read ahead: raw batches only when every read asks for them.
  get forwardsRawBatches() { return true; }
  pullChunk(max, raw) {
    const out = [];
    if (max <= 0) return out;
    if (!this.upstreamExhausted) this.mustRefill = true;
    return this.drawInto(out, max) ? drive(this.readAndDraw(out, max, raw)) : out;
  }
  /** Reads upstream whenever the window needs elements the queue does not hold. */
  *readAndDraw(out, max, raw) {
    do {
      const need = this.windowSize - this.length;
      this.queue = yield this.upstream.nextChunk(Math.max(need, READ_AHEAD), raw);
      this.queueAt = 0;
      if (this.queue.length === 0) this.upstreamDone = true;
    } while (this.drawInto(out, max));
    return out;
  }
  /**
   * Draws elements into `out` until it holds `max` or the window is empty. True when it stopped
   * because refilling the window needs elements read from upstream first (call again then).
   */
  drawInto(out, max) {
    const { window, windowSize, queue, random } = this;
    let { length, elements, queueAt } = this;
    let needsRead = false;
    for (;;) {
      if (this.upstreamDone && elements === 0) {
        // Only END marks are left: every later draw would take one and yield nothing (the
        // draws use this iterator's own generator, which nothing reads afterwards).
        length = 0;
        this.upstreamExhausted = true;
        this.mustRefill = false;
        break;
      }
      if (this.mustRefill) {
        while (length < windowSize) {
          if (queueAt < queue.length) {
            window[length++] = queue[queueAt++];
            elements++;
          } else if (this.upstreamDone) {
            window[length++] = END;
          } else {
            break;
          }
        }
        if (length < windowSize) {
          needsRead = true;
          break;
        }
        this.mustRefill = false;
      }
      if (out.length >= max || length === 0) break;
      const chosen = Math.floor(random() * length);
      const value = window[chosen];
      window[chosen] = window[--length];
      window[length] = undefined;
      if (value === END) {
        this.upstreamExhausted = true;
      } else {
        out.push(value);
        elements--;
        this.mustRefill = true;
      }
    }
    this.length = length;
    this.elements = elements;
    this.queueAt = queueAt;
    return needsRead;
  }
}

module.exports = {
  tidy, drive, isPromise, RawBatch, LazyIterator, ArrayIterator, FunctionCallIterator, ChainedIterator, ZipIterator, DONE,
};
