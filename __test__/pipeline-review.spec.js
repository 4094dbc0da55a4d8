'use strict';
// Edge cases of the fast fitDataset pipeline against @tensorflow/tfjs: a shuffle window below one
// element, datasets whose iterator() is overridden (a subclass, an instance), callback hooks that
// return thenables, and seeded shuffles read in every way.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-pipeline-review-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFile(name, content) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}
/** What a promise settles with: {value} or {error: [class name, message]}. */
const settled = p => p.then(value => ({ value }), e => ({ error: [e.constructor.name, e.message] }));

function linearModel(lib) {
  const m = lib.sequential();
  m.add(lib.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }));
  m.compile({ optimizer: lib.train.sgd(0.01), loss: 'meanSquaredError' });
  return m;
}

describe('shuffle windows below one element', () => {
  test.each([0, 0.5, -0])('shuffle(%p) rejects iterator() and toArray() with TF.js\'s RangeError', async (window) => {
    const build = lib => lib.data.array([1, 2, 3]).shuffle(window, 's');
    const theirs = await settled(build(tfjs).toArray());
    expect(theirs.error).toBeDefined();
    expect(await settled(build(tf).toArray())).toEqual(theirs);
    expect(await settled(build(tf).iterator())).toEqual(await settled(build(tfjs).iterator()));
  });

  test('fitDataset over shuffle(0) rejects as TF.js\'s does (no silent epochs without batches)', async () => {
    const build = lib => lib.data.array([1, 2, 3, 4]).map(v => ({ xs: [v], ys: [v] })).shuffle(0, 's').batch(2);
    const theirs = await settled(linearModel(tfjs).fitDataset(build(tfjs), { epochs: 1, verbose: 0 }));
    expect(theirs.error).toBeDefined();
    expect(await settled(linearModel(tf).fitDataset(build(tf), { epochs: 1, verbose: 0 }))).toEqual(theirs);
  });
});

describe('datasets whose iterator() is overridden are read through it', () => {
  const file = () => writeFile('override.csv', 'a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n');
  /** A CSVDataset subclass whose iterator() turns rows into {xs, ys}; TF.js's reads the file's bytes. */
  function scaledCsv(lib, toElement) {
    class Scaled extends lib.data.CSVDataset {
      async iterator() {
        return (await super.iterator()).map(toElement(lib));
      }
    }
    const source = lib === tfjs ? new tfjs.data.FileDataSource(new Uint8Array(fs.readFileSync(file()))) : file();
    return new Scaled(source);
  }
  const arrays = () => r => ({ xs: [r.a / 10], ys: [r.b] });
  const plain = async ds => (await ds.toArray()).map(e => (e.xs.arraySync ? { xs: e.xs.arraySync(), ys: e.ys.arraySync() } : e));

  test('a CSVDataset subclass: map, shuffle, take and batch read its iterator(), as in TF.js', async () => {
    const steps = [ds => ds, ds => ds.map(e => ({ ...e, ys: [e.ys[0] + 1] })), ds => ds.shuffle(3, 'sub'), ds => ds.take(2), ds => ds.batch(2)];
    for (const step of steps) expect(await plain(step(scaledCsv(tf, arrays)))).toEqual(await plain(step(scaledCsv(tfjs, arrays))));
  });

  test('fitDataset over a CSVDataset subclass, batched and directly, trains on what its iterator() yields, as TF.js does', async () => {
    const tensors = lib => r => ({ xs: lib.tensor2d([[r.a / 10]]), ys: lib.tensor2d([[r.b]]) });
    const pipelines = [lib => scaledCsv(lib, arrays).batch(2), lib => scaledCsv(lib, tensors)];
    for (const pipeline of pipelines) {
      const fit = lib => linearModel(lib).fitDataset(pipeline(lib), { epochs: 2, verbose: 0 });
      const [ours, theirs] = [await fit(tf), await fit(tfjs)];
      expect(ours.history.loss).toHaveLength(2);
      ours.history.loss.forEach((loss, i) => expect(loss).toBeCloseTo(theirs.history.loss[i], 3));
    }
  });

  test('a dataset whose iterator is replaced on the instance: derived datasets and fitDataset read the replacement, as in TF.js', async () => {
    const replaced = (lib) => {
      const ds = lib.data.array([1, 2, 3]);
      ds.iterator = async () => lib.data.array([7, 8]).iterator();
      return ds;
    };
    expect(await replaced(tf).map(x => x * 2).toArray()).toEqual(await replaced(tfjs).map(x => x * 2).toArray());
    const fit = lib => linearModel(lib).fitDataset(replaced(lib).map(v => ({ xs: [v], ys: [v + 1] })).batch(2), { epochs: 1, verbose: 0 });
    const [ours, theirs] = [await fit(tf), await fit(tfjs)];
    expect(ours.history.loss[0]).toBeCloseTo(theirs.history.loss[0], 3);
  });
});

