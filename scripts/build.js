#!/usr/bin/env node
// Builds the native addon from source (release), writing dense-mtl.<platform>.node and the
// generated loader binding.js / binding.d.ts. Runs on `npm install` (here and in projects that
// install the package) and before the tests; cargo makes repeated builds incremental.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
// The CLI's package.json exports no subpaths, so find cli.js beside it.
const cli = path.join(path.dirname(require.resolve('@napi-rs/cli/package.json', { paths: [root] })), 'dist', 'cli.js');
const args = [cli, 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts',
  '--manifest-path', path.join(root, 'Cargo.toml'), '--output-dir', root];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('dense-mtl: building the native addon failed. It needs a Rust toolchain (https://rustup.rs).');
  process.exit(result.status ?? 1);
}
