'use strict';
// tf.data.csv: rows parsed by the native reader (NativeCsvReader, streaming a file a chunk at a
// time, or parsing a downloaded text, on a thread of its own so that a slow disk or a FIFO never
// blocks this one) and turned into TF.js's elements: {column: value}, or {xs: {...}, ys: {...}}
// when a column is a label. Unlike TF.js, a column named `__proto__` is kept (an own key).
const { NativeCsvReader } = require('../native');
const { describe, fail } = require('../errors');
const { Dataset, withIteratorMaker } = require('./dataset');
const { LazyIterator, DONE, isPromise } = require('./iterators');

const CHUNK_ROWS = 1024; // rows read per native call (fewer when a file has many columns)
const DTYPES = ['float32', 'int32', 'bool', 'string'];
/** Columns past which objects are dictionaries anyway (V8 gives literals up to ~1,000 fixed fields). */
const LITERAL_COLUMNS = 1000;
const NUMBER = 0;
const STRING = 1;

class CSVDataset extends Dataset {
  constructor(source, csvConfig = {}) {
    super();
    this._source = resolveSource(source);
    const config = csvConfig ?? {};
    if (typeof config !== 'object') fail(`tf.data.csv: config must be an object but got ${describe(config)}`);
    this._columnConfigs = config.columnConfigs ?? null;
    this._configuredColumnsOnly = Boolean(config.configuredColumnsOnly);
    this._nativeConfig = JSON.stringify(nativeConfig(config));
    this._columnNames = null;
    this._spareBuffers = null; // chunk buffers of a finished iterator, for the next one
    this._maker = null; // {columns, make}: the element maker of the last header's columns
    this._kept = null; // {id, header}: the header of the kept parse last opened
  }

  /**
   * The column names: configured ones with configuredColumnsOnly, else all (read from the
   * header once, as TF.js reads them once).
   */
  async columnNames() {
    if (this._columnNames === null) {
      const { reader, header } = await this._open();
      reader.close();
      this._columnNames = header.names;
    }
    return this._configuredColumnsOnly ? Object.keys(this._columnConfigs ?? {}) : this._columnNames.slice();
  }

  async iterator() {
    return this._makeIterator();
  }

  /** The iterator, or a promise of it until the header is read (see withIteratorMaker). */
  _makeIterator() {
    const opened = this._open();
    const rows = ({ reader, header }) => new CsvRowIterator(reader, header, this._columnConfigs ?? {}, this);
    return isPromise(opened) ? opened.then(rows) : rows(opened);
  }

  /**
   * Buffers for `cells` cells: a finished iterator's when they are large enough (an epoch's
   * iterator takes over the last one's, instead of new external memory each epoch).
   */
  _takeBuffers(cells) {
    const spare = this._spareBuffers;
    this._spareBuffers = null;
    if (spare !== null && spare.values.length >= cells) return spare;
    return { values: new Float64Array(cells), kinds: new Uint8Array(cells) };
  }

  _releaseBuffers(buffers) {
    this._spareBuffers = buffers;
  }

  /** The element maker for these columns: made once, reused by every epoch's iterator. */
  _elementMaker(columns) {
    const last = this._maker?.columns;
    const same = last === columns || (last?.length === columns.length && columns.every((c, i) => c.name === last[i].name && c.isLabel === last[i].isLabel));
    if (!same) this._maker = { columns, make: elementMaker(columns) };
    return this._maker.make;
  }

  /**
   * A native reader, reading on a thread of its own, and its header: at once when it is at hand
   * (a file kept parsed since an earlier epoch), else a promise (a download, a FIFO or a slow
   * disk never block this thread).
   */
  _open() {
    const { kind, location } = this._source;
    if (kind !== 'file') return download(location).then(text => this._header(NativeCsvReader.fromText(text, location, this._nativeConfig, CHUNK_ROWS)));
    return this._header(NativeCsvReader.openFile(location, this._nativeConfig, CHUNK_ROWS));
  }

  /** {reader, header}, or a promise of it when the header has not arrived yet. */
  _header(reader) {
    // Rows served from a parse kept since an earlier epoch have the header read then.
    const keptId = reader.keptId;
    if (keptId !== null && keptId === this._kept?.id) return { reader, header: this._kept.header };
    const opened = (header) => {
      this._kept = keptId === null ? null : { id: keptId, header };
      return { reader, header };
    };
    const header = reader.header();
    return header !== null ? opened(header) : waitForHeader(reader).then(opened);
  }
}

withIteratorMaker(CSVDataset.prototype.iterator, CSVDataset.prototype._makeIterator);

