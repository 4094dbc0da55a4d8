#!/usr/bin/env node
// Builds the addon from source, in a clone of the repository (users install prebuilt packages).
//
//   node scripts/build.js            native release build for this machine: ./dense-mtl.<platform>.node
//                                    and the generated loader binding.js / binding.d.ts
//   node scripts/build.js --wasm     the WebAssembly fallback (wasm32-wasip1-threads, release):
//                                    ./dense-mtl.wasm32-wasi.wasm, ./dense-mtl.wasi.cjs and its workers;
//                                    adds the Rust target through rustup when it is missing
//   node scripts/build.js --prepare  npm's `prepare` (a clone's `npm install`): the native build, but
//                                    without cargo it keeps an addon that is already there
//
// cargo makes repeated builds incremental.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const WASM_TARGET = 'wasm32-wasip1-threads';

const fail = (message) => {
  console.error(`dense-mtl: ${message}`);
  process.exit(1);
};

const has = (command, args = ['--version']) => {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
};

function napi(args) {
  // The CLI's package.json exports no subpaths, so find cli.js beside it.
  let cli;
  try {
    cli = path.join(path.dirname(require.resolve('@napi-rs/cli/package.json', { paths: [root] })), 'dist', 'cli.js');
  } catch {
    fail('@napi-rs/cli is missing: run `npm install` in the repository first.');
  }
  const result = spawnSync(process.execPath, [cli, 'build', '--platform', '--release',
    '--manifest-path', path.join(root, 'Cargo.toml'), ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('building the addon failed (see the cargo output above).');
}

// A native addon already built in this clone loads (the prepare step keeps it when cargo is absent).
function builtAddonLoads() {
  try {
    require(path.join(root, 'binding.js'));
    return true;
  } catch {
    return false;
  }
}

function buildNative(prepare) {
  if (!has('cargo')) {
    if (prepare && builtAddonLoads()) {
      console.log('dense-mtl: cargo not found; keeping the addon already built in this directory.');
      return;
    }
    fail('building the native addon needs a Rust toolchain (cargo), see https://rustup.rs. ' +
      'To use dense-mtl without building it, install it from the registry: `npm install dense-mtl`.');
  }
  napi(['--js', 'binding.js', '--dts', 'binding.d.ts', '--output-dir', root]);
}

function buildWasm() {
  if (!has('cargo')) fail('building the WebAssembly addon needs a Rust toolchain (cargo), see https://rustup.rs.');
  const installed = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
  if (installed.error) fail(`building the WebAssembly addon needs rustup to add the ${WASM_TARGET} target.`);
  if (!installed.stdout.split('\n').includes(WASM_TARGET)) {
    const add = spawnSync('rustup', ['target', 'add', WASM_TARGET], { stdio: 'inherit' });
    if (add.status !== 0) fail(`\`rustup target add ${WASM_TARGET}\` failed.`);
  }
  // Into a scratch directory: the wasm build also writes a browser entry and types of its own,
  // which must not replace the package's index.d.ts.
  const out = path.join(root, 'target', 'wasm32-wasi-out');
  fs.rmSync(out, { recursive: true, force: true });
  napi(['--target', WASM_TARGET, '--no-js', '--output-dir', out]);
  // The CLI also writes a browser entry into the package root; this package has no browser build.
  const browserEntry = path.join(root, 'browser.js');
  if (fs.existsSync(browserEntry) && fs.readFileSync(browserEntry, 'utf8').trim() === "export * from 'dense-mtl-wasm32-wasi'") {
    fs.rmSync(browserEntry);
  }
  // What the loader and the -wasm32-wasi package need.
  for (const file of require('../npm/wasm32-wasi/package.json').files) {
    fs.copyFileSync(path.join(out, file), path.join(root, file));
  }
}

const args = process.argv.slice(2);
if (args.includes('--wasm')) buildWasm();
else buildNative(args.includes('--prepare'));
