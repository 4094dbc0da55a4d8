'use strict';
// Lazy async iterators behind tf.data datasets, ported from tfjs-data's lazy_iterator.ts with the
// same element order (shuffle included) and the same disposal of tensors that a step drops.
// Every next() is serialized after the previous one, so callers may call it without awaiting.
const { startScope, endScope } = require('../tensor');
const { alea } = require('../ops/alea');
const { RingBuffer } = require('./ring_buffer');
const { deepClone, deepMapAndAwaitAll, isIterable, tensorsIn } = require('./deep_map');

const DONE = Object.freeze({ value: null, done: true });

/** tf.tidy for one dataset step: tensors made by fn are disposed unless the result holds them. */
function tidy(fn) {
  startScope('dataset');
  let result;
  try {
    result = fn();
  } catch (e) {
    endScope(null);
    throw e;
  }
  endScope(tensorsIn(result));
  return result;
}

function dispose(x) {
  for (const t of tensorsIn(x)) t.dispose();
}

class LazyIterator {
  /** Resolves with {value, done}; calls are served in order (queued while one is running). */
  next() {
    if (this._busy) {
      const run = () => this.next();
      return this._busy.then(run, run);
    }
    const read = this.serialNext();
    this._busy = read;
    const clear = () => { if (this._busy === read) this._busy = null; };
    read.then(clear, clear);
    return read;
  }

  [Symbol.asyncIterator]() {
    return { next: () => this.next() };
  }

  async toArray() {
    const result = [];
    for (let x = await this.next(); !x.done; x = await this.next()) result.push(x.value);
    return result;
  }

  async resolveFully() {
    for (let x = await this.next(); !x.done; x = await this.next());
  }

  async forEachAsync(f) {
    return this.map(f).resolveFully();
  }

  filter(predicate) { return new FilterIterator(this, predicate); }
  map(transform) { return new MapIterator(this, transform); }
  mapAsync(transform) { return new MapIterator(this, transform, true); }
  take(count) { return count == null || count < 0 ? this : new TakeIterator(this, count); }
  skip(count) { return count == null || count < 0 ? this : new SkipIterator(this, count); }
  prefetch(bufferSize) { return new PrefetchIterator(this, bufferSize); }
  shuffle(windowSize, seed) { return new ShuffleIterator(this, windowSize, seed); }
  concatenate(other) { return new ChainedIterator(new ArrayIterator([this, other], false)); }
  /** Groups `batchSize` elements and merges each group with `zipFn` (see batch.js). */
  batch(batchSize, smallLastBatch, zipFn) { return new BatchIterator(this, batchSize, smallLastBatch, zipFn); }
}

class ArrayIterator extends LazyIterator {
  constructor(items, clone = true) {
    super();
    this.items = items;
    this.clone = clone;
    this.pos = 0;
  }
  async serialNext() {
    if (this.pos >= this.items.length) return DONE;
    const item = this.items[this.pos++];
    return { value: this.clone ? deepClone(item) : item, done: false };
  }
}

/** Elements from a function returning {value, done} (or a promise of it). */
class FunctionCallIterator extends LazyIterator {
  constructor(nextFn) {
    super();
    this.nextFn = nextFn;
  }
  async serialNext() {
    try {
      return await this.nextFn();
    } catch (e) {
      e.message = `Error thrown while iterating through a dataset: ${e.message}`;
      throw e;
    }
  }
}

class TakeIterator extends LazyIterator {
  constructor(upstream, count) {
    super();
    this.upstream = upstream;
    this.left = count;
  }
  async serialNext() {
    return this.left-- > 0 ? this.upstream.next() : DONE;
  }
}

class SkipIterator extends LazyIterator {
  constructor(upstream, count) {
    super();
    this.upstream = upstream;
    this.left = count;
  }
  async serialNext() {
    while (this.left > 0) {
      this.left--;
      const skipped = await this.upstream.next();
      if (skipped.done) return skipped;
      dispose(skipped.value);
    }
    return this.upstream.next();
  }
}

