'use strict';
// Tensor factories: fill, zerosLike/onesLike, linspace, range, and the seedable random ones,
// which draw from the same Alea streams as TF.js (equal seeds give equal values).
const { ARRAY_TYPES, assert, toTensor, build } = require('./util');
const { alea } = require('./alea');

function checkShape(shape, opName) {
  assert(Array.isArray(shape) && shape.every(d => Number.isInteger(d) && d >= 0),
    () => `${opName}: shape must be an array of non-negative integers but got ${JSON.stringify(shape)}`);
}

function checkDtype(dtype, opName) {
  assert(ARRAY_TYPES[dtype] !== undefined, () => `${opName}: dtype must be 'float32', 'int32' or 'bool' but got ${JSON.stringify(dtype)}`);
}

function fill(shape, value, dtype) {
  checkShape(shape, 'fill');
  assert(typeof value === 'number' || typeof value === 'boolean', () => `fill: value must be a number or boolean but got ${JSON.stringify(value)}`);
  dtype = dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  checkDtype(dtype, 'fill');
  return build(shape, dtype, out => out.fill(Number(value)));
}

const zerosLike = (x) => { const t = toTensor(x, 'x', 'zerosLike'); return build(t.shape, t.dtype); };
const onesLike = (x) => { const t = toTensor(x, 'x', 'onesLike'); return build(t.shape, t.dtype, out => out.fill(1)); };

/** num values from start to stop, each the previous plus the step (in float32, as TF.js). */
function linspace(start, stop, num) {
  if (num <= 0) throw new Error('The number of values should be positive.');
  const step = (stop - start) / (num - 1);
  return build([num], 'float32', (out) => {
    out[0] = start;
    for (let i = 1; i < num; i++) out[i] = out[i - 1] + step;
  });
}

/** range(start, stop, step = 1, dtype = 'float32'), with TF.js's quirks (range(5, 0) counts down). */
function range(start, stop, step = 1, dtype = 'float32') {
  if (step === 0) throw new Error('Cannot have a step of zero');
  checkDtype(dtype, 'range');
  const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
  if (empty) return build([0], dtype);
  const n = Math.abs(Math.ceil((stop - start) / step));
  if (stop < start && step === 1) step = -1;
  return build([n], dtype, (out) => {
    out[0] = start;
    for (let i = 1; i < n; i++) out[i] = out[i - 1] + step;
  });
}

/** Uniform values in [minval, maxval); int32 results are truncated as in TF.js. */
function randomUniform(shape, minval = 0, maxval = 1, dtype = 'float32', seed) {
  checkShape(shape, 'randomUniform');
  checkDtype(dtype, 'randomUniform');
  const random = alea(String(seed ?? Math.random()));
  const span = maxval - minval;
  return build(shape, dtype, (out) => { for (let i = 0; i < out.length; i++) out[i] = minval + span * random(); });
}

/** Normal values (Marsaglia's polar method, two per draw, as TF.js's MPRandGauss); int32 rounds. */
function randomNormal(shape, mean = 0, stdDev = 1, dtype = 'float32', seed) {
  checkShape(shape, 'randomNormal');
  if (dtype === 'bool') throw new Error(`Unsupported data type ${dtype}`);
  checkDtype(dtype, 'randomNormal');
  const random = alea(String(seed ? seed : Math.random()));
  const convert = dtype === 'float32' ? v => v : Math.round;
  let spare = NaN;
  const next = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    let v1, v2, s;
    do {
      v1 = 2 * random() - 1;
      v2 = 2 * random() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt(-2.0 * Math.log(s) / s);
    spare = convert(mean + stdDev * v2 * m);
    return convert(mean + stdDev * v1 * m);
  };
  return build(shape, dtype, (out) => { for (let i = 0; i < out.length; i++) out[i] = next(); });
}

/** tf.util.shuffle: Fisher–Yates in place with Math.random. */
function shuffle(array) {
  for (let counter = array.length; counter > 0;) {
    const index = (Math.random() * counter) | 0;
    counter--;
    [array[counter], array[index]] = [array[index], array[counter]];
  }
}

/** tf.util.shuffleCombo: the same permutation applied to two arrays. */
function shuffleCombo(array, array2) {
  if (array.length !== array2.length) {
    throw new Error(`Array sizes must match to be shuffled together First array length was ${array.length}Second array length was ${array2.length}`);
  }
  for (let counter = array.length; counter > 0;) {
    const index = (Math.random() * counter) | 0;
    counter--;
    [array[counter], array[index]] = [array[index], array[counter]];
    [array2[counter], array2[index]] = [array2[index], array2[counter]];
  }
}

module.exports = { fill, zerosLike, onesLike, linspace, range, randomUniform, randomNormal, shuffle, shuffleCombo };