/**
 * Elements from native chunks of rows.
 *
 * Besides `next()`, the iterator offers `nextChunk(max)`, for pipelines that take elements many
 * at a time. Its contract:
 * - it returns an Array of 1 to `max` elements synchronously when rows are already buffered (or
 *   the reading thread has already delivered more), else a Promise of such an Array;
 * - an empty Array (returned or resolved) means the iterator is exhausted, and every later call
 *   returns an empty Array too;
 * - the elements are exactly those `next()` would have yielded, in the same order; calls to
 *   `next()` and `nextChunk()` may be mixed, each continues where the other stopped (a call
 *   made while a Promise is pending is served after it);
 * - a read or parse error is thrown (synchronous case) or rejects the Promise.
 */
class CsvRowIterator extends LazyIterator {
  constructor(reader, header, columnConfigs, dataset) {
    super();
    this.reader = reader;
    this.dataset = dataset;
    this.columns = header.columns;
    this.defaults = header.columns.map(c => configOf(columnConfigs, c.name)?.default);
    this.makeElement = dataset._elementMaker(header.columns);
    this.buffers = dataset._takeBuffers(header.chunkRows * this.columns.length); // reused by every chunk
    this.values = this.buffers.values;
    this.kinds = this.buffers.kinds;
    this.rows = 0; // rows in the buffers
    this.row = 0; // next row to turn into an element
    this.cell = 0;
    this.strings = [];
  }

  get mayHoldTensors() { return false; }

  async serialNext() {
    let elements = this._bufferedChunk(1);
    while (elements === null) {
      await this.reader.wait();
      elements = this._bufferedChunk(1);
    }
    return elements.length ? { value: elements[0], done: false } : DONE;
  }

  /** Stops the reading thread (when the rows are not all read) and hands the buffers back. */
  close() {
    if (this.reader === null) return;
    this.reader.close();
    this.reader = null;
    this.rows = 0;
    this.row = 0;
    this.strings = [];
    this.dataset._releaseBuffers(this.buffers);
    this.buffers = this.values = this.kinds = null;
  }

  /** Up to `max` elements: an Array when they are at hand, else a Promise (see the class comment). */
  nextChunk(max) {
    if (this._busy) {
      const run = () => this.nextChunk(max);
      return this._busy.then(run, run);
    }
    const now = this._bufferedChunk(max);
    if (now !== null) return now;
    const later = (async () => {
      for (;;) {
        await this.reader.wait();
        const elements = this._bufferedChunk(max);
        if (elements !== null) return elements;
      }
    })();
    this._busy = later;
    const clear = () => { if (this._busy === later) this._busy = null; };
    later.then(clear, clear);
    return later;
  }

  /** Up to `max` elements from rows already here; [] at the end; null when rows must be awaited. */
  _bufferedChunk(max) {
    if (this.row >= this.rows) {
      if (this.reader === null) return [];
      const chunk = this.reader.takeChunk(this.values, this.kinds);
      if (chunk === null) return null;
      if (chunk.rows === 0) {
        this.close();
        return [];
      }
      this.rows = chunk.rows;
      this.strings = chunk.strings;
      this.row = 0;
      this.cell = 0;
    }
    const n = Math.min(Math.max(1, Math.floor(max) || 1), this.rows - this.row);
    const out = new Array(n);
    const { makeElement, values, kinds, strings, defaults } = this;
    const width = this.columns.length;
    let cell = this.cell;
    for (let k = 0; k < n; k++, cell += width) out[k] = makeElement(values, kinds, strings, cell, defaults);
    this.cell = cell;
    this.row += n;
    return out;
  }
}

/**
 * A function making one row's element from the chunk's cells starting at `cell`, written for the
 * file's columns: one object literal per element, with the columns as literal keys. Every element
 * then has the same shape from the first, and a row costs a few property stores instead of a loop
 * of keyed stores (this runs for every row of every epoch, mostly before the JIT has compiled it).
 * The names are embedded as JSON string literals; `__proto__` is a computed key, which an
 * object literal defines as an own property (a plain `"__proto__":` would set the prototype).
 */
function elementMaker(columns) {
  if (columns.length > LITERAL_COLUMNS) return loopElementMaker(columns);
  const cellOf = (col, i) => `kinds[cell + ${i}] === ${NUMBER} ? values[cell + ${i}] : kinds[cell + ${i}] === ${STRING} ? strings[values[cell + ${i}]] : defaults[${i}]`;
  const key = name => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name));
  const objectOf = entries => `{ ${entries.map(([col, i]) => `${key(col.name)}: ${cellOf(col, i)}`).join(', ')} }`;
  const indexed = columns.map((col, i) => [col, i]);
  const features = objectOf(indexed.filter(([col]) => !col.isLabel));
  const body = columns.some(c => c.isLabel) ? `{ xs: ${features}, ys: ${objectOf(indexed.filter(([col]) => col.isLabel))} }` : features;
  try {
    // Generated from the header's names, each escaped as a JSON string literal.
    return new Function('values', 'kinds', 'strings', 'cell', 'defaults', `return ${body};`);
  } catch (e) {
    // Code generation disallowed (node --disallow-code-generation-from-strings): the loop.
    if (e instanceof EvalError) return loopElementMaker(columns);
    throw e;
  }
}

