'use strict';
// tf.data.Dataset: a recipe for an iterator, with TF.js's chainable steps and its `size`
// bookkeeping (a number, Infinity, or null when unknown).
const { alea } = require('../ops/alea');
const { describe } = require('../errors');
const { tidy, isPromise, ArrayIterator, FunctionCallIterator, ChainedIterator, ZipIterator } = require('./iterators');
const { isIterable, deepMapAndAwaitAll } = require('./deep_map');
const { batchElements } = require('./batch');

class Dataset {
  constructor() {
    this.size = null;
  }

  /** Subclasses return a (promise of a) LazyIterator. */
  async iterator() {
    throw new Error('Dataset.iterator() must be implemented by a subclass');
  }

  batch(batchSize, smallLastBatch = true) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`batch: batchSize must be a positive integer but got ${describe(batchSize)}`);
    let size = this.size;
    if (size != null && size !== Infinity) size = smallLastBatch ? Math.ceil(size / batchSize) : Math.floor(size / batchSize);
    return this._derive(it => it.batch(batchSize, smallLastBatch, batchElements), size);
  }

  concatenate(dataset) {
    if (!(dataset instanceof Dataset)) throw new Error(`concatenate: expected a Dataset but got ${describe(dataset)}`);
    const base = this;
    let size = null;
    if (this.size === Infinity || dataset.size === Infinity) size = Infinity;
    else if (this.size != null && dataset.size != null) size = this.size + dataset.size;
    return datasetFromIteratorFn(async () => (await base.iterator()).concatenate(await dataset.iterator()), size);
  }

  filter(predicate) {
    checkFunction(predicate, 'filter', 'predicate');
    return this._derive(it => it.filter(x => tidy(() => predicate(x))), this.size === Infinity ? Infinity : null);
  }

  async forEachAsync(f) {
    checkFunction(f, 'forEachAsync', 'f');
    return (await this.iterator()).forEachAsync(f);
  }

  map(transform) {
    checkFunction(transform, 'map', 'transform');
    return this._derive(it => it.map(transform, true), this.size);
  }

  mapAsync(transform) {
    checkFunction(transform, 'mapAsync', 'transform');
    return this._derive(it => it.mapAsync(transform), this.size);
  }

  prefetch(bufferSize) {
    if (bufferSize == null) throw new RangeError('`Dataset.prefetch()` requires bufferSize to be specified.');
    return this._derive(it => it.prefetch(bufferSize), this.size);
  }

  /** Repeats `count` times; forever when count is undefined or negative. */
  repeat(count) {
    const base = this;
    let size = null;
    if (this.size != null && count > 0) size = this.size * count;
    else if (count === 0) size = 0;
    else if (this.size != null && (count === undefined || count < 0)) size = Infinity;
    return datasetFromIteratorFn(async () => {
      const iterators = new FunctionCallIterator(async () => ({ value: await base.iterator(), done: false }));
      return new ChainedIterator(iterators.take(count));
    }, size);
  }

  skip(count) {
    let size = null;
    if (this.size != null && count >= 0 && this.size >= count) size = this.size - count;
    else if (this.size != null && (this.size < count || count === undefined || count < 0)) size = 0;
    return this._derive(it => it.skip(count), size);
  }

  /**
   * Shuffles within a window of `bufferSize` elements. With a seed the order equals TF.js's;
   * with reshuffleEachIteration each iterator() draws a new order.
   */
  shuffle(bufferSize, seed, reshuffleEachIteration = true) {
    if (bufferSize == null || bufferSize < 0) {
      throw new RangeError('`Dataset.shuffle()` requires bufferSize to be specified.' + (this.size == null ? '' :
        '  If your data fits in main memory (for regular JS objects), and/or GPU memory (for `tf.Tensor`s), ' +
        `consider setting bufferSize to the dataset size (${this.size} elements)`));
    }
    const random = alea(seed || String(Date.now()));
    // Each iterator() draws its own seed, as in TF.js.
    const nextSeed = () => {
      let seed2 = random.int32();
      if (reshuffleEachIteration) seed2 += random.int32();
      return String(seed2);
    };
    return this._derive(it => it.shuffle(bufferSize, nextSeed()), this.size);
  }

  take(count) {
    let size = null;
    if (this.size != null) size = this.size > count ? count : this.size;
    return this._derive(it => it.take(count), size);
  }

  async toArray() {
    if (this.size === Infinity) throw new Error('Can not convert infinite data stream to array.');
    return (await this.iterator()).toArray();
  }

  // A dataset whose iterator is step(this dataset's iterator).
  _derive(step, size) {
    const base = this;
    return datasetFromIteratorFn(() => {
      const upstream = iteratorOf(base);
      return isPromise(upstream) ? upstream.then(step) : step(upstream);
    }, size);
  }
}

