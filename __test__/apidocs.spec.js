'use strict';
// The API reference: `npm run docs` (TypeDoc over index.d.ts, typedoc.json) builds without a
// single warning, and every exported name, including the members of exported namespaces
// (tf.layers.dense, tf.util.assert, ...), has a doc comment.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');

/** Exported names of a declaration file without a doc comment, as `ns.name`. */
function undocumented(file) {
  const program = ts.createProgram([file], { types: [], noEmit: true });
  const checker = program.getTypeChecker();
  const missing = [];
  const visit = (symbol, prefix) => {
    for (const s of checker.getExportsOfModule(symbol)) {
      const documented = (s.declarations || []).some(d => ts.getJSDocCommentsAndTags(d).length > 0);
      if (!documented) missing.push(prefix + s.name);
      if (s.flags & (ts.SymbolFlags.Namespace | ts.SymbolFlags.ValueModule | ts.SymbolFlags.Enum)) visit(s, `${prefix}${s.name}.`);
    }
  };
  visit(checker.getSymbolAtLocation(program.getSourceFile(file)), '');
  return missing;
}

let tmp;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-apidocs-')); });
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

test('every exported name of index.d.ts has a doc comment', () => {
  expect(undocumented(path.join(ROOT, 'index.d.ts'))).toEqual([]);
});

test('the check finds a name without one', () => {
  const file = path.join(tmp, 'sample.d.ts');
  fs.writeFileSync(file, [
    '/** Documented. */', 'export declare function a(): void;',
    'export declare function b(): void;',
    '/** A namespace. */', 'export declare namespace ns {', '  /** Documented. */', '  function c(): void;', '  function d(): void;', '}',
  ].join('\n'));
  expect(undocumented(file)).toEqual(['b', 'ns.d']);
});

test('npm run docs (TypeDoc) builds the site with no warning', () => {
  const pkg = require('../package.json');
  expect(pkg.scripts.docs).toBe('typedoc');
  const config = require('../typedoc.json');
  expect(config.treatWarningsAsErrors).toBe(true);
  expect(config.validation.notDocumented).toBe(true);
  const out = path.join(tmp, 'api');
  const typedoc = path.join(path.dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');
  const res = spawnSync(process.execPath, [typedoc, '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const output = `${res.stdout}${res.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  expect(output.split('\n').filter(l => /\[(warning|error)\]/.test(l))).toEqual([]);
  expect(res.status).toBe(0);
  const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  for (const name of ['sequential', 'matMul', 'report']) expect(fs.readdirSync(path.join(out, 'functions')).join(' ')).toContain(name);
  expect(index).toContain('dense-mtl API');
}, 120000);
