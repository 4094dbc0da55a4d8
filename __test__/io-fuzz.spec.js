'use strict';
// The loader against a few thousand seeded mutations of valid model directories (issue 16):
// JSON values replaced by other types, huge numbers and hostile paths, model.json bytes flipped,
// cut and extended, weight files flipped, cut, extended or replaced by FIFOs, symlinks and
// directories. Every case must end, within a time bound, in a clean Error or in a model whose
// weights are exactly the bytes on disk (decoded by TF.js), and no file outside the case's
// directory may be opened.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { isNativeError } = require('util').types;
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const FIXTURES = path.join(__dirname, 'fixtures', 'models');
const CASES_PER_BASE = 1000;
const CASE_TIMEOUT_MS = 5000;

let tmpRoot;
let caseCount = 0;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-fuzz-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** A seeded generator of numbers in [0, 1) (an LCG: repeatable, not high quality). */
function generator(seed) {
  let s = seed >>> 0;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  return { next, int: n => Math.floor(next() * n), pick: list => list[Math.floor(next() * list.length)] };
}

// --- the valid model directories mutated ---------------------------------------------------

/** Our own save: two heads, uncertainty weighting, Adam state (trainingConfig, denseMtl, optimizer weights). */
async function ourSave() {
  const input = tf.input({ shape: [4], name: 'features' });
  const trunk = tf.layers.dense({ units: 6, activation: 'relu', name: 'trunk' }).apply(input);
  const a = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'a' }).apply(trunk);
  const b = tf.layers.dense({ units: 3, activation: 'softmax', name: 'b' }).apply(tf.layers.dropout({ rate: 0.1, name: 'drop' }).apply(trunk));
  const model = tf.model({ inputs: input, outputs: [a, b], name: 'fuzzed' });
  model.compile({ optimizer: 'adam', loss: ['binaryCrossentropy', 'categoricalCrossentropy'], taskWeighting: 'uncertainty' });
  const x = tf.tensor2d([[0, 1, 2, 3], [1, 0, 1, 0], [2, 2, 0, 1]]);
  await model.fit(x, [tf.tensor2d([[1], [0], [1]]), tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]])], { epochs: 2, verbose: 0 });
  const dir = path.join(tmpRoot, 'base-ours');
  await model.save(dir, { includeOptimizer: true });
  return dir;
}

/** A base directory's files: model.json text and the weight files' bytes by name. */
function readBase(dir) {
  const text = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
  const json = JSON.parse(text);
  const weightFiles = json.weightsManifest.flatMap(g => g.paths);
  return { text, json, files: Object.fromEntries(weightFiles.map(name => [name, fs.readFileSync(path.join(dir, name))])) };
}

// --- mutations -----------------------------------------------------------------------------

// ../secret.bin exists beside the case's directory with the size of the file it replaces, so
// that only the path rules keep it out (the size check would not).
const HOSTILE_PATHS = ['../secret.bin', './../secret.bin', 'a/../../secret.bin', '../x.bin', '../../../../../etc/passwd', '/etc/passwd', '/proc/self/environ', '/dev/zero', '../../dev/zero',
  '/dev/urandom', 'a/../../x.bin', './../x.bin', '', '.', '..', 'C:\\x.bin', '\\\\server\\share', '%2e%2e/x.bin', 'file:///etc/passwd', null, 7, {}];
const HUGE = '__HUGE__'; // written as 1e999, which JSON.parse reads as Infinity

function otherValue(r) {
  return r.pick([null, true, false, 0, -1, 1, 2.5, 1e308, -1e308, 2 ** 53, HUGE, '', 'abc', 'float32', 'relu', '../x', [], [null], [-1, 4], [1e9, 1e9], {}, { a: 1 },
    '__proto__', 'constructor', r.pick(HOSTILE_PATHS)]);
}

/** Every [parent, key] in a JSON value, to pick one to change. */
function slots(value, out = []) {
  if (value != null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key], out);
    }
  }
  return out;
}

const serialize = (json) => JSON.stringify(json).split(`"${HUGE}"`).join('1e999');

