'use strict';
// Tensors: the class (tensor.js), printing (format.js), the memory engine with tidy/keep/dispose
// (memory.js), factories (create.js) and the ops that come with the class (transform.js).
const { Tensor } = require('./tensor');
const { computeStrides, sizeFromShape, typedArrayKind, isTensor, DTYPES } = require('./util');
const { makeTensor, tensor, tensor1d, tensor2d, tensor3d, tensor4d, scalar, zeros, ones, typedArrayDtype } = require('./create');
const { oneHot, argMax, reshape, cast, clone, squeeze, expandDims } = require('./transform');
const { tidy, keep, dispose, memory, startScope, endScope, scopeMadeNoTensor, getTensorsInContainer } = require('./memory');
const { tensorToString } = require('./format');

module.exports = {
  Tensor,
  computeStrides,
  makeTensor,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  scalar,
  zeros,
  ones,
  oneHot,
  argMax,
  reshape,
  cast,
  clone,
  squeeze,
  expandDims,
  tidy,
  keep,
  dispose,
  memory,
  isTensor,
  // Internals useful to the rest of the package.
  startScope,
  endScope,
  scopeMadeNoTensor,
  getTensorsInContainer,
  tensorToString,
  sizeFromShape,
  typedArrayKind,
  typedArrayDtype,
  DTYPES,
};
