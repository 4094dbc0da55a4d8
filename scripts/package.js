#!/usr/bin/env node
// `npm run package` [-- --wasm]: the tarballs a user of this machine installs, in dist/:
//   dense-mtl-<version>.tgz                 the JavaScript package (no addon, no build step)
//   dense-mtl-<platform>-<version>.tgz      this machine's release addon (npm/<platform>/)
//   dense-mtl-wasm32-wasi-<version>.tgz     the WebAssembly fallback, with --wasm or when a wasm
//                                           build is already in the clone (it is rebuilt then)
// Every tarball gets the root package's version. Prints each tarball's packed and unpacked size.
//
// `node scripts/package.js --sync-versions` (npm's `version` script) writes the root version into
// npm/*/package.json; `--main-only` packs only the main package (the release workflow publishes
// that tarball).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformName } = require('../lib/platform');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const npmDir = path.join(root, 'npm');
const rootJsonPath = path.join(root, 'package.json');
const rootJson = JSON.parse(fs.readFileSync(rootJsonPath, 'utf8'));
const { version } = rootJson;

const writeJson = (file, value) => fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
const platformDirs = () => fs.readdirSync(npmDir).filter(d => fs.existsSync(path.join(npmDir, d, 'package.json')));

function syncVersions() {
  for (const dir of platformDirs()) {
    const file = path.join(npmDir, dir, 'package.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (json.version !== version) writeJson(file, { ...json, version });
  }
}

// Every npm/<platform>/ package at the root version. They are optional dependencies of the
// published package only: in the repository they would be unresolvable until first published,
// and `npm ci` refuses a lockfile without them.
const optionalDependencies = () =>
  Object.fromEntries(platformDirs().map(dir => [require(path.join(npmDir, dir, 'package.json')).name, version]));

function pack(dir) {
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dist],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  return info;
}

// The JavaScript package as published: the files `npm pack` takes, and a package.json with the
// platform packages as optionalDependencies and without the clone's scripts (npm 12 warns about
// a dependency's `prepare` even though it never runs for a tarball) or what only the clone needs.
function packMain() {
  const stage = path.join(dist, '.stage', 'main');
  const [listing] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  for (const { path: file } of listing.files) {
    fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(stage, file));
  }
  const { scripts, devDependencies, jest, optionalDependencies: _, ...published } = rootJson;
  writeJson(path.join(stage, 'package.json'), { ...published, optionalDependencies: optionalDependencies() });
  return pack(stage);
}

// A copy of npm/<dir> with the artifacts beside its package.json, at the root version.
function stagePlatform(dir, artifacts) {
  const stage = path.join(dist, '.stage', dir);
  fs.mkdirSync(stage, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(npmDir, dir, 'package.json'), 'utf8'));
  writeJson(path.join(stage, 'package.json'), { ...json, version });
  fs.copyFileSync(path.join(npmDir, dir, 'README.md'), path.join(stage, 'README.md'));
  for (const file of artifacts) {
    const from = path.join(root, file);
    if (!fs.existsSync(from)) throw new Error(`${file} is missing: the build did not write it`);
    fs.copyFileSync(from, path.join(stage, file));
  }
  return pack(stage);
}

function main() {
  if (process.argv.includes('--sync-versions')) return syncVersions();
  if (process.argv.includes('--main-only')) {
    fs.rmSync(dist, { recursive: true, force: true });
    fs.mkdirSync(dist);
    return report([packMain()]);
  }
  const build = (...args) => execFileSync(process.execPath, [path.join(__dirname, 'build.js'), ...args], { cwd: root, stdio: 'inherit' });
  build();
  const wasmJson = require(path.join(npmDir, 'wasm32-wasi', 'package.json'));
  const withWasm = process.argv.includes('--wasm') || fs.existsSync(path.join(root, wasmJson.main));
  if (withWasm) build('--wasm');

  fs.rmSync(dist, { recursive: true, force: true });
  fs.mkdirSync(dist);
  const host = platformName();
  if (!fs.existsSync(path.join(npmDir, host))) throw new Error(`no npm/${host}: ${host} is not among package.json napi.targets`);
  const packed = [packMain(), stagePlatform(host, [`dense-mtl.${host}.node`])];
  if (withWasm) packed.push(stagePlatform('wasm32-wasi', wasmJson.files));
  report(packed);
}

function report(packed) {
  fs.rmSync(path.join(dist, '.stage'), { recursive: true, force: true });
  const kb = (n) => `${(n / 1024).toFixed(0)} kB`.padStart(8);
  console.log('\ndist/ (packed, unpacked, files):');
  for (const p of packed) console.log(`  ${p.filename.padEnd(40)} ${kb(p.size)} ${kb(p.unpackedSize)} ${String(p.entryCount).padStart(4)}`);
}

try {
  main();
} catch (error) {
  console.error(`dense-mtl package: ${error.message}`);
  process.exit(1);
}