/**
 * The same as a loop of keyed stores: for files too wide for a fixed object shape, and where
 * code generation is disallowed.
 */
function loopElementMaker(columns) {
  const hasLabels = columns.some(c => c.isLabel);
  return (values, kinds, strings, cell, defaults) => {
    const features = {};
    const labels = {};
    for (let i = 0; i < columns.length; i++, cell++) {
      const kind = kinds[cell];
      const value = kind === NUMBER ? values[cell] : kind === STRING ? strings[values[cell]] : defaults[i];
      // An own property even for `__proto__`, which an assignment would take as the prototype.
      Object.defineProperty(columns[i].isLabel ? labels : features, columns[i].name, { value, enumerable: true, writable: true, configurable: true });
    }
    return hasLabels ? { xs: features, ys: labels } : features;
  };
}

/** A column's config: an own key of `columnConfigs` only (`constructor` is not Object's). */
function configOf(columnConfigs, name) {
  return columnConfigs && Object.prototype.hasOwnProperty.call(columnConfigs, name) ? columnConfigs[name] : undefined;
}

/** file:// URL or path → a file; http(s):// → a download. */
function resolveSource(source) {
  if (source instanceof URL) source = source.href;
  if (typeof source !== 'string' || source === '') {
    fail(`tf.data.csv: source must be a file path or a file://, http:// or https:// URL but got ${describe(source)}`);
  }
  if (/^https?:\/\//i.test(source)) return { kind: 'url', location: source };
  // As in TF.js, file:///abs/path and file://./rel/path are the paths after the scheme.
  if (source.startsWith('file://')) return { kind: 'file', location: source.slice('file://'.length) };
  return { kind: 'file', location: source };
}

async function waitForHeader(reader) {
  let header;
  while ((header = reader.header()) === null) await reader.wait();
  return header;
}

async function download(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = e.cause && (e.cause.code || e.cause.message);
    throw new Error(`tf.data.csv: cannot fetch ${url}: ${cause || e.message}`);
  }
  if (!response.ok) throw new Error(`tf.data.csv: fetching ${url} failed with HTTP ${response.status} ${response.statusText}`.trimEnd());
  return response.text();
}

/** Checks the config and converts it for the native reader. */
function nativeConfig(config) {
  const { hasHeader, columnNames, columnConfigs, delimiter, delimWhitespace, maxLineLength } = config;
  if (maxLineLength != null && !(maxLineLength === Infinity || (Number.isSafeInteger(maxLineLength) && maxLineLength > 0))) {
    fail(`tf.data.csv: maxLineLength must be a positive integer (bytes) or Infinity but got ${describe(maxLineLength)}`);
  }
  if (columnNames != null && (!Array.isArray(columnNames) || !columnNames.every(n => typeof n === 'string'))) {
    fail(`tf.data.csv: columnNames must be an array of strings but got ${describe(columnNames)}`);
  }
  if (delimiter != null && typeof delimiter !== 'string') fail(`tf.data.csv: delimiter must be a string but got ${describe(delimiter)}`);
  if (delimWhitespace && delimiter != null) fail('Delimiter should not be provided when delimWhitespace is true.');
  if (columnConfigs != null && (typeof columnConfigs !== 'object' || Array.isArray(columnConfigs))) {
    fail(`tf.data.csv: columnConfigs must be an object keyed by column name but got ${describe(columnConfigs)}`);
  }
  const configs = Object.entries(columnConfigs ?? {}).map(([name, c]) => {
    if (c == null || typeof c !== 'object') fail(`tf.data.csv: columnConfigs.${name} must be an object but got ${describe(c)}`);
    if (c.dtype != null && !DTYPES.includes(c.dtype)) fail(`tf.data.csv: columnConfigs.${name}.dtype must be one of ${DTYPES.join(', ')} but got ${describe(c.dtype)}`);
    return { name, dtype: c.dtype ?? null, required: Boolean(c.required), isLabel: Boolean(c.isLabel), hasDefault: c.default !== undefined };
  });
  return {
    hasHeader: hasHeader !== false,
    columnNames: columnNames ?? null,
    columnConfigs: configs,
    configuredColumnsOnly: Boolean(config.configuredColumnsOnly),
    delimiter: delimWhitespace ? null : (delimiter || null),
    delimWhitespace: Boolean(delimWhitespace),
    // A dense-mtl option (TF.js has none): the longest line read, in bytes (64 MiB unless given).
    ...(maxLineLength == null ? {} : { maxLineLength: Math.min(maxLineLength, Number.MAX_SAFE_INTEGER) }),
  };
}

/** tf.data.csv(source, config). */
function csv(source, csvConfig = {}) {
  return new CSVDataset(source, csvConfig);
}

module.exports = { csv, CSVDataset };
