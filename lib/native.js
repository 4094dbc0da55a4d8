'use strict';
// The generated napi-rs loader (binding.js) is the only way into the native addon.
module.exports = require('../binding.js');