/** Changes one to three JSON values (replace by another type, delete, nudge a number). */
function mutateJSONValues(base, r) {
  const json = JSON.parse(base.text);
  for (let k = 1 + r.int(3); k > 0; k--) {
    const all = slots(json);
    const [parent, key] = all[r.int(all.length)];
    const old = parent[key];
    const choice = r.int(4);
    if (choice === 0 && !Array.isArray(parent)) delete parent[key];
    else if (choice === 1 && typeof old === 'number') parent[key] = r.pick([old + 1, old - 1, -old, old * 1000, old / 3, HUGE]);
    else parent[key] = otherValue(r);
  }
  return { text: serialize(json), files: base.files };
}

/** Hostile weight paths, or paths to hostile things created in the directory. */
function mutatePaths(base, r) {
  const json = JSON.parse(base.text);
  const group = r.pick(json.weightsManifest);
  const i = r.int(group.paths.length);
  const special = r.int(5);
  const extra = { secretSize: base.files[group.paths[i]].length };
  if (special === 0) {
    extra.fifo = 'pipe.bin';
    group.paths[i] = 'pipe.bin';
  } else if (special === 1) {
    extra.symlink = ['zero.bin', r.pick(['/dev/zero', '/etc/passwd', '/proc/self/environ', '..', '../secret.bin', 'SECRET'])];
    group.paths[i] = 'zero.bin';
  } else if (special === 2) {
    extra.directory = 'dir.bin';
    group.paths[i] = 'dir.bin';
  } else {
    group.paths[i] = r.pick(HOSTILE_PATHS);
  }
  return { text: serialize(json), files: base.files, extra };
}

/** model.json's bytes flipped, cut or extended. */
function mutateJSONBytes(base, r) {
  const bytes = Buffer.from(base.text);
  const kind = r.int(3);
  if (kind === 0) {
    for (let k = 1 + r.int(4); k > 0; k--) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
    return { text: bytes.toString('latin1'), files: base.files };
  }
  if (kind === 1) return { text: bytes.subarray(0, r.int(bytes.length)).toString('latin1'), files: base.files };
  return { text: base.text + r.pick(['x', '}', ']]', ' '.repeat(100), '\u0000', '{"a":1}']), files: base.files };
}

/** A weight file's bytes flipped (then they load as they are), cut or extended. */
function mutateWeightFiles(base, r) {
  const files = { ...base.files };
  const name = r.pick(Object.keys(files));
  const bytes = Buffer.from(files[name]);
  const kind = r.int(4);
  let changedBytes = false;
  if (kind <= 1) {
    for (let k = 1 + r.int(8); k > 0; k--) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
    files[name] = bytes;
    changedBytes = true;
  } else if (kind === 2) {
    files[name] = bytes.subarray(0, r.int(bytes.length));
  } else {
    files[name] = Buffer.concat([bytes, Buffer.alloc(1 + r.int(4096), r.int(256))]);
  }
  return { text: base.text, files, changedBytes };
}

const MUTATIONS = [[mutateJSONValues, 40], [mutatePaths, 15], [mutateJSONBytes, 15], [mutateWeightFiles, 30]];

function mutate(base, r) {
  let roll = r.int(100);
  for (const [mutation, share] of MUTATIONS) {
    if (roll < share) return mutation(base, r);
    roll -= share;
  }
  throw new Error('unreachable');
}

// --- one case ------------------------------------------------------------------------------

function writeCase(mutated) {
  const parent = path.join(tmpRoot, `case${++caseCount}`);
  const dir = path.join(parent, 'model');
  fs.mkdirSync(dir, { recursive: true });
  const extra = mutated.extra || {};
  if (extra.secretSize != null) fs.writeFileSync(path.join(parent, 'secret.bin'), Buffer.alloc(extra.secretSize, 0x41));
  fs.writeFileSync(path.join(dir, 'model.json'), mutated.text, 'latin1');
  for (const [name, bytes] of Object.entries(mutated.files)) fs.writeFileSync(path.join(dir, name), bytes);
  if (extra.fifo) execFileSync('mkfifo', [path.join(dir, extra.fifo)]);
  if (extra.symlink) fs.symlinkSync(extra.symlink[1] === 'SECRET' ? path.join(parent, 'secret.bin') : extra.symlink[1], path.join(dir, extra.symlink[0]));
  if (extra.directory) fs.mkdirSync(path.join(dir, extra.directory));
  return dir;
}

