'use strict';
// Tensor.toString: a port of TF.js tensor_format.ts, kept quirk-for-quirk identical
// (e.g. single-row 2-D prints ' [[1, 2],]', scalars print unrounded).
const { computeStrides } = require('./util');

const FORMAT_LIMIT_NUM_VALS = 20;
const FORMAT_NUM_FIRST_LAST_VALS = 3;
const FORMAT_NUM_SIG_DIGITS = 7;

function tensorToString(vals, shape, dtype, verbose) {
  const strides = computeStrides(shape);
  const padPerCol = computeMaxSizePerColumn(vals, shape, dtype);
  const valsLines = subTensorToString(vals, 0, shape, dtype, strides, padPerCol, true);
  const lines = ['Tensor'];
  if (verbose) {
    lines.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`,
      `  shape: [${shape}]`, '  values:');
  }
  lines.push(valsLines.map(l => '    ' + l).join('\n'));
  return lines.join('\n');
}

// Widest printed value per column; TF.js only pads for rank >= 2.
function computeMaxSizePerColumn(vals, shape, dtype) {
  if (shape.length < 2) return [];
  const numCols = shape[shape.length - 1];
  const pad = new Array(numCols).fill(0);
  const numRows = numCols === 0 ? 0 : vals.length / numCols;
  for (let row = 0; row < numRows; row++) {
    for (let j = 0; j < numCols; j++) {
      pad[j] = Math.max(pad[j], valToString(vals[row * numCols + j], 0, dtype).length);
    }
  }
  return pad;
}

function valToString(val, pad, dtype) {
  const str = dtype === 'bool' ? boolToString(val) :
    parseFloat(val.toFixed(FORMAT_NUM_SIG_DIGITS)).toString();
  return pad == null || pad <= str.length ? str : str + ' '.repeat(pad - str.length);
}

function boolToString(v) {
  return v === 0 ? 'false' : 'true';
}

function rowToString(vals, offset, size, dtype, padPerCol) {
  const fmt = (i) => valToString(vals[offset + i], padPerCol[i], dtype);
  if (size > FORMAT_LIMIT_NUM_VALS) {
    const first = [], last = [];
    for (let i = 0; i < FORMAT_NUM_FIRST_LAST_VALS; i++) {
      first.push(fmt(i));
      last.push(fmt(size - FORMAT_NUM_FIRST_LAST_VALS + i));
    }
    return '[' + first.join(', ') + ', ..., ' + last.join(', ') + ']';
  }
  const all = [];
  for (let i = 0; i < size; i++) all.push(fmt(i));
  return '[' + all.join(', ') + ']';
}

function subTensorToString(vals, offset, shape, dtype, strides, padPerCol, isLast) {
  const size = shape[0];
  const rank = shape.length;
  if (rank === 0) {
    return [dtype === 'bool' ? boolToString(vals[offset]) : vals[offset].toString()];
  }
  if (rank === 1) return [rowToString(vals, offset, size, dtype, padPerCol)];

  const subshape = shape.slice(1);
  const substrides = strides.slice(1);
  const stride = strides[0];
  const lines = [];
  const pushSub = (i, last) => lines.push(...subTensorToString(
    vals, offset + i * stride, subshape, dtype, substrides, padPerCol, last));
  if (size > FORMAT_LIMIT_NUM_VALS) {
    for (let i = 0; i < FORMAT_NUM_FIRST_LAST_VALS; i++) pushSub(i, false);
    lines.push('...');
    for (let i = size - FORMAT_NUM_FIRST_LAST_VALS; i < size; i++) pushSub(i, i === size - 1);
  } else {
    for (let i = 0; i < size; i++) pushSub(i, i === size - 1);
  }
  // Same line surgery as TF.js: with one line, first and last coincide,
  // which yields the ' [[1, 2],]' quirk.
  const sep = rank === 2 ? ',' : '';
  lines[0] = '[' + (size > 0 ? lines[0] + sep : '');
  for (let i = 1; i < lines.length - 1; i++) lines[i] = ' ' + lines[i] + sep;
  const newLineSep = ',\n' + '\n'.repeat(rank - 2);
  lines[lines.length - 1] = ' ' + lines[lines.length - 1] + ']' + (isLast ? '' : newLineSep);
  return lines;
}

module.exports = { tensorToString };
