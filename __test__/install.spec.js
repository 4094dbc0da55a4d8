'use strict';
// The package as a user installs it: `npm run package` writes the tarballs to dist/, then a fresh
// project installs them with npm 12 (dependency scripts blocked) and no cargo on PATH.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadTfjs } = require('./helpers/tfjs');

const root = path.join(__dirname, '..');
const { version } = require('../package.json');
const NPM12 = ['-y', 'npm@12.2.2'];
const { platformName, isGlibc } = require('../lib/platform');

const glibc = isGlibc();
const host = platformName();
const tarball = (name) => path.join(root, 'dist', `${name}-${version}.tgz`);

// PATH without any directory holding cargo: the installed package must need no Rust toolchain.
const hasCargo = (dir) => fs.existsSync(path.join(dir, 'cargo')) || fs.existsSync(path.join(dir, 'cargo.exe'));
const noCargoPath = process.env.PATH.split(path.delimiter).filter(dir => !hasCargo(dir)).join(path.delimiter);
const userEnv = { ...process.env, PATH: noCargoPath };
for (const key of Object.keys(userEnv)) if (/^(npm_|NAPI_RS_)/i.test(key)) delete userEnv[key];

const run = (cmd, args, cwd, env = userEnv) =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// Trains y = 2x with a fixed start (kernel 0.5, bias 0) and full-batch SGD; prints predict([[4]]).
const TRAIN = (tf) => `
  const m = ${tf}.sequential({ layers: [${tf}.layers.dense({ units: 1, inputShape: [1],
    kernelInitializer: ${tf}.initializers.constant({ value: 0.5 }), biasInitializer: 'zeros' })] });
  m.compile({ optimizer: ${tf}.train.sgd(0.05), loss: 'meanSquaredError' });
  const done = m.fit(${tf}.tensor2d([[1], [2], [3]]), ${tf}.tensor2d([[2], [4], [6]]),
    { epochs: 25, batchSize: 3, shuffle: false, verbose: 0 })
    .then(() => m.predict(${tf}.tensor2d([[4]])).dataSync()[0]);`;

let dir;
let project;
let installLog;

beforeAll(() => {
  // dist/ holds the tarballs of `npm run package -- --wasm`, written once by jest's global setup
  // (__test__/helpers/global-setup.js) with the developer's PATH, since packaging builds the addon.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-install-'));
  project = path.join(dir, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const install = spawnSync('npx', [...NPM12, 'install', '--no-audit', '--no-fund', tarball('dense-mtl'), tarball(`dense-mtl-${host}`)],
    { cwd: project, env: userEnv, encoding: 'utf8' });
  installLog = install.stdout + install.stderr;
  if (install.status !== 0) throw new Error(`npm 12 install failed:\n${installLog}`);
}, 15 * 60 * 1000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the test environment has no cargo', () => {
  expect(spawnSync('cargo', ['--version'], { env: userEnv }).error).toBeTruthy();
});

test('the tarballs: one version, no scripts, the platform package declares os/cpu/libc and holds the addon', () => {
  const manifest = (file) => JSON.parse(run('tar', ['-xOzf', file, 'package/package.json'], root));
  const main = manifest(tarball('dense-mtl'));
  expect(main.version).toBe(version);
  expect(main.scripts).toBeUndefined();
  expect(Object.keys(main.dependencies).sort()).toEqual(['jsfive', 'progress', 'yauzl']);
  const platformPackages = fs.readdirSync(path.join(root, 'npm')).map(d => require(path.join(root, 'npm', d, 'package.json')).name);
  expect(main.optionalDependencies).toEqual(Object.fromEntries(platformPackages.map(name => [name, version])));
  const platform = manifest(tarball(`dense-mtl-${host}`));
  expect(platform).toMatchObject({ name: `dense-mtl-${host}`, version, os: [process.platform], cpu: [process.arch], main: `dense-mtl.${host}.node` });
  if (process.platform === 'linux') expect(platform.libc).toEqual([glibc ? 'glibc' : 'musl']);
  expect(platform.scripts).toBeUndefined();
  expect(run('tar', ['-tzf', tarball(`dense-mtl-${host}`)], root)).toContain(`package/dense-mtl.${host}.node`);
  expect(run('tar', ['-tzf', tarball('dense-mtl')], root)).not.toMatch(/\.node\n|\.rs\n|Cargo\.toml/);
});

