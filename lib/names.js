'use strict';
// Names as TF.js makes them: one counter per prefix for the whole process (`getUid`),
// `toSnakeCase` for class names (tfjs-layers `backend/state.ts`, `utils/generic_utils.ts`).

const counters = new Map();

function getUid(prefix = '') {
  const next = (counters.get(prefix) || 0) + 1;
  counters.set(prefix, next);
  return prefix + next;
}

function toSnakeCase(name) {
  const snake = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return snake[0] === '_' ? `private${snake}` : snake;
}

/** `dense_Dense1`, `dropout_Dropout1`, ...: what TF.js names a layer of this class. */
function defaultLayerName(className) {
  return `${toSnakeCase(className)}_${getUid(className)}`;
}

module.exports = { getUid, toSnakeCase, defaultLayerName };
