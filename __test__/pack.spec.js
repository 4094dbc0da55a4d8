'use strict';
// The package as users get it: `npm pack`, then `npm install <tarball>` in a fresh project
// builds the addon from source; both require() and ESM import then work.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const run = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

test('npm pack, then npm install in another project builds and works', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-pack-'));
  try {
    const tarball = run('npm', ['pack', '--silent', '--pack-destination', dir], root).trim().split('\n').pop();
    const files = run('tar', ['-tzf', path.join(dir, tarball)], dir);
    expect(files).toMatch(/package\/crates\/core\/src\/lib\.rs/);
    expect(files).toMatch(/package\/data\/iris\.csv/);
    expect(files).not.toMatch(/\.node\n/); // built on install, not shipped
    const project = path.join(dir, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    // Reuse this checkout's cargo build cache so the test stays quick; the crate is still compiled
    // from the sources inside the installed package.
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, tarball)], project,
      { CARGO_TARGET_DIR: path.join(root, 'target') });
    const cjs = `const tf = require('dense-mtl');
      const m = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [1]})]});
      m.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
      m.fit(tf.tensor2d([[1],[2],[3]]), tf.tensor2d([[2],[4],[6]]), {epochs: 200, verbose: 0})
        .then(() => console.log(m.predict(tf.tensor2d([[4]])).dataSync()[0].toFixed(1)));`;
    expect(run('node', ['-e', cjs], project).trim()).toBe('8.0');
    const esm = "import * as tf from 'dense-mtl'; console.log(typeof tf.sequential, tf.tensor([1, 2]).shape.join(','));";
    fs.writeFileSync(path.join(project, 'check.mjs'), esm);
    expect(run('node', ['check.mjs'], project).trim()).toBe('function 2');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 15 * 60 * 1000);