describe('callback hooks returning thenables', () => {
  /** Callbacks whose first hook returns a thenable that is not a Promise (settling a timer later). */
  function recorder(events) {
    const later = what => ({ then(resolve) { setTimeout(() => { events.push(what); resolve(); }, 5); } });
    return [
      { onEpochBegin: e => later(`thenable begin ${e}`), onEpochEnd: e => later(`thenable end ${e}`), onTrainEnd: () => later('thenable train end') },
      { onEpochBegin: (e) => { events.push(`next begin ${e}`); }, onEpochEnd: (e) => { events.push(`next end ${e}`); }, onTrainEnd: () => { events.push('next train end'); } },
    ];
  }

  test.each(['fit', 'fitDataset'])('%s awaits a thenable before the next callback\'s hook and the next epoch, as TF.js does', async (how) => {
    const run = async (lib) => {
      const events = [];
      const m = linearModel(lib);
      const args = { epochs: 2, verbose: 0, callbacks: recorder(events) };
      if (how === 'fit') await m.fit(lib.tensor2d([[1], [2], [3]]), lib.tensor2d([[2], [4], [6]]), { ...args, batchSize: 2 });
      else await m.fitDataset(lib.data.array([1, 2, 3]).map(v => ({ xs: [v], ys: [2 * v] })).batch(2), args);
      events.push('resolved');
      return events;
    };
    const theirs = await run(tfjs);
    expect(theirs.slice(0, 3)).toEqual(['thenable begin 0', 'next begin 0', 'thenable end 0']);
    expect(await run(tf)).toEqual(theirs);
  });
});

