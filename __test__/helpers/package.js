'use strict';
// The package as a user gets it: the tarballs of `npm run package` (dist/, written once per test
// run by jest's global setup) installed into a fresh project, with the optional peer dependencies
// that the training report needs.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const run = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

const { version } = require(path.join(root, 'package.json'));
const host = require(path.join(root, 'lib', 'platform')).platformName();

/** The tarballs a user of this machine installs: the package and this platform's addon. */
const tarballs = () => ['dense-mtl', `dense-mtl-${host}`].map(name => path.join(root, 'dist', `${name}-${version}.tgz`));

let installed = null;

/**
 * A temporary project with dense-mtl installed from the dist/ tarballs (no build, no script).
 * Returns {dir, cleanup}; the same project for every call in one test file.
 */
function installedPackage() {
  if (installed) return installed;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-installed-'));
  const dir = path.join(base, 'app');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const { vega, 'vega-lite': vegaLite } = require(path.join(root, 'package.json')).peerDependencies;
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs(), `vega@${vega}`, `vega-lite@${vegaLite}`], dir);
  installed = { dir, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
  return installed;
}

module.exports = { installedPackage };
