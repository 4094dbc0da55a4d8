'use strict';
// Whether a value is a promise or any other thenable. A module of its own, with no
// dependencies, so that the tensor core, the dataset iterators and the callbacks can share it
// from anywhere in the require graph.

/** True for a value with a `then` method (a Promise or another thenable). */
function isThenable(x) {
  return x != null && typeof x.then === 'function';
}

module.exports = { isThenable };
