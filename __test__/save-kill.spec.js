'use strict';
// A save killed at any instant (SIGKILL, in a child process) leaves the directory holding the
// old model or the new one, whole, never a mix; the next save removes what the killed one left
// (our own file names only). Kills land right after each step of the save, then at random times.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync, spawn } = require('child_process');
const tf = require('..');
const { saveToDirectory } = require('../lib/io/save');
const { SAVE_STEPS } = require('../lib/io/files');
const { buildModel, weightValues } = require('./helpers/save-models');

const CHILD = path.join(__dirname, 'helpers', 'save-child.js');
const USER_FILES = { 'notes.txt': 'mine', 'weights.bin.orig': 'also mine', '.weights.bin.tmp': 'mine too' };

let tmpRoot;
beforeAll(() => { tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-kill-')); });
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;

/** A directory with model `seed` saved in it, and files of the user's that must survive. */
async function directoryWithModel(seed) {
  const dir = path.join(tmpRoot, `d${++dirCount}`);
  await saveToDirectory(buildModel(tf, seed), dir);
  for (const [name, text] of Object.entries(USER_FILES)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Which seed's weights the directory loads with: every value must match exactly. */
async function loadedSeed(dir, seeds) {
  const loaded = (await tf.loadLayersModel(path.join(dir, 'model.json'))).getWeights().map(w => Buffer.from(w.dataSync().buffer));
  const match = seeds.filter(seed => weightValues(seed).every((v, i) => Buffer.from(v.buffer).equals(loaded[i])));
  return match.length === 1 ? match[0] : `none of ${seeds}`;
}

/** After a clean save of model `seed`: model.json, the one file it names, and the user's files. */
async function expectCleanAfterNextSave(dir, seed) {
  await saveToDirectory(buildModel(tf, seed), dir);
  const named = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths;
  expect(fs.readdirSync(dir).sort()).toEqual(['model.json', ...named, ...Object.keys(USER_FILES)].sort());
  for (const [name, text] of Object.entries(USER_FILES)) expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(text);
  expect(await loadedSeed(dir, [seed])).toBe(seed);
}

describe('a save killed right after each of its steps', () => {
  const committed = SAVE_STEPS.indexOf('committed');
  test.each(SAVE_STEPS.map((step, i) => [step, i < committed ? 'old' : 'new']))('killed after %s: the directory loads the %s model exactly; the next save cleans up', async (step, which) => {
    const dir = await directoryWithModel(1);
    const child = spawnSync(process.execPath, [CHILD, dir, '2', step], { encoding: 'utf8', timeout: 30000 });
    expect(child.signal).toBe('SIGKILL');
    expect(await loadedSeed(dir, [1, 2])).toBe(which === 'old' ? 1 : 2);
    await expectCleanAfterNextSave(dir, 3);
  });

  test('the steps are reached in order by a save that is not killed (the kills above are real)', async () => {
    const dir = await directoryWithModel(1);
    const seen = [];
    await saveToDirectory(buildModel(tf, 2), dir, {}, { onStep: step => seen.push(step) });
    expect(seen).toEqual(SAVE_STEPS); // one 'removed': the old weights file
  });
});

describe('saves killed at random times', () => {
  test('10 kills of a process saving two models in turn: always one of them, whole', async () => {
    let seed = 7;
    const random = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
    const outcomes = new Set();
    for (let run = 0; run < 10; run++) {
      const dir = await directoryWithModel(10);
      const child = spawn(process.execPath, [CHILD, dir, '10', 'none', 'loop'], { stdio: ['ignore', 'pipe', 'inherit'] });
      // The kill lands after 0, 1 or 2 completed saves (model 10, then 11), at once or at a random
      // time: counted saves rather than a fixed delay, so that a slow machine still kills inside
      // saves of both models.
      const completed = run % 3;
      const lines = [];
      await new Promise((resolve) => {
        child.stdout.on('data', (d) => {
          lines.push(...String(d).split('\n').filter(Boolean));
          if (lines.filter(l => l === 'saved').length >= completed && lines[0] === 'ready') resolve();
        });
      });
      if (completed < 2) await new Promise(resolve => setTimeout(resolve, random() * 40));
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const loaded = await loadedSeed(dir, [10, 11]);
      expect([10, 11]).toContain(loaded);
      outcomes.add(loaded);
      await expectCleanAfterNextSave(dir, 12);
    }
    expect(outcomes.size).toBe(2); // the kills landed in saves of both models
  });
});
