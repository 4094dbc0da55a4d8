'use strict';
// TensorBoard event files: TFRecord framing (length, masked CRC32C of the length, data, masked
// CRC32C of the data) around `tensorflow.Event` protobufs holding scalar and histogram
// summaries, as TensorFlow's C++ summary writer (the one tfjs-node uses) writes them.
//
// The protobuf encoding is hand-written: four messages and a dozen fields, encode only; a
// protobuf library (protobufjs, pbf) would be a runtime dependency of the package for about 40
// lines. Field numbers are those of tensorflow/core/util/event.proto and
// tensorflow/core/framework/summary.proto.
const fs = require('fs');
const os = require('os');
const path = require('path');

// --- CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord uses ------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(bytes) {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits, add a constant (tensorflow/core/lib/hash/crc32c.h). */
function maskedCrc32c(bytes) {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of those 8 bytes, the data, masked CRC of the data. */
function tfRecord(data) {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}

// --- protobuf encoding (wire types: 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit) --------

function varint(value) {
  const bytes = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}
const key = (field, wireType) => varint((field << 3) | wireType);
const double = (field, x) => { const b = Buffer.alloc(8); b.writeDoubleLE(x); return Buffer.concat([key(field, 1), b]); };
const float = (field, x) => { const b = Buffer.alloc(4); b.writeFloatLE(x); return Buffer.concat([key(field, 5), b]); };
const int64 = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytesField = (field, data) => Buffer.concat([key(field, 2), varint(data.length), data]);
const string = (field, s) => bytesField(field, Buffer.from(s, 'utf8'));
const packedDoubles = (field, xs) => {
  const b = Buffer.alloc(8 * xs.length);
  xs.forEach((x, i) => b.writeDoubleLE(x, 8 * i));
  return bytesField(field, b);
};

/** HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5, bucket_limit 6, bucket 7. */
const histogramProto = (h) => Buffer.concat([
  double(1, h.min), double(2, h.max), double(3, h.num), double(4, h.sum), double(5, h.sumSquares),
  packedDoubles(6, h.bucketLimit), packedDoubles(7, h.bucket),
]);

/** Summary.Value: tag 1, simple_value 2 (float), histo 5. */
const summaryValue = (v) => Buffer.concat([string(1, v.tag), v.histogram ? bytesField(5, histogramProto(v.histogram)) : float(2, v.value)]);

/** Event: wall_time 1 (double), step 2 (int64), file_version 3, summary 5 (Summary: value 1). */
function event({ wallTime, step = 0, fileVersion, values }) {
  const parts = [double(1, wallTime), int64(2, step)];
  if (fileVersion != null) parts.push(string(3, fileVersion));
  if (values) parts.push(bytesField(5, Buffer.concat(values.map(v => bytesField(1, summaryValue(v))))));
  return Buffer.concat(parts);
}

// --- TensorFlow's histogram (tensorflow/core/lib/histogram/histogram.cc) ----------------------

// Bucket limits growing by 10% from 1e-12 to 1e20, mirrored for negatives, with 0 and ±DBL_MAX.
const DEFAULT_LIMITS = (() => {
  const positive = [];
  for (let v = 1.0e-12; v < 1.0e20; v *= 1.1) positive.push(v);
  positive.push(Number.MAX_VALUE);
  return [...positive.map(v => -v).reverse(), 0, ...positive];
})();

/** A histogram of `values` as TensorFlow encodes it: runs of empty buckets collapsed into one. */
function histogram(values) {
  const counts = new Float64Array(DEFAULT_LIMITS.length);
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let sum = 0;
  let sumSquares = 0;
  for (const x of values) {
    // upper_bound: the first limit greater than x.
    let lo = 0;
    let hi = DEFAULT_LIMITS.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (DEFAULT_LIMITS[mid] > x) hi = mid; else lo = mid + 1;
    }
    counts[lo] += 1;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    sumSquares += x * x;
  }
  const bucketLimit = [];
  const bucket = [];
  for (let i = 0; i < counts.length;) {
    let end = DEFAULT_LIMITS[i];
    let count = counts[i];
    i++;
    if (count <= 0) {
      while (i < counts.length && counts[i] <= 0) {
        end = DEFAULT_LIMITS[i];
        count = counts[i];
        i++;
      }
    }
    bucketLimit.push(end);
    bucket.push(count);
  }
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}

// --- the file writer --------------------------------------------------------------------------

let fileCount = 0;

/**
 * Writes one event file in `dir`: `events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2`, starting
 * with the file_version event. Events are buffered and appended on `flush()`.
 */
class SummaryFileWriter {
  constructor(dir) {
    fs.mkdirSync(dir, { recursive: true });
    const seconds = Math.floor(Date.now() / 1000);
    this.file = path.join(dir, `events.out.tfevents.${String(seconds).padStart(10, '0')}.${os.hostname()}.${process.pid}.${++fileCount}.v2`);
    this.pending = [tfRecord(event({ wallTime: Date.now() / 1000, fileVersion: 'brain.Event:2' }))];
    this.flush();
  }
  scalar(tag, value, step) {
    this.pending.push(tfRecord(event({ wallTime: Date.now() / 1000, step, values: [{ tag, value }] })));
  }
  histogram(tag, values, step) {
    this.pending.push(tfRecord(event({ wallTime: Date.now() / 1000, step, values: [{ tag, histogram: histogram(values) }] })));
  }
  flush() {
    if (this.pending.length === 0) return;
    fs.appendFileSync(this.file, Buffer.concat(this.pending));
    this.pending = [];
  }
}

module.exports = { SummaryFileWriter, crc32c, maskedCrc32c, histogram, DEFAULT_LIMITS };