// Runtime dependencies: progress (the verbose: 1 bar), jsfive + pako (HDF5 weights of a .keras file) and
// yauzl + pend (its zip); the last four are required only when a .keras file is read.
test('npm 12 installs it with no script to approve, and only what runs: the package, its addon, progress and the .keras readers', () => {
  expect(installLog).not.toMatch(/install-scripts|allowScripts/);
  const installed = fs.readdirSync(path.join(project, 'node_modules')).filter(n => !n.startsWith('.')).sort();
  expect(installed).toEqual(['dense-mtl', `dense-mtl-${host}`, 'jsfive', 'pako', 'pend', 'progress', 'yauzl']);
  expect(fs.existsSync(path.join(project, 'node_modules', '.bin', 'napi'))).toBe(false);
});

test('require() trains a model and predicts what TF.js predicts from the same start', async () => {
  const got = Number(run('node', ['-e', `const tf = require('dense-mtl');${TRAIN('tf')} done.then(v => console.log(v));`], project));
  const tfjs = loadTfjs();
   
  const expected = await new Function('tfjs', `${TRAIN('tfjs')} return done;`)(tfjs);
  expect(got).toBeCloseTo(expected, 4);
  expect(got).not.toBeCloseTo(2, 1); // trained away from the start (0.5 * 4)
});

test('ESM import works', () => {
  fs.writeFileSync(path.join(project, 'check.mjs'),
    "import * as tf from 'dense-mtl'; import { sequential } from 'dense-mtl'; console.log(typeof sequential, tf.tensor([1, 2]).shape.join(','));");
  expect(run('node', ['check.mjs'], project).trim()).toBe('function 2');
});

test('without the platform package, require() names what it looked for and both ways out', () => {
  const pkgDir = path.join(project, 'node_modules', `dense-mtl-${host}`);
  const aside = path.join(dir, 'aside');
  fs.renameSync(pkgDir, aside);
  try {
    const probe = "try { require('dense-mtl'); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }";
    const { code, message } = JSON.parse(run('node', ['-e', probe], project));
    expect(code).toBe('DENSE_MTL_ADDON_NOT_FOUND');
    expect(message).toContain(`${process.platform} ${process.arch}${process.platform === 'linux' ? (glibc ? ', glibc' : ', musl') : ''}`);
    expect(message).toContain(`Looked for the package dense-mtl-${host}, then the WebAssembly package dense-mtl-wasm32-wasi`);
    expect(message).toContain(`npm install dense-mtl-${host}@${version}`);
    expect(message).toContain('npm install && npm run build');
    expect(message).toContain(`NAPI_RS_NATIVE_LIBRARY_PATH=/path/to/dense-mtl/dense-mtl.${host}.node`);
    expect(message).not.toMatch(/4828|npm has a bug/);
    // The second way out works: the addon built elsewhere, named by NAPI_RS_NATIVE_LIBRARY_PATH.
    const env = { ...userEnv, NAPI_RS_NATIVE_LIBRARY_PATH: path.join(aside, `dense-mtl.${host}.node`) };
    expect(run('node', ['-e', probe], project, env).trim()).toBe('loaded');
  } finally {
    fs.renameSync(aside, pkgDir);
  }
});

test('the WebAssembly package installs beside it and trains to the same value when forced', () => {
  run('npx', [...NPM12, 'install', '--no-audit', '--no-fund', '--force', tarball('dense-mtl-wasm32-wasi')], project);
  const script = `const tf = require('dense-mtl');
    const target = require(require('path').join(require.resolve('dense-mtl'), '..', 'binding.js')).__napiBindingTarget;
    ${TRAIN('tf')} done.then(v => console.log(JSON.stringify({ target, v })));`;
  const wasm = JSON.parse(run('node', ['--no-warnings', '-e', script], project, { ...userEnv, NAPI_RS_FORCE_WASI: 'error' }));
  const native = JSON.parse(run('node', ['-e', script], project));
  expect(wasm.target).toBe('wasm32-wasi');
  expect(native.target).toBe('native');
  expect(wasm.v).toBeCloseTo(native.v, 5);
});

test("a clone's prepare step without cargo keeps an addon already built, and otherwise says what it needs", () => {
  const prepare = (cwd) => spawnSync(process.execPath, [path.join(cwd, 'scripts', 'build.js'), '--prepare'], { cwd, env: userEnv, encoding: 'utf8' });
  const kept = prepare(root);
  expect(kept.status).toBe(0);
  expect(kept.stdout).toContain('cargo not found; keeping the addon already built');
  // A clone with nothing built yet.
  const bare = path.join(dir, 'bare-clone');
  fs.mkdirSync(path.join(bare, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(root, 'scripts', 'build.js'), path.join(bare, 'scripts', 'build.js'));
  const refused = prepare(bare);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain('building the native addon needs a Rust toolchain (cargo), see https://rustup.rs');
});
