'use strict';
// Jest global setup: `npm run package` once per test run (it builds the release addon and writes
// the tarballs to dist/), so that every test that installs the package as a user does shares them.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const root = path.join(__dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'package.js'), '--wasm'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
};