class FilterIterator extends LazyIterator {
  constructor(upstream, predicate) {
    super();
    this.upstream = upstream;
    this.predicate = predicate;
  }
  async serialNext() {
    for (;;) {
      const item = await this.upstream.next();
      if (item.done || this.predicate(item.value)) return item;
      dispose(item.value);
    }
  }
}

/** map / mapAsync: tensors of the input that the output does not hold are disposed. */
class MapIterator extends LazyIterator {
  constructor(upstream, transform, isAsync = false) {
    super();
    this.upstream = upstream;
    this.transform = transform;
    this.isAsync = isAsync;
  }
  async serialNext() {
    const item = await this.upstream.next();
    if (item.done) return DONE;
    const inputs = tensorsIn(item.value);
    const mapped = this.isAsync ? await this.transform(item.value) : this.transform(item.value);
    if (inputs.length) {
      const kept = new Set(tensorsIn(mapped));
      for (const t of inputs) if (!kept.has(t)) t.dispose();
    }
    return { value: mapped, done: false };
  }
}

class BatchIterator extends LazyIterator {
  constructor(upstream, batchSize, smallLastBatch, zipFn) {
    super();
    this.upstream = upstream;
    this.batchSize = batchSize;
    this.smallLastBatch = smallLastBatch;
    this.zipFn = zipFn;
  }
  async serialNext() {
    const rows = [];
    while (rows.length < this.batchSize) {
      const item = await this.upstream.next();
      if (item.done) {
        if (this.smallLastBatch && rows.length > 0) break;
        return DONE;
      }
      rows.push(item.value);
    }
    return { value: tidy(() => this.zipFn(rows)), done: false };
  }
}

/** Elements of each iterator that `iterators` yields, one iterator after the other. */
class ChainedIterator extends LazyIterator {
  constructor(iterators) {
    super();
    this.more = iterators;
    this.current = null;
  }
  async serialNext() {
    for (;;) {
      if (this.current == null) {
        const r = await this.more.next();
        if (r.done) return DONE;
        this.current = r.value;
      }
      const item = await this.current.next();
      if (!item.done) return item;
      this.current = null;
    }
  }
}

/** Zips a nested structure of iterators; ends with the shortest. */
class ZipIterator extends LazyIterator {
  constructor(iterators) {
    super();
    this.iterators = iterators;
  }
  async serialNext() {
    let count = 0;
    let done = 0;
    const value = await deepMapAndAwaitAll(this.iterators, (it) => {
      if (it instanceof LazyIterator) {
        return { value: it.next().then((x) => { count++; if (x.done) done++; return x.value; }), recurse: false };
      }
      if (isIterable(it)) return { value: null, recurse: true };
      throw new Error('Leaves of the structure passed to zip() must be Datasets, not primitives.');
    });
    return count === done || done > 0 ? DONE : { value, done: false };
  }
}

/** Reads `bufferSize` elements ahead (the promises, as TF.js does). */
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
}

/** TF.js's windowed shuffle: picks a random element of the read-ahead window each time. */
class ShuffleIterator extends PrefetchIterator {
  constructor(upstream, windowSize, seed) {
    super(upstream, windowSize);
    this.random = alea(seed || String(Date.now()));
    this.upstreamExhausted = false;
  }
  next() {
    return LazyIterator.prototype.next.call(this);
  }
  async serialNext() {
    if (!this.upstreamExhausted) this.refill();
    while (!this.buffer.isEmpty()) {
      const chosen = Math.floor(this.random() * this.buffer.length());
      const result = await this.buffer.shuffleExcise(chosen);
      if (!result.done) {
        this.refill();
        return result;
      }
      this.upstreamExhausted = true;
    }
    return DONE;
  }
}

module.exports = {
  tidy, LazyIterator, ArrayIterator, FunctionCallIterator, ChainedIterator, ZipIterator, DONE,
};