/** TF.js's decoding of the weight bytes in the case's directory, by the base's manifest. */
function expectedWeights(base, mutated) {
  const specs = base.json.weightsManifest.flatMap(g => g.weights);
  const data = Buffer.concat(base.json.weightsManifest.flatMap(g => g.paths).map(name => mutated.files[name]));
  const named = tfjs.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs);
  const values = Object.fromEntries(Object.entries(named).map(([name, t]) => [name, Array.from(t.dataSync())]));
  Object.values(named).forEach(t => t.dispose());
  return values;
}

const sameNumbers = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (v === b[i]));

async function runCase(base, mutated) {
  const dir = writeCase(mutated);
  const opened = [];
  const open = fs.promises.open;
  fs.promises.open = (file, ...rest) => { opened.push(path.resolve(String(file))); return open(file, ...rest); };
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), CASE_TIMEOUT_MS); });
  let outcome;
  try {
    outcome = await Promise.race([tf.loadLayersModel(path.join(dir, 'model.json')).then(model => ({ model }), error => ({ error })), timeout]);
  } finally {
    clearTimeout(timer);
    fs.promises.open = open;
  }
  const problems = [];
  const root = fs.realpathSync(dir);
  opened.filter(file => !file.startsWith(`${root}${path.sep}`) && !file.startsWith(`${dir}${path.sep}`)).forEach(file => problems.push(`opened ${file}`));
  if (outcome === 'timeout') problems.push('no answer within the time bound');
  else if (outcome.error) {
    // isNativeError: errors made by the addon come from Node's realm, not jest's sandbox.
    if (!isNativeError(outcome.error) || typeof outcome.error.message !== 'string' || outcome.error.message.length === 0) problems.push(`threw ${outcome.error}`);
  } else {
    const json = JSON.parse(mutated.text);
    if (json.weightsManifest != null) {
      // Loaded: every weight holds exactly the bytes on disk.
      const expected = expectedWeights(base, mutated);
      const native = outcome.model._model();
      const values = native.getWeights();
      native.weightInfo().forEach((w, i) => {
        if (!expected[w.name] || !sameNumbers(Array.from(values[i]), expected[w.name])) problems.push(`weight ${w.name} differs from the file`);
      });
    }
  }
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  return { outcome: outcome === 'timeout' ? 'timeout' : outcome.error ? 'error' : 'loaded', problems };
}

// --- the tests -----------------------------------------------------------------------------

describe('fuzzed model directories: a clean Error or exactly the weights on disk', () => {
  const bases = [
    ['our save (two heads, uncertainty weighting, Adam state)', 1, () => ourSave()],
    ['the Keras converter fixture (two groups, shards)', 2, () => path.join(FIXTURES, 'keras-functional')],
    ['the tfjs-node multitask fixture (trainingConfig, optimizer weights)', 3, () => path.join(FIXTURES, 'tfjs-node-multitask')],
  ];

  test.each(bases)('%s: %d', async (_, seed, make) => {
    const base = readBase(await make());
    // The unchanged directory loads with its own weights (the oracle agrees with the loader).
    expect(await runCase(base, { text: base.text, files: base.files })).toEqual({ outcome: 'loaded', problems: [] });
    const r = generator(seed);
    const failures = [];
    const counts = { error: 0, loaded: 0, timeout: 0 };
    for (let c = 0; c < CASES_PER_BASE; c++) {
      const mutated = mutate(base, r);
      const { outcome, problems } = await runCase(base, mutated);
      counts[outcome]++;
      if (problems.length) failures.push({ case: c, problems, text: mutated.text.slice(0, 200), extra: mutated.extra });
    }
    expect(failures).toEqual([]);
    // Both outcomes happen: the mutations are not all refused, nor all harmless.
    expect(counts.error).toBeGreaterThan(CASES_PER_BASE / 10);
    expect(counts.loaded).toBeGreaterThan(CASES_PER_BASE / 10);
  }, 120000);
});
