'use strict';
// The generated napi-rs loader (binding.js) is the only way into the addon. It tries, in order,
// NAPI_RS_NATIVE_LIBRARY_PATH, a ./dense-mtl.<platform>.node built in a clone, the package
// dense-mtl-<platform>, then the WebAssembly build. When none loads, its own message blames an
// unrelated npm bug; this one says what was looked for and the two ways out.
const pkg = require('../package.json');
const { platformName } = require('./platform');

// The loader's summary error, which names an unrelated npm bug, is left out; what it chains
// through `cause` (one error per candidate, the last tried first) is kept.
const isSummary = (e) => /^(Cannot find native binding|WASI binding not found)/.test(String(e && e.message));

// Each distinct reason the loader recorded, in the order it tried the candidates.
function reasons(error) {
  const seen = new Set();
  for (let e = error; e; e = e.cause) {
    if (!isSummary(e)) seen.add(String(e.message).split('\n')[0]);
  }
  return [...seen].reverse();
}

function notLoaded(error) {
  const name = platformName();
  const libc = process.platform === 'linux' ? `, ${name.endsWith('musl') ? 'musl' : 'glibc'}` : '';
  const wanted = `${pkg.name}-${name}`;
  const wasm = `${pkg.name}-wasm32-wasi`;
  // The published package lists every prebuilt package (a clone of the repository lists none).
  const prebuilt = Object.keys(pkg.optionalDependencies || {});
  const install = !pkg.optionalDependencies || prebuilt.includes(wanted)
    ? `install the package for this platform: npm install ${wanted}@${pkg.version}\n` +
      '     (an optional dependency of dense-mtl: an install with --omit=optional or --no-optional,\n' +
      '     or a lockfile written on another platform, leaves it out)'
    : `no prebuilt package exists for ${name} (there are: ${prebuilt.filter(p => p !== wasm).join(', ')});\n` +
      `     install the WebAssembly build instead: npm install --force ${wasm}@${pkg.version}\n` +
      '     (--force because npm skips a package whose cpu is wasm32 otherwise)';
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
    ? `NAPI_RS_NATIVE_LIBRARY_PATH is set (${process.env.NAPI_RS_NATIVE_LIBRARY_PATH}) but did not load.\n` : '';
  const message =
    `dense-mtl: cannot load its native addon for ${process.platform} ${process.arch}${libc} (Node ${process.versions.node}).\n` +
    override +
    `Looked for the package ${wanted}, then the WebAssembly package ${wasm}.\n` +
    'Two ways out:\n' +
    `  1. ${install}\n` +
    '  2. build it from source (needs Rust, https://rustup.rs): in a clone of dense-mtl run\n' +
    '     `npm install && npm run build`, then point dense-mtl at the result with\n' +
    `     NAPI_RS_NATIVE_LIBRARY_PATH=/path/to/dense-mtl/dense-mtl.${name}.node\n` +
    'What the loader saw:\n' + reasons(error).map(r => `  - ${r}`).join('\n');
  const wrapped = new Error(message);
  wrapped.code = 'DENSE_MTL_ADDON_NOT_FOUND';
  wrapped.cause = isSummary(error) ? error.cause : error;
  return wrapped;
}

try {
  module.exports = require('../binding.js');
} catch (error) {
  throw notLoaded(error);
}