Dataset.MAX_BUFFER_SIZE = 10000;

function checkFunction(f, method, arg) {
  if (typeof f !== 'function') throw new Error(`${method}: ${arg} must be a function but got ${describe(f)}`);
}

const MAKE_ITERATOR = Symbol('makeIterator');

/**
 * Gives the async `iterator` its promise-free form `make`: the iterator, or a promise of it only
 * where making it must wait (a download, a header not read yet). The form hangs on the function
 * itself, so that an iterator() a subclass overrides or an instance replaces has none, and is
 * called as TF.js calls it.
 */
function withIteratorMaker(iterator, make) {
  iterator[MAKE_ITERATOR] = make;
  return iterator;
}

/** A dataset whose iterator is what `makeIterator` returns (an iterator or a promise of one). */
function datasetFromIteratorFn(makeIterator, size = null) {
  const ds = new Dataset();
  ds.size = size;
  ds.iterator = withIteratorMaker(async () => makeIterator(), makeIterator);
  return ds;
}

/** tf.data.array(items): elements are deep copies of the items. */
function array(items) {
  if (!Array.isArray(items)) throw new Error(`tf.data.array: items must be an array but got ${describe(items)}`);
  return datasetFromIteratorFn(() => new ArrayIterator(items), items.length);
}

/** tf.data.generator(fn): fn returns a (sync or async) iterator, e.g. a generator. */
function generator(generatorFn) {
  checkFunction(generatorFn, 'tf.data.generator', 'generator');
  return datasetFromIteratorFn(() => {
    const gen = generatorFn();
    if (gen == null || typeof gen.next !== 'function') {
      throw new Error(`tf.data.generator: the function must return an iterator (e.g. be a function*) but returned ${describe(gen)}`);
    }
    return new FunctionCallIterator(() => gen.next());
  });
}

/** tf.data.zip: a (nested) array or object of datasets, zipped to the shortest. */
function zip(datasets) {
  if (!isIterable(datasets)) throw new Error('The argument to zip() must be an object or array.');
  const leaves = [];
  const walk = (d) => { if (d instanceof Dataset) leaves.push(d); else if (isIterable(d)) Object.values(d).forEach(walk); };
  walk(datasets);
  const size = leaves.some(d => d.size == null) ? null : leaves.reduce((m, d) => Math.min(m, d.size), Infinity);
  return datasetFromIteratorFn(async () => {
    const iterators = await deepMapAndAwaitAll(datasets, (d) => {
      if (d instanceof Dataset) return { value: d.iterator(), recurse: false };
      if (isIterable(d)) return { value: null, recurse: true };
      throw new Error('Leaves of the structure passed to zip() must be Datasets, not primitives.');
    });
    return new ZipIterator(iterators);
  }, leaves.length ? size : 0);
}

/**
 * A dataset's iterator, or a promise of it: through the promise-free form of its iterator() when
 * it has one (see withIteratorMaker), else its iterator().
 */
function iteratorOf(dataset) {
  const make = dataset.iterator?.[MAKE_ITERATOR];
  return make ? make.call(dataset) : dataset.iterator();
}

module.exports = { Dataset, iteratorOf, withIteratorMaker, array, generator, zip };
