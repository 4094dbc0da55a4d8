'use strict';
// No import cycles among the package's modules (scripts/check-cycles.js), and the checker finds
// the cycles it is meant to find.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { findCycles } = require('../scripts/check-cycles');

test('index.js and lib/ have no import cycle', () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'check-cycles.js')], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});

describe('the checker', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycles-'));
  const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds a cycle through a lazy require and a directory index, not a shared dependency', () => {
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    write('a.js', "const b = require('./b');\nconst c = require('./c.js');\n");
    write('b.js', "require('./c');\nfunction later() { return require('./sub'); }\n");
    write('c.js', "require('./data.json');\n");
    write('data.json', '{}');
    write('sub/index.js', "module.exports = require('../a');\n");
    const cycles = findCycles([path.join(dir, 'a.js')]).map(c => c.map(f => path.relative(dir, f)));
    expect(cycles).toEqual([['a.js', 'b.js', path.join('sub', 'index.js'), 'a.js']]);
  });

  test('finds nothing in a tree', () => {
    write('x.js', "require('./y'); require('./z');\n");
    write('y.js', "require('./z');\n");
    write('z.js', '');
    expect(findCycles([path.join(dir, 'x.js')])).toEqual([]);
  });
});
