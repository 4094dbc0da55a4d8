'use strict';
// tf.data.csv: the elements equal @tensorflow/tfjs's for the bundled CSVs, files stream, http(s)
// sources work, and every kind of bad input is reported with where it is.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const tf = require('..');
const { loadTfjs } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const DATA = path.join(__dirname, '..', 'data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-csv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFile(name, content) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

async function bothElements(file, config) {
  const url = `file://${file}`;
  const ours = tf.data.csv(url, config);
  const theirs = tfjs.data.csv(url, config);
  return {
    ours: { names: await ours.columnNames(), rows: await ours.toArray() },
    theirs: { names: await theirs.columnNames(), rows: await theirs.toArray() },
  };
}

describe('elements equal TF.js for the bundled CSVs', () => {
  const configs = {
    default: undefined,
    'a label column': { columnConfigs: { species: { isLabel: true } } },
    'dtypes, defaults, configuredColumnsOnly': {
      columnConfigs: { sex: { dtype: 'bool', default: 'unknown' }, year: { dtype: 'int32' }, bill_length_mm: { isLabel: true, default: -1 }, island: { dtype: 'string' } },
      configuredColumnsOnly: true,
    },
    'columnNames replacing the header': { columnNames: ['a', 'b', 'c', 'd', 'e', 'f'] },
  };
  const cases = [
    ['iris.csv', 'default'], ['iris.csv', 'a label column'],
    ['penguins.csv', 'default'], ['penguins.csv', 'a label column'], ['penguins.csv', 'dtypes, defaults, configuredColumnsOnly'],
    ['linnerud.csv', 'default'], ['linnerud.csv', 'columnNames replacing the header'],
  ];
  test.each(cases)('%s, %s', async (name, configName) => {
    const { ours, theirs } = await bothElements(path.join(DATA, name), configs[configName]);
    expect(ours.names).toEqual(theirs.names);
    expect(ours.rows.length).toBeGreaterThan(0);
    expect(ours.rows).toStrictEqual(theirs.rows);
  });

  test('plain paths, file:// URLs and a header-less file with columnNames', async () => {
    const file = path.join(DATA, 'iris.csv');
    const viaPath = await tf.data.csv(file).toArray();
    expect(await tf.data.csv(`file://${file}`).toArray()).toStrictEqual(viaPath);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const headerless = writeFile('headerless.csv', lines.slice(1).join('\n'));
    const names = lines[0].split(',');
    const { ours, theirs } = await bothElements(headerless, { hasHeader: false, columnNames: names });
    expect(ours.rows).toStrictEqual(theirs.rows);
    expect(ours.rows).toStrictEqual(viaPath);
  });

  test('delimiters, delimWhitespace and numbers as JavaScript reads them', async () => {
    const semi = writeFile('semi.csv', 'a;b;c\n1;x y;0x1F\n 2 ;-Infinity;1e3\n.5;NaN;+7\n');
    let r = await bothElements(semi, { delimiter: ';' });
    expect(r.ours.rows).toStrictEqual(r.theirs.rows);
    const ws = writeFile('ws.csv', 'a b  c\n1  2 3\n  4 5    6\n');
    r = await bothElements(ws, { delimWhitespace: true });
    expect(r.ours.rows).toStrictEqual(r.theirs.rows);
    expect(r.ours.rows).toEqual([{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]);
  });
});

describe('what must simply work', () => {
  test('a byte order mark, CRLF line ends, quoted delimiters, quotes and newlines', async () => {
    const file = writeFile('tricky.csv', '\uFEFFname,text,value\r\n"Smith, J.","say ""hi""",1.5\r\nx,"two\r\nlines",2\r\n\r\n');
    const rows = await tf.data.csv(file).toArray();
    expect(await tf.data.csv(file).columnNames()).toEqual(['name', 'text', 'value']);
    expect(rows).toStrictEqual([
      { name: 'Smith, J.', text: 'say "hi"', value: 1.5 },
      { name: 'x', text: 'two\r\nlines', value: 2 },
    ]);
  });

  test('empty cells: the default, undefined, or an error when required', async () => {
    const file = writeFile('empty.csv', 'a,b,c\n1,,\n');
    expect(await tf.data.csv(file, { columnConfigs: { b: { default: 7 } } }).toArray()).toStrictEqual([{ a: 1, b: 7, c: undefined }]);
    await expect(tf.data.csv(file, { columnConfigs: { c: { required: true } } }).toArray())
      .rejects.toThrow(`tf.data.csv: required column 'c' is empty on line 2 of ${file}`);
  });

  test('columnNames() with configuredColumnsOnly lists the configured columns', async () => {
    const ds = tf.data.csv(path.join(DATA, 'iris.csv'), { configuredColumnsOnly: true, columnConfigs: { species: {}, sepal_width: {} } });
    expect(await ds.columnNames()).toEqual(['species', 'sepal_width']);
    expect((await ds.take(1).toArray())[0]).toStrictEqual({ sepal_width: 3.5, species: 'setosa' });
  });

  test('iterating twice reads the file twice (each iterator streams on its own)', async () => {
    const ds = tf.data.csv(path.join(DATA, 'linnerud.csv'));
    const [a, b] = await Promise.all([ds.toArray(), ds.toArray()]);
    expect(a).toHaveLength(20);
    expect(b).toStrictEqual(a);
  });
});

describe('streaming', () => {
  test('a large file yields its first rows without being read whole, and all of them in order', async () => {
    const rows = 300000; // about 9 MB
    const file = path.join(tmp, 'large.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'id,x,y\n');
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      chunk += `${i},${(i % 97) / 7},${i % 3}\n`;
      if (chunk.length > 1 << 20) { fs.writeSync(fd, chunk); chunk = ''; }
    }
    fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const start = Date.now();
    const first = await tf.data.csv(file).take(3).toArray();
    expect(Date.now() - start).toBeLessThan(500);
    expect(first[2]).toStrictEqual({ id: 2, x: 2 / 7, y: 2 });
    let count = 0;
    let ordered = true;
    await tf.data.csv(file).forEachAsync((row) => { ordered = ordered && row.id === count; count++; });
    expect({ count, ordered }).toEqual({ count: rows, ordered: true });
  });
});

describe('files read again', () => {
  test('a file is parsed again once its size or time changed, and kept while neither did', async () => {
    const file = writeFile('changing.csv', 'a,b\n1,2\n');
    const [t1, t2] = [new Date(2020, 0, 1), new Date(2021, 0, 1)];
    fs.utimesSync(file, t1, t1);
    const ds = tf.data.csv(file);
    expect(await ds.toArray()).toStrictEqual([{ a: 1, b: 2 }]);
    // New content of the same size with the old time: the rows read before (what is kept is
    // keyed on size and time; a real edit changes the time).
    fs.writeFileSync(file, 'a,b\n3,4\n');
    fs.utimesSync(file, t1, t1);
    expect(await ds.toArray()).toStrictEqual([{ a: 1, b: 2 }]);
    fs.utimesSync(file, t2, t2);
    expect(await ds.toArray()).toStrictEqual([{ a: 3, b: 4 }]);
    fs.appendFileSync(file, '5,6\n');
    fs.utimesSync(file, t2, t2);
    expect(await ds.toArray()).toStrictEqual([{ a: 3, b: 4 }, { a: 5, b: 6 }]);
    // New column names, parsed by another dataset of the file: this one's next read is served
    // from that parse, with its header (not the one this dataset saw last).
    expect(await ds.toArray()).toStrictEqual([{ a: 3, b: 4 }, { a: 5, b: 6 }]); // served kept
    const t3 = new Date(2022, 0, 1);
    fs.writeFileSync(file, 'c,d\n7,8\n');
    fs.utimesSync(file, t3, t3);
    expect(await tf.data.csv(file).toArray()).toStrictEqual([{ c: 7, d: 8 }]);
    for (let read = 0; read < 2; read++) expect(await ds.toArray()).toStrictEqual([{ c: 7, d: 8 }]);
    fs.writeFileSync(file, 'a,b\n3,4\n5,6\n');
    fs.utimesSync(file, t2, t2);
    // Another config parses the file on its own.
    expect(await tf.data.csv(file, { columnConfigs: { a: { isLabel: true } } }).toArray()).toStrictEqual([{ xs: { b: 4 }, ys: { a: 3 } }, { xs: { b: 6 }, ys: { a: 5 } }]);
  });

  // Linux names threads in /proc; each reader that has not finished has one named dense-mtl-csv.
  const readingThreads = () => fs.readdirSync('/proc/self/task').filter((tid) => {
    try {
      return fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'dense-mtl-csv';
    } catch {
      return false; // the thread ended meanwhile
    }
  }).length;
  const threadsAfter = async (before) => {
    for (let i = 0; i < 100 && readingThreads() > before; i++) await new Promise(resolve => setTimeout(resolve, 20));
    return readingThreads();
  };

  (process.platform === 'linux' ? test : test.skip)('a reader left early (take, columnNames, batchesPerEpoch) stops its thread at once, not at garbage collection', async () => {
    const lines = ['x,y'];
    for (let i = 0; i < 200000; i++) lines.push(`${i % 10},${i % 2}`); // 200 chunks: the thread is still reading
    const file = writeFile('left_early.csv', `${lines.join('\n')}\n`);
    const before = readingThreads();
    const ds = tf.data.csv(file, { columnConfigs: { y: { isLabel: true } } });
    const iterator = await ds.iterator();
    await iterator.next();
    expect(readingThreads()).toBe(before + 1);
    iterator.close();
    expect(await threadsAfter(before)).toBe(before);
    expect(await ds.take(3).toArray()).toHaveLength(3);
    expect(await threadsAfter(before)).toBe(before);
    expect(await ds.columnNames()).toEqual(['x', 'y']);
    expect(await threadsAfter(before)).toBe(before);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const batches = ds.map(({ xs, ys }) => ({ xs: [xs.x], ys: [ys.y] })).batch(8);
    await model.fitDataset(batches, { epochs: 2, batchesPerEpoch: 3, verbose: 0 });
    expect(await threadsAfter(before)).toBe(before);
  });
});

describe('http(s) sources', () => {
  let server;
  let base;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/iris.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        fs.createReadStream(path.join(DATA, 'iris.csv')).pipe(res);
      } else {
        res.writeHead(404, 'Not Found');
        res.end('nothing here');
      }
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  test('a URL yields the same elements as the file', async () => {
    const config = { columnConfigs: { species: { isLabel: true } } };
    const fromUrl = tf.data.csv(`${base}/iris.csv`, config);
    expect(await fromUrl.columnNames()).toEqual(await tf.data.csv(path.join(DATA, 'iris.csv')).columnNames());
    expect(await fromUrl.toArray()).toStrictEqual(await tf.data.csv(path.join(DATA, 'iris.csv'), config).toArray());
  });

  test('an HTTP error status is reported with the URL', async () => {
    await expect(tf.data.csv(`${base}/missing.csv`).toArray()).rejects.toThrow(`tf.data.csv: fetching ${base}/missing.csv failed with HTTP 404 Not Found`);
  });

  test('an unreachable server is reported with the URL and the cause', async () => {
    const closed = http.createServer();
    await new Promise(resolve => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${closed.address().port}/data.csv`;
    await new Promise(resolve => closed.close(resolve));
    await expect(tf.data.csv(url).toArray()).rejects.toThrow(`tf.data.csv: cannot fetch ${url}: ECONNREFUSED`);
  });
});

describe('bad input', () => {
  test('a missing file names the path', async () => {
    const missing = path.join(tmp, 'no-such.csv');
    await expect(tf.data.csv(`file://${missing}`).toArray()).rejects.toThrow(`tf.data.csv: cannot open ${missing}: no such file`);
    await expect(tf.data.csv(missing).columnNames()).rejects.toThrow(missing);
  });

  test('a row with the wrong number of fields gives the line, the expected and the found counts', async () => {
    const file = writeFile('ragged.csv', 'a,b,c\n1,2,3\n"multi\nline",2,3\n4,5\n');
    await expect(tf.data.csv(file).toArray())
      .rejects.toThrow(`tf.data.csv: invalid row on line 5 of ${file}: expected 3 fields (one per column) but found 2`);
  });

  test('an empty required or label cell gives the column and the line', async () => {
    const file = path.join(DATA, 'penguins.csv');
    // Row 4 of the data (line 5) is the first penguin without measurements ("NA" is text, not empty).
    const withEmpty = writeFile('penguins_empty.csv', fs.readFileSync(file, 'utf8').replace(/NA/g, ''));
    await expect(tf.data.csv(withEmpty, { columnConfigs: { sex: { isLabel: true } } }).toArray())
      .rejects.toThrow(`tf.data.csv: required column 'sex' is empty on line 5 of ${withEmpty}`);
  });

  test('a value that is not a number where the dtype says float32 gives the line and the column', async () => {
    const file = path.join(DATA, 'penguins.csv');
    await expect(tf.data.csv(file, { columnConfigs: { bill_length_mm: { dtype: 'float32' } } }).toArray())
      .rejects.toThrow(`tf.data.csv: line 5, column 'bill_length_mm' of ${file}: "NA" is not a number (dtype float32)`);
  });

  test('an empty file and a header-only file', async () => {
    const empty = writeFile('empty_file.csv', '');
    await expect(tf.data.csv(empty).toArray()).rejects.toThrow(`tf.data.csv: No data was found for CSV parsing: ${empty} is empty`);
    await expect(tf.data.csv(empty, { hasHeader: false, columnNames: ['a'] }).toArray()).rejects.toThrow(`tf.data.csv: ${empty} is empty`);
    const headerOnly = writeFile('header_only.csv', 'a,b,c\r\n');
    expect(await tf.data.csv(headerOnly).columnNames()).toEqual(['a', 'b', 'c']);
    await expect(tf.data.csv(headerOnly).toArray()).rejects.toThrow(`tf.data.csv: ${headerOnly} has a header line but no data rows`);
  });

  test('config mistakes give TF.js\'s messages', async () => {
    const file = path.join(DATA, 'iris.csv');
    const cases = [
      [{ columnConfigs: { nope: {} } }, 'The key "nope" provided in columnConfigs does not match any of the column names (sepal_length,sepal_width,petal_length,petal_width,species).'],
      [{ columnNames: ['a', 'b'] }, 'The length of provided columnNames (2) does not match the length of the header line read from file (5).'],
      [{ hasHeader: false }, 'Column names must be provided if there is no header line.'],
      [{ hasHeader: false, columnNames: ['a', 'b', 'a', 'c', 'b'] }, 'Duplicate column names found: a,b'],
    ];
    for (const [config, message] of cases) {
      await expect(tf.data.csv(file, config).toArray()).rejects.toThrow(message);
      await expect(tfjs.data.csv(`file://${file}`, config).toArray()).rejects.toThrow(message);
    }
    expect(() => tf.data.csv(file, { delimWhitespace: true, delimiter: ';' })).toThrow('Delimiter should not be provided when delimWhitespace is true.');
    await expect(tf.data.csv(file, { delimiter: '::' }).toArray()).rejects.toThrow('tf.data.csv: delimiter must be one ASCII character other than a quote or a line break but got "::"');
    expect(() => tf.data.csv(file, { columnConfigs: { species: { dtype: 'float64' } } })).toThrow("tf.data.csv: columnConfigs.species.dtype must be one of float32, int32, bool, string but got 'float64'");
    expect(() => tf.data.csv(42)).toThrow('tf.data.csv: source must be a file path or a file://, http:// or https:// URL but got 42');
  });
});
