'use strict';
// Model directories on disk. Loading reads only the weight files model.json names inside its
// own directory, and never more bytes than its manifest describes. Saving has one commit point:
// weights go to a new file named by their content hash, then model.json, which names that file,
// is renamed into place; a process killed at any instant leaves the old model or the new one.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { fail } = require('../errors');
const { manifestGroups, checkGroupSize, isPlainRelative, isInside } = require('./manifest');

const fsp = fs.promises;
const MODEL_JSON = 'model.json';
// Our own file names; leftovers of a killed save are recognised by them, and nothing else in a
// directory is ever removed except the files the previous model.json named. TEMP_FILE also
// matches the `.weights.bin.<pid>.<hex>.tmp/.bak` files of earlier versions.
const WEIGHTS_FILE = /^weights\.[0-9a-f]{16}\.bin$/;
const TEMP_FILE = /^\.(model\.json|weights(\.[0-9a-f]{16})?\.bin)\.[0-9a-f.]+\.(tmp|bak)$/;
// A previous model.json larger than this is not read to find its weight files (they stay).
const MAX_PREVIOUS_JSON_BYTES = 64 * 1024 * 1024;
// O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the checked path is read.
const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;

// --- loading -------------------------------------------------------------------------------

function kindOf(stat) {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Resolves one weight file and checks it before anything is read. */
async function inspectWeightFile(dir, root, name, source) {
  const file = path.join(dir, name);
  const real = await fsp.realpath(file).catch((e) => {
    if (e.code === 'ENOENT') fail(`Weight file ${file} does not exist: loading failed`);
    throw e;
  });
  // Symlinks are followed only as far as they stay inside the model's directory.
  if (!isInside(root, real)) fail(`Weight file ${file} named in ${source} resolves to ${real}, outside the model's directory ${root}`);
  const stat = await fsp.stat(real);
  if (!stat.isFile()) fail(`Weight file ${file} named in ${source} must be a regular file but is ${kindOf(stat)}`);
  return { name: file, real, size: stat.size, dev: stat.dev, ino: stat.ino };
}

/** Reads exactly `file.size` bytes into `out` at `offset`, from the file that was inspected. */
async function readWeightFile(file, out, offset) {
  const handle = await fsp.open(file.real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.ino !== file.ino || stat.dev !== file.dev) fail(`Weight file ${file.name} was replaced while it was being loaded`);
    let done = 0;
    while (done < file.size) {
      const { bytesRead } = await handle.read(out, offset + done, file.size - done, done);
      if (bytesRead === 0) fail(`Weight file ${file.name} ended after ${done} of its ${file.size} bytes: it changed while it was being loaded`);
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function allocate(bytes, source) {
  try {
    return new Uint8Array(bytes);
  } catch (e) {
    return fail(`${source}: the weights take ${bytes} bytes, which cannot be allocated (${e.message})`);
  }
}

/**
 * The weight data of a manifest, read from `dir`: every path is checked, every file resolved
 * and sized before the first byte is read, and each group's files must hold exactly the bytes
 * its weights take. Returns one ArrayBuffer, groups in manifest order.
 */
async function readWeightFiles(dir, manifest, source) {
  const groups = manifestGroups(manifest, source);
  const root = await fsp.realpath(dir).catch((e) => {
    if (e.code === 'ENOENT') fail(`Weight directory ${dir} does not exist: loading failed`);
    throw e;
  });
  const files = [];
  for (const [g, group] of groups.entries()) {
    const shards = [];
    for (const name of group.paths) shards.push(await inspectWeightFile(dir, root, name, source));
    checkGroupSize(groups, g, shards.map(s => [s.name, s.size]), source);
    files.push(...shards);
  }
  const out = allocate(groups.reduce((sum, g) => sum + g.bytes, 0), source);
  let offset = 0;
  for (const file of files) {
    await readWeightFile(file, out, offset);
    offset += file.size;
  }
  return out.buffer;
}

// --- saving --------------------------------------------------------------------------------

/** Creates the directory (with its parents, unlike tfjs-node) or checks it is one. */
async function ensureDirectory(dir) {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    const stat = await fsp.stat(dir).catch(() => null);
    if (stat && stat.isFile()) fail(`Path ${dir} exists as a file. The path must be nonexistent or point to a directory.`);
    throw e;
  }
}

/** Writes a new file and flushes it to disk before it is renamed into place. */
async function writeDurably(file, data) {
  const handle = await fsp.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const removeQuietly = (file) => fsp.unlink(file).catch(() => {});

async function syncDirectory(dir) {
  try {
    const handle = await fsp.open(dir, 'r');
    try { await handle.sync(); } finally { await handle.close(); }
  } catch { /* not supported everywhere (e.g. Windows); the renames are done either way */ }
}

/** The plain names of the files the current model.json names in this directory (best effort). */
async function namedByModelJSON(dir) {
  const file = path.join(dir, MODEL_JSON);
  const stat = await fsp.lstat(file).catch(() => null);
  if (!stat || !stat.isFile() || stat.size > MAX_PREVIOUS_JSON_BYTES) return new Set();
  try {
    const { weightsManifest } = JSON.parse(await fsp.readFile(file, 'utf8'));
    const paths = Array.isArray(weightsManifest) ? weightsManifest.flatMap(g => (g && Array.isArray(g.paths) ? g.paths : [])) : [];
    // Files in subdirectories are left alone: only names directly in this directory.
    const names = paths.filter(isPlainRelative).map(p => p.replace(/^\.\//, ''));
    return new Set(names.filter(name => !name.includes('/') && name !== MODEL_JSON));
  } catch {
    return new Set();
  }
}

/** After a commit: the previous model's weight files and our leftovers, regular files only. */
async function removeLeftovers(dir, keep, previous, onStep) {
  const names = await fsp.readdir(dir).catch(() => []);
  for (const name of names) {
    if (keep.has(name) || !(previous.has(name) || WEIGHTS_FILE.test(name) || TEMP_FILE.test(name))) continue;
    const stat = await fsp.lstat(path.join(dir, name)).catch(() => null);
    if (stat && stat.isFile()) {
      await removeQuietly(path.join(dir, name));
      onStep('removed');
    }
  }
}

// Saves into one directory from this process run one after another.
const queues = new Map();
function oneAtATime(dir, task) {
  const run = (queues.get(dir) || Promise.resolve()).then(task);
  const tail = run.then(() => {}, () => {});
  queues.set(dir, tail);
  tail.then(() => { if (queues.get(dir) === tail) queues.delete(dir); });
  return run;
}

/**
 * Saves a model into `dir`: the weights to `weights.<hash>.bin` (first 16 hex digits of the
 * SHA-256 of their bytes), then `jsonFor(weightsFileName)` to model.json. The rename of
 * model.json is the one commit point: before it the previous model is intact, after it the
 * new one is whole. The previous model's weight files and leftovers of killed saves (our file
 * names only) are removed after the commit. `onStep(name)` is called after every step (tests
 * kill the process there). Resolves with the weights file name.
 */
function saveModelDirectory(dir, weights, jsonFor, { onStep = () => {} } = {}) {
  const target = path.resolve(dir);
  return oneAtATime(target, async () => {
    await ensureDirectory(target);
    const previous = await namedByModelJSON(target);
    const weightsName = `weights.${crypto.createHash('sha256').update(weights).digest('hex').slice(0, 16)}.bin`;
    const tag = crypto.randomBytes(8).toString('hex');
    const temp = (name) => path.join(target, `.${name}.${tag}.tmp`);
    const toRemoveOnFailure = [temp(weightsName), temp(MODEL_JSON)];
    try {
      await writeDurably(temp(weightsName), weights);
      onStep('weights-written');
      await fsp.rename(temp(weightsName), path.join(target, weightsName));
      // Same name, same bytes: the previous model may already use this file; then it stays.
      if (!previous.has(weightsName)) toRemoveOnFailure.push(path.join(target, weightsName));
      onStep('weights-renamed');
      await syncDirectory(target);
      onStep('weights-durable');
      await writeDurably(temp(MODEL_JSON), jsonFor(weightsName));
      onStep('json-written');
      await fsp.rename(temp(MODEL_JSON), path.join(target, MODEL_JSON));
    } catch (error) {
      for (const file of toRemoveOnFailure) await removeQuietly(file);
      throw error;
    }
    onStep('committed');
    await syncDirectory(target);
    onStep('commit-durable');
    await removeLeftovers(target, new Set([MODEL_JSON, weightsName]), previous, onStep);
    onStep('cleaned');
    return weightsName;
  });
}

/** The steps `onStep` reports, in order; a kill at any step before 'committed' keeps the old model. */
const SAVE_STEPS = ['weights-written', 'weights-renamed', 'weights-durable', 'json-written', 'committed', 'commit-durable', 'removed', 'cleaned'];

module.exports = { readWeightFiles, saveModelDirectory, SAVE_STEPS, MODEL_JSON };
