'use strict';
// The key/value conversions TF.js applies between its camelCase configs and the Keras-style
// (snake_case) JSON of model files: tfjs-layers `utils/serialization_utils.ts`, ported as is so
// that our files match TF.js's byte for byte and we read what TF.js reads.
const { toSnakeCase } = require('../names');

/** tfjs-layers `toCamelCase`: only underscores mark word boundaries. */
function toCamelCase(identifier) {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/[_]+(\w|$)/g, (m, p1) => p1.toUpperCase());
}

// Layer names at index 0 of inbound-node and input/output-layer entries keep their spelling.
const NAME_LISTS = ['inboundNodes', 'outputLayers', 'inputLayers'];
const isLayerNameInList = (key, index, value) => NAME_LISTS.includes(key) && index === 0 && typeof value === 'string';

function convertTsToPythonic(value, key) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return toSnakeCase(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item, i) => (isLayerNameInList(key, i, item) ? item : convertTsToPythonic(item, key)));
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    // Names (and class names) are identifiers, not words: they keep their spelling.
    out[toSnakeCase(k)] = (k === 'name' || k === 'className') && typeof v === 'string' ? v : convertTsToPythonic(v, k);
  }
  return out;
}

function convertPythonicToTs(value, key) {
  if (value === null) return null;
  if (typeof value === 'string') return toCamelCase(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item, i) => (isLayerNameInList(key, i, item) ? item : convertPythonicToTs(item, key)));
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'name' && typeof v === 'string') out[k] = v;
    else {
      const tsKey = toCamelCase(k);
      out[tsKey] = convertPythonicToTs(v, tsKey);
    }
  }
  return out;
}

module.exports = { toCamelCase, toSnakeCase, convertTsToPythonic, convertPythonicToTs };
