'use strict';
// The weights binary of the TF.js format (tfjs-core `io_utils.ts`): every weight in manifest
// order, row-major, little-endian, no padding; optional uint8/uint16/float16 quantization.
const { fail, describe } = require('../errors');

const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 };
const STRING_LENGTH_BYTES = 4;

const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/** One contiguous byte view over weightData (an ArrayBuffer, a list of them, or a typed array). */
function toBytes(weightData) {
  if (weightData instanceof ArrayBuffer) return new Uint8Array(weightData);
  if (ArrayBuffer.isView(weightData)) return new Uint8Array(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  if (Array.isArray(weightData)) return new Uint8Array(Buffer.concat(weightData.map(b => toBytes(b))));
  // Typed arrays and ArrayBuffers from another realm (e.g. jest's sandbox) fail instanceof.
  if (weightData && typeof weightData.byteLength === 'number' && typeof weightData.slice === 'function') return new Uint8Array(weightData);
  return fail(`weightData must be an ArrayBuffer or a list of ArrayBuffers but got ${describe(weightData)}`);
}

/** TF.js `concatenateArrayBuffers`. */
function concatenateArrayBuffers(buffers) {
  const bytes = toBytes(buffers);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function checkSpec(spec, where) {
  if (spec == null || typeof spec.name !== 'string') fail(`${where}: every weight spec needs a name but got ${JSON.stringify(spec)}`);
  if (!Array.isArray(spec.shape) || !spec.shape.every(d => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${where}: weight '${spec.name}' has an invalid shape ${JSON.stringify(spec.shape)}`);
  }
  const q = spec.quantization;
  if (q != null) {
    if (typeof q !== 'object') fail(`${where}: weight '${spec.name}': quantization must be an object {dtype, min, scale} but got ${describe(q)}`);
    if (!Object.hasOwn(QUANTIZED_BYTES, q.dtype)) fail(`Weight ${spec.name} has unknown quantization dtype ${q.dtype}. Supported quantization dtypes are: 'uint8', 'uint16', and 'float16'.`);
    if (q.dtype !== 'float16' && !('min' in q && 'scale' in q)) fail(`Weight ${spec.name} with quantization ${q.dtype} doesn't have corresponding metadata min and scale.`);
    if (q.dtype !== 'float16') {
      // A missing or non-numeric min/scale would decode to NaN (or, for null, to zeros).
      for (const key of ['min', 'scale']) {
        if (typeof q[key] !== 'number' || !Number.isFinite(q[key])) fail(`${where}: weight '${spec.name}': quantization.${key} must be a finite number but got ${describe(q[key])}`);
      }
    }
    if (spec.dtype !== 'float32' && !(spec.dtype === 'int32' && q.dtype !== 'float16')) fail(`Unsupported dtype in weight '${spec.name}': ${spec.dtype} quantized as ${q.dtype}`);
  } else if (!Object.hasOwn(DTYPE_BYTES, spec.dtype) && spec.dtype !== 'string') {
    fail(`Unsupported dtype in weight '${spec.name}': ${spec.dtype}`);
  }
  const bytes = sizeOf(spec.shape) * (q != null ? QUANTIZED_BYTES[q.dtype] : DTYPE_BYTES[spec.dtype] ?? 1);
  if (!Number.isSafeInteger(bytes)) fail(`${where}: weight '${spec.name}' of shape ${JSON.stringify(spec.shape)} describes ${bytes} bytes, more than any file can hold`);
}

/** Bytes the weight takes at `offset` (strings are length-prefixed, so they need the data). */
function weightByteLength(spec, bytes, offset) {
  const size = sizeOf(spec.shape);
  if (spec.quantization != null) return size * QUANTIZED_BYTES[spec.quantization.dtype];
  if (spec.dtype !== 'string') return size * DTYPE_BYTES[spec.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let length = 0;
  for (let i = 0; i < size; i++) {
    if (offset + length + STRING_LENGTH_BYTES > bytes.length) return length + STRING_LENGTH_BYTES; // reported as truncated
    length += STRING_LENGTH_BYTES + view.getUint32(offset + length, true);
  }
  return length;
}

/** Total bytes the specs describe, or null when it depends on string data. */
function expectedByteLength(specs) {
  if (specs.some(s => s.dtype === 'string' && s.quantization == null)) return null;
  return specs.reduce((sum, s) => sum + weightByteLength(s), 0);
}

function float16ToFloat32(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A weight's values from its bytes: Float32Array for float32 (dequantized if needed), etc. */
function decodeWeight(spec, bytes) {
  const copy = bytes.slice(); // aligned, owned
  const q = spec.quantization;
  if (q != null) {
    const raw = q.dtype === 'uint8' ? copy : new Uint16Array(copy.buffer);
    if (q.dtype === 'float16') return Float32Array.from(raw, float16ToFloat32);
    const values = Array.from(raw, v => v * q.scale + q.min);
    return spec.dtype === 'int32' ? Int32Array.from(values, Math.round) : Float32Array.from(values);
  }
  switch (spec.dtype) {
    case 'float32': return new Float32Array(copy.buffer);
    case 'int32': return new Int32Array(copy.buffer);
    case 'bool': return copy;
    case 'complex64': return new Float32Array(copy.buffer);
    default: return null; // strings: never a model weight; skipped
  }
}

/**
 * TF.js `decodeWeights`, checked: every spec is valid and the data covers all of them.
 * Returns [{spec, values}] in manifest order.
 */
function decodeWeights(weightData, specs, where) {
  if (!Array.isArray(specs)) fail(`${where}: weightSpecs must be a list but got ${describe(specs)}`);
  specs.forEach(s => checkSpec(s, where));
  const bytes = toBytes(weightData);
  const out = [];
  let offset = 0;
  for (const spec of specs) {
    const length = weightByteLength(spec, bytes, offset);
    if (offset + length > bytes.length) {
      const expected = expectedByteLength(specs);
      fail(`${where}: the weight data is truncated: ${expected != null ? `the manifest describes ${expected} bytes` : `weight '${spec.name}' needs bytes ${offset}..${offset + length}`} but there are only ${bytes.length} bytes`);
    }
    out.push({ spec, values: decodeWeight(spec, bytes.subarray(offset, offset + length)) });
    offset += length;
  }
  return out;
}

/** TF.js `encodeWeights` for named values: [{name, shape, dtype, values, group?}] → {data, specs}. */
function encodeWeights(weights) {
  const specs = weights.map(({ name, shape, dtype, group }) => (group != null ? { name, shape: shape.slice(), dtype, group } : { name, shape: shape.slice(), dtype }));
  const parts = weights.map(({ values }) => Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  const data = Buffer.concat(parts);
  return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs };
}

module.exports = { toBytes, concatenateArrayBuffers, decodeWeights, encodeWeights, expectedByteLength, weightByteLength, sizeOf, checkSpec };