describe('seeded shuffles equal TF.js\'s however they are read', () => {
  const upstreams = {
    'an async generator': (lib, n) => lib.data.generator(async function* gen() { for (let i = 0; i < n; i++) { if (i % 7 === 0) await null; yield i; } }),
    'mapAsync': (lib, n) => lib.data.array([...Array(n).keys()]).mapAsync(async x => x),
    'a filter (chunks of a third)': (lib, n) => lib.data.array([...Array(3 * n).keys()]).filter(x => x % 3 === 0),
    'null and undefined elements': (lib, n) => lib.data.array([...Array(n).keys()]).map(x => [null, undefined, x][x % 3]),
    'elements shaped like the end mark': (lib, n) => lib.data.array([...Array(n).keys()]).map(x => ({ endOfUpstream: true, x })),
  };
  /** Reads a whole iterator with next() and nextChunk(k) mixed, k drawn from an LCG. */
  async function readMixed(it) {
    let s = 1;
    const out = [];
    for (;;) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      if (s % 3 === 0) {
        const r = await it.next();
        if (r.done) return out;
        out.push(r.value);
      } else {
        const chunk = await it.nextChunk(1 + (s % 300));
        if (chunk.length === 0) return out;
        out.push(...chunk);
      }
    }
  }

  test.each(Object.entries(upstreams))('over %s, windows around the read-ahead, read whole or mixed', async (name, upstream) => {
    for (const [n, window] of [[0, 3], [1, 1], [5, 2], [256, 255], [257, 256], [600, 257], [300, 700]]) {
      const build = lib => upstream(lib, n).shuffle(window, `${name}-${n}-${window}`);
      const theirs = await build(tfjs).toArray();
      expect(await build(tf).toArray()).toStrictEqual(theirs);
      expect(await readMixed(await build(tf).iterator())).toStrictEqual(theirs);
    }
  });

  test('reads issued before earlier ones settle are served in order', async () => {
    const build = lib => lib.data.generator(async function* gen() { for (let i = 0; i < 50; i++) { await new Promise(r => setTimeout(r, i % 5 ? 0 : 1)); yield i; } }).shuffle(7, 'c');
    const theirs = await build(tfjs).toArray();
    const it = await build(tf).iterator();
    const reads = [];
    for (let i = 0; i < 30; i++) reads.push(i % 2 ? it.nextChunk(3) : it.next().then(r => (r.done ? [] : [r.value])));
    expect((await Promise.all(reads)).flat()).toEqual(theirs);
  });

  test.each([true, false])('tensor elements, three iterations, reshuffleEachIteration %p', async (reshuffle) => {
    const build = lib => lib.data.array([...Array(40).keys()]).map(x => lib.tensor([x, -x])).shuffle(9, 'T', reshuffle).batch(4);
    const [ours, theirs] = [build(tf), build(tfjs)];
    for (let i = 0; i < 3; i++) {
      const values = async ds => (await ds.toArray()).map(b => b.arraySync());
      expect(await values(ours)).toEqual(await values(theirs));
    }
  });
});

describe('Alea seeded in the core gives TF.js\'s draws for seeds of every JavaScript type', () => {
  const seeds = [42, 1.5, -7, 1e21, 2 ** 31, 'é€😀', '\ud800x', 'a'.repeat(3000), true, { toString: () => 'an object' }];

  test.each(seeds.map(s => [`${typeof s} ${String(s).slice(0, 8)}`, s]))('Dataset.shuffle seed (%s)', async (label, seed) => {
    const build = lib => lib.data.array([...Array(30).keys()]).shuffle(10, seed);
    const [ours, theirs] = [build(tf), build(tfjs)];
    expect([await ours.toArray(), await ours.toArray()]).toEqual([await theirs.toArray(), await theirs.toArray()]);
  });

  test.each(seeds.slice(0, 7))('randomUniform and randomNormal seed %p', (seed) => {
    for (const make of [lib => lib.randomUniform([7], -1, 1, 'float32', seed), lib => lib.randomNormal([7], 0, 2, 'float32', seed)]) {
      expect(Array.from(make(tf).dataSync())).toEqual(Array.from(make(tfjs).dataSync()));
    }
  });
});

test('tf.data.csv reads where code generation from strings is disallowed (node --disallow-code-generation-from-strings)', () => {
  const file = writeFile('no-eval.csv', 'a,"b""q",__proto__,label\n1,x,3,0\n4,,6,1\n');
  const config = { columnConfigs: { label: { isLabel: true }, 'b"q': { default: 'D' } } };
  const script = `require(${JSON.stringify(path.join(__dirname, '..'))}).data.csv(${JSON.stringify(file)}, ${JSON.stringify(config)}).toArray()
    .then(rows => console.log(JSON.stringify(rows.map(r => [Object.entries(r.xs), r.ys]))), e => console.log(JSON.stringify({ error: e.message })));`;
  const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8', timeout: 30000 });
  expect(JSON.parse(child.stdout)).toEqual([
    [[['a', 1], ['b"q', 'x'], ['__proto__', 3]], { label: 0 }],
    [[['a', 4], ['b"q', 'D'], ['__proto__', 6]], { label: 1 }],
  ]);
});
