'use strict';
// tf.data.csv on hostile inputs: a FIFO with no writer yet does not freeze the event loop (the
// file is read on a thread of its own), a line past maxLineLength is an Error (not gigabytes of
// memory, not an abort under `ulimit -v`), a header of 200,000 columns reads, columns named
// `__proto__` and `constructor` are kept as own keys, and nextChunk(max) yields what next() does.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');
const tf = require('..');

const PACKAGE = path.join(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-csv-hostile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFile(name, content) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Runs `body` in a child node (under `shell`, e.g. a ulimit) and returns its JSON lines. */
function runChild(body, { shell = '', env = {} } = {}) {
  const script = `const tf = require(${JSON.stringify(PACKAGE)});
const say = (o) => console.log(JSON.stringify(o));
(async () => { ${body} })().catch(e => { say({ uncaught: e.message }); process.exitCode = 3; });`;
  const child = spawnSync('bash', ['-c', `${shell} exec node -e "$SCRIPT"`], {
    env: { ...process.env, ...env, SCRIPT: script },
    encoding: 'utf8',
    timeout: 30000,
  });
  const lines = child.stdout.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l));
  return { status: child.status, signal: child.signal, stderr: child.stderr, lines };
}

test('a FIFO with no writer yet leaves timers running, then yields its rows', () => {
  const fifo = path.join(tmp, 'rows.fifo');
  execFileSync('mkfifo', [fifo]);
  // In a child: if reading blocked the JavaScript thread, the child would never write to the
  // FIFO and would be killed by the timeout instead of reporting.
  const { status, signal, lines } = runChild(`
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const rows = tf.data.csv(process.env.FIFO).toArray();
    await new Promise(r => setTimeout(r, 300));
    say({ ticksWhileWaiting: ticks > 0 });
    require('fs').writeFileSync(process.env.FIFO, 'a,b\\n1,2\\n3,4\\n');
    say({ rows: await rows });
    clearInterval(timer);
  `, { env: { FIFO: fifo } });
  expect({ status, signal }).toEqual({ status: 0, signal: null });
  expect(lines).toEqual([{ ticksWhileWaiting: true }, { rows: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }]);
});

test('process.exit() and worker.terminate() are prompt while a FIFO has no writer', () => {
  const fifo = path.join(tmp, 'silent.fifo');
  execFileSync('mkfifo', [fifo]);
  const exiting = runChild(`
    tf.data.csv(process.env.FIFO).toArray();
    setTimeout(() => { say({ exiting: true }); process.exit(7); }, 200);
  `, { env: { FIFO: fifo } });
  expect({ status: exiting.status, signal: exiting.signal, lines: exiting.lines }).toEqual({ status: 7, signal: null, lines: [{ exiting: true }] });
  const terminating = runChild(`
    const { Worker } = require('worker_threads');
    const worker = new Worker(\`require(\${JSON.stringify(${JSON.stringify(PACKAGE)})}).data.csv(process.env.FIFO).toArray()\`, { eval: true });
    await new Promise(r => setTimeout(r, 300));
    await worker.terminate();
    say({ terminated: true });
  `, { env: { FIFO: fifo } });
  expect({ status: terminating.status, signal: terminating.signal, lines: terminating.lines }).toEqual({ status: 0, signal: null, lines: [{ terminated: true }] });
});

