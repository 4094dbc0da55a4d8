'use strict';
// The package as a user gets it: the current tree packed with `npm pack` and installed into a
// fresh project, once per test file that asks. (When packaging moves to `npm run package`
// writing dist/*.tgz, only `packTarball` changes.)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const run = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

/** Packs the current tree into `dir`; returns the tarball's path. */
function packTarball(dir) {
  const name = run('npm', ['pack', '--silent', '--pack-destination', dir], root).trim().split('\n').pop();
  return path.join(dir, name);
}

let installed = null;

/**
 * A temporary project with dense-mtl installed from the packed tarball (its addon built on
 * install, reusing this checkout's cargo cache so that it takes seconds, not minutes).
 * Returns {dir, cleanup}; the same project for every call in one test file.
 */
function installedPackage() {
  if (installed) return installed;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-installed-'));
  const tarball = packTarball(base);
  const dir = path.join(base, 'app');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir, { CARGO_TARGET_DIR: path.join(root, 'target') });
  installed = { dir, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
  return installed;
}

module.exports = { installedPackage, packTarball };
