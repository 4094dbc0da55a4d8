'use strict';
// tf.data.csv: rows parsed by the native reader (NativeCsvReader, streaming a file a chunk at a
// time, or parsing a downloaded text) and turned into TF.js's elements: {column: value}, or
// {xs: {...}, ys: {...}} when a column is a label.
const { NativeCsvReader } = require('../native');
const { describe, fail } = require('../errors');
const { Dataset } = require('./dataset');
const { LazyIterator, DONE } = require('./iterators');

const CHUNK_ROWS = 1024; // rows read per native call
const DTYPES = ['float32', 'int32', 'bool', 'string'];
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
    this._nativeConfig = nativeConfig(config);
    // csv → shuffle → batch with nothing in JavaScript between can train natively (fitDataset).
    this._plan = { csv: this };
  }

  /**
   * Every column as a Float32Array, read natively chunk by chunk, for a native fitDataset; null
   * when a cell is text or empty without a default (the JavaScript path then reports it as TF.js
   * would).
   */
  async _readColumns() {
    const reader = await this._open();
    const columns = reader.columns().map(c => ({ ...c, default: this._columnConfigs?.[c.name]?.default, parts: [] }));
    const width = columns.length;
    const values = new Float64Array(CHUNK_ROWS * width);
    const kinds = new Uint8Array(CHUNK_ROWS * width);
    let rows = 0;
    for (;;) {
      const chunk = reader.nextChunk(CHUNK_ROWS, values, kinds);
      if (chunk.rows === 0) break;
      for (const [k, col] of columns.entries()) {
        const part = new Float32Array(chunk.rows);
        for (let r = 0; r < chunk.rows; r++) {
          const i = r * width + k;
          if (kinds[i] === NUMBER) part[r] = values[i];
          else if (kinds[i] !== STRING && typeof col.default === 'number') part[r] = col.default;
          else return null;
        }
        col.parts.push(part);
      }
      rows += chunk.rows;
    }
    const joined = {};
    for (const col of columns) {
      const all = new Float32Array(rows);
      let at = 0;
      for (const part of col.parts) { all.set(part, at); at += part.length; }
      joined[col.name] = { values: all, isLabel: col.isLabel };
    }
    return { rows, columns: joined };
  }

  /** The column names: configured ones with configuredColumnsOnly, else all (read from the header). */
  async columnNames() {
    const reader = await this._open();
    return this._configuredColumnsOnly ? Object.keys(this._columnConfigs ?? {}) : reader.columnNames();
  }

  async iterator() {
    const reader = await this._open();
    return new CsvRowIterator(reader, this._columnConfigs ?? {});
  }

  /** A native reader positioned after the header line. */
  async _open() {
    const { kind, location } = this._source;
    if (kind === 'file') return NativeCsvReader.openFile(location, this._nativeConfig);
    return NativeCsvReader.fromText(await download(location), location, this._nativeConfig);
  }
}

/** Elements from native chunks of rows. */
class CsvRowIterator extends LazyIterator {
  constructor(reader, columnConfigs) {
    super();
    this.reader = reader;
    this.columns = reader.columns().map(c => ({ ...c, default: columnConfigs[c.name]?.default }));
    this.hasLabels = this.columns.some(c => c.isLabel);
    this.values = new Float64Array(CHUNK_ROWS * this.columns.length); // reused by every chunk
    this.kinds = new Uint8Array(CHUNK_ROWS * this.columns.length);
    this.chunk = null;
    this.row = 0;
    this.cell = 0;
    this.string = 0;
  }

  async serialNext() {
    if (this.chunk === null || this.row >= this.chunk.rows) {
      if (this.reader === null) return DONE;
      this.chunk = this.reader.nextChunk(CHUNK_ROWS, this.values, this.kinds);
      this.row = 0;
      this.cell = 0;
      this.string = 0;
      if (this.chunk.rows === 0) {
        this.reader = null; // closes the file
        return DONE;
      }
    }
    const { values, kinds } = this;
    const { strings } = this.chunk;
    const features = {};
    const labels = {};
    for (const col of this.columns) {
      const i = this.cell++;
      const kind = kinds[i];
      const value = kind === NUMBER ? values[i] : kind === STRING ? strings[this.string++] : col.default;
      if (col.isLabel) labels[col.name] = value;
      else features[col.name] = value;
    }
    this.row++;
    return { value: this.hasLabels ? { xs: features, ys: labels } : features, done: false };
  }
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
  const { hasHeader, columnNames, columnConfigs, delimiter, delimWhitespace } = config;
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
  };
}

/** tf.data.csv(source, config). */
function csv(source, csvConfig = {}) {
  return new CSVDataset(source, csvConfig);
}

module.exports = { csv, CSVDataset };
