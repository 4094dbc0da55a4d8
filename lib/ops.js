'use strict';
// Tensor ops for data preparation, in JavaScript on typed arrays with TF.js's semantics:
// element-wise (lib/ops/elementwise.js), activations, rounding and logic (math.js), reductions
// (reduce.js), rearranging (shape.js), matMul/norm/topk/unique/tile/pad/cumsum (matrix.js) and
// factories (create.js). Loading this module also adds the chainable Tensor methods.
const { Tensor } = require('./tensor');
const { binaryOn, ...elementwise } = require('./ops/elementwise');  
const reduce = require('./ops/reduce');
const shape = require('./ops/shape');
const { shuffle, shuffleCombo, ...create } = require('./ops/create');  
const math = require('./ops/math');
const matrix = require('./ops/matrix');

const ops = {
  ...elementwise,
  ...reduce,
  slice: shape.slice, concat: shape.concat, stack: shape.stack, split: shape.split, gather: shape.gather, transpose: shape.transpose,
  ...create,
  ...math,
  ...matrix,
};

// t.op(...args) === tf.op(t, ...args), as in TF.js's chaining API.
const CHAINED = ['add', 'sub', 'mul', 'div', 'pow', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual',
  'neg', 'abs', 'square', 'sqrt', 'log', 'exp', 'clipByValue', 'sum', 'mean', 'min', 'max', 'argMin',
  'slice', 'split', 'gather', 'transpose', 'zerosLike', 'onesLike',
  'matMul', 'sigmoid', 'tanh', 'relu', 'softmax', 'logSoftmax', 'round', 'floor', 'ceil', 'sign', 'maximum', 'minimum', 'mod',
  'logicalAnd', 'logicalOr', 'logicalXor', 'logicalNot', 'norm', 'topk', 'unique', 'tile', 'pad', 'cumsum'];

for (const name of CHAINED) {
  if (!Object.prototype.hasOwnProperty.call(Tensor.prototype, name)) {
    const op = ops[name];
    Object.defineProperty(Tensor.prototype, name, { value: function (...args) { return op(this, ...args); }, writable: true, configurable: true });
  }
}

const extraMethods = {
  /** t.concat(x, axis): x is a tensor or a list of them. */
  concat(x, axis) { return ops.concat([this, ...(Array.isArray(x) ? x : [x])], axis); },
  stack(x, axis) { return ops.stack([this, x], axis); },
  /** t.where(condition, x): this where condition holds, else x. */
  where(condition, x) { return ops.where(condition, this, x); },
};
for (const [name, fn] of Object.entries(extraMethods)) {
  if (!Object.prototype.hasOwnProperty.call(Tensor.prototype, name)) {
    Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
  }
}

module.exports = ops;