describe('maxLineLength', () => {
  test('a line longer than maxLineLength is an Error naming its line; shorter lines read', async () => {
    const file = writeFile('long.csv', `a,b\n1,2\n3,${'4'.repeat(2000)}\n`);
    await expect(tf.data.csv(file, { maxLineLength: 1000 }).toArray()).rejects.toThrow(
      `tf.data.csv: line 3 of ${file} is longer than maxLineLength (1000 bytes); pass a larger maxLineLength in the csv config to read it`);
    const rows = await tf.data.csv(file, { maxLineLength: 2002 }).toArray();
    expect(rows[1]).toEqual({ a: 3, b: Number('4'.repeat(2000)) });
    // A header over the limit is refused as well.
    await expect(tf.data.csv(file, { maxLineLength: 2 }).columnNames()).rejects.toThrow(/line 1 of .* is longer than maxLineLength \(2 bytes\)/);
  });

  test.each([0, -1, 1.5, '10', NaN])('maxLineLength %p is refused', (bad) => {
    expect(() => tf.data.csv('x.csv', { maxLineLength: bad })).toThrow(/tf.data.csv: maxLineLength must be a positive integer \(bytes\) or Infinity but got/);
  });

  test('a 1 GB single line under ulimit -v is an Error after 64 MiB (the default limit), and the process goes on', () => {
    const fifo = path.join(tmp, 'huge.fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer streams a header then one line of 10^9 digits; the reader stops after the
    // limit, so the writer ends on SIGPIPE and nothing near 1 GB is ever held.
    const writer = `(printf 'a,b\\n1,'; head -c 1000000000 /dev/zero | tr '\\\\0' 7) > ${fifo} 2>/dev/null &`;
    const { status, signal, stderr, lines } = runChild(`
      try { await tf.data.csv(process.env.FIFO).toArray(); say({ read: 'everything' }); } catch (e) { say({ error: e.message }); }
      say({ after: await tf.data.csv(process.env.SMALL).toArray() });
    `, { shell: `${writer} ulimit -v 3000000;`, env: { FIFO: fifo, SMALL: writeFile('small.csv', 'x\n5\n') } });
    expect({ status, signal }).toEqual({ status: 0, signal: null });
    expect(stderr).not.toMatch(/memory allocation|Aborted/);
    expect(lines).toEqual([
      { error: `tf.data.csv: line 2 of ${fifo} is longer than maxLineLength (67108864 bytes); pass a larger maxLineLength in the csv config to read it` },
      { after: [{ x: 5 }] },
    ]);
  });
});

test('a header of 200,000 columns reads, with every name and value in place', async () => {
  const n = 200000;
  const names = Array.from({ length: n }, (_, i) => `c${i}`);
  const file = writeFile('wide.csv', `${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`);
  const ds = tf.data.csv(file);
  expect(await ds.columnNames()).toEqual(names);
  const [row] = await ds.toArray();
  expect(Object.keys(row)).toEqual(names);
  expect([row.c0, row.c1234, row.c199999]).toEqual([0, 1234, 199999]);
});

describe('columns named like Object.prototype members', () => {
  const file = () => writeFile('proto.csv', '__proto__,constructor,x\n1,2,a\n4,5,b\n');

  test('are own keys holding the cell values; the row keeps Object.prototype', async () => {
    // A deliberate difference: TF.js assigns row['__proto__'] = 1, which JavaScript ignores, so
    // the column vanishes from its rows.
    const rows = await tf.data.csv(file()).toArray();
    expect(rows.map(r => Object.keys(r))).toEqual([['__proto__', 'constructor', 'x'], ['__proto__', 'constructor', 'x']]);
    expect(rows.map(r => [r.__proto__, r.constructor, r.x])).toEqual([[1, 2, 'a'], [4, 5, 'b']]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.prototype.__proto__).toBeNull(); // nothing leaked into the global prototype
  });

  test('survive map and batch, and can be labels with their own column config', async () => {
    const config = { columnConfigs: JSON.parse('{"__proto__": {"isLabel": true}, "constructor": {"default": 0}}') };
    const numbers = writeFile('proto-numbers.csv', '__proto__,constructor,x\n1,2,3\n4,5,6\n');
    const batches = await tf.data.csv(numbers, config).map(r => r).batch(2).toArray();
    expect(Object.keys(batches[0].ys)).toEqual(['__proto__']);
    expect(Array.from(batches[0].ys.__proto__.dataSync())).toEqual([1, 4]);
    expect(Array.from(batches[0].xs.constructor.dataSync())).toEqual([2, 5]);
    // `constructor` without a config does not pick up Object's constructor as its config.
    const [row] = await tf.data.csv(writeFile('ctor.csv', 'constructor\n\n7\n')).toArray();
    expect(row).toEqual({ constructor: 7 });
  });
});

test('column names that look like code are plain keys holding their cells', async () => {
  // Rows are built by a function written for the header; its names must stay data.
  const names = ['"]: process.exit(7), ["', 'a\\b', '${1+1}', '*/ x /*', '`t`', '\u2028', '1', '0', 'x'];
  const header = names.map(n => (/[",]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n)).join(',');
  const file = writeFile('code-names.csv', `${header}\n${names.map((_, i) => i).join(',')}\n`);
  const config = { columnConfigs: { x: { isLabel: true } } };
  const [ours] = await tf.data.csv(file, config).toArray();
  const keys = names.slice(0, -1);
  expect(Object.keys(ours.xs)).toEqual(['0', '1', ...keys.filter(k => k !== '0' && k !== '1')]);
  expect(keys.map(k => ours.xs[k])).toEqual(keys.map((_, i) => i));
  expect(ours.ys).toEqual({ x: names.length - 1 });
});

describe('the iterator\'s nextChunk(max)', () => {
  const rowsText = Array.from({ length: 2500 }, (_, i) => `${i},${i % 3 === 0 ? 'text' : i / 2}`).join('\n');
  const file = () => writeFile('chunks.csv', `n,v\n${rowsText}\n`);

  async function drain(it, max) {
    const out = [];
    for (;;) {
      let chunk = it.nextChunk(max);
      if (typeof chunk.then === 'function') chunk = await chunk;
      expect(Array.isArray(chunk)).toBe(true);
      expect(chunk.length).toBeLessThanOrEqual(max);
      if (chunk.length === 0) return out;
      out.push(...chunk);
    }
  }

  test.each([1, 7, 1000, 5000])('yields exactly the elements of next(), in order, max = %p', async (max) => {
    const expected = await tf.data.csv(file()).toArray();
    const it = await tf.data.csv(file()).iterator();
    expect(await drain(it, max)).toEqual(expected);
    expect(it.nextChunk(max)).toEqual([]); // exhausted stays exhausted
  });

  test('mixes with next(), each continuing where the other stopped', async () => {
    const expected = await tf.data.csv(file()).toArray();
    const it = await tf.data.csv(file()).iterator();
    const got = [];
    for (let k = 0; ; k++) {
      if (k % 2) {
        const r = await it.next();
        if (r.done) break;
        got.push(r.value);
      } else {
        const chunk = await it.nextChunk(300);
        if (chunk.length === 0) break;
        got.push(...chunk);
      }
    }
    expect(got).toEqual(expected);
  });

  test('rows already buffered come back synchronously', async () => {
    const it = await tf.data.csv(file()).iterator();
    await it.next(); // the first chunk of rows is now in the iterator's buffers
    const chunk = it.nextChunk(10);
    expect(Array.isArray(chunk)).toBe(true);
    expect(chunk.map(r => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('a parse error rejects (or throws) with its line, as next() does', async () => {
    // Rows are parsed a chunk at a time: the bad row fails the chunk it is in.
    const bad = writeFile('bad.csv', 'a,b\n1,2\n3\n');
    const error = /invalid row on line 3 of .*bad.csv: expected 2 fields/;
    await expect((async () => (await tf.data.csv(bad).iterator()).nextChunk(10))()).rejects.toThrow(error);
    await expect((await tf.data.csv(bad).iterator()).next()).rejects.toThrow(error);
  });
});
