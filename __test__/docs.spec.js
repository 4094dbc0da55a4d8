'use strict';
// Docs that run: every ```js / ```mjs block of README.md and docs/*.md is a complete program
// (blocks that are not say so: ```js fragment). Each program is copied into a fresh project that
// has dense-mtl installed from the packed tarball, run with Node (.js as CommonJS, .mjs as an ES
// module), and what it prints is checked against its `// prints: ...` lines: each is one line
// of output, in order, where `…` stands for any text.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { installedPackage } = require('./helpers/package');

const root = path.join(__dirname, '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];
const RUNNABLE = ['js', 'mjs'];
const KNOWN = [...RUNNABLE, 'sh', 'ts', 'json', 'python', 'text'];

/** Fenced blocks of a markdown text: [{lang, info, code, line}]. */
function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\S*)\s*(.*)$/);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], info: open[2].trim().split(/\s+/).filter(Boolean), code: `${body.join('\n')}\n`, line: start + 1 });
  }
  return blocks;
}

const programs = [];
const malformed = [];
for (const doc of DOCS) {
  for (const block of codeBlocks(fs.readFileSync(path.join(root, doc), 'utf8'))) {
    const where = `${doc}:${block.line}`;
    if (!KNOWN.includes(block.lang)) malformed.push(`${where}: a code block needs a language (${KNOWN.join(', ')}), got '${block.lang}'`);
    if (!RUNNABLE.includes(block.lang) || block.info.includes('fragment')) continue;
    const expected = [...block.code.matchAll(/\/\/ prints: (.*)$/gm)].map(m => m[1]);
    if (!expected.length) malformed.push(`${where}: a program must say what it prints (// prints: ...) or be marked fragment`);
    programs.push({ where, ext: block.lang, code: block.code, expected });
  }
}

const escape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lineMatcher = text => new RegExp(`^${text.split('…').map(escape).join('.*')}$`);

let project;
beforeAll(() => { project = installedPackage(); }, 15 * 60 * 1000);
afterAll(() => { if (project) project.cleanup(); });

test('every code block has a language, and every program says what it prints', () => {
  expect(malformed).toEqual([]);
  expect(programs.length).toBeGreaterThan(10);
  // Both module systems are shown and run.
  expect(programs.some(p => p.ext === 'mjs')).toBe(true);
});

test.each(programs.map(p => [p.where, p]))('%s runs and prints what it says', (where, program) => {
  const file = path.join(project.dir, `${where.replace(/[^\w]+/g, '_')}.${program.ext}`);
  fs.writeFileSync(file, program.code);
  const res = spawnSync(process.execPath, [file], { cwd: project.dir, encoding: 'utf8', timeout: 120000 });
  const output = `${res.stdout}`.split('\n');
  if (res.status !== 0) throw new Error(`${where} exited with ${res.status}:\n${res.stderr}\n${res.stdout}`);
  // Each expected line matches a later output line than the previous one.
  let at = 0;
  for (const text of program.expected) {
    const re = lineMatcher(text);
    while (at < output.length && !re.test(output[at])) at++;
    if (at === output.length) throw new Error(`${where}: expected a line '${text}' (in order) in:\n${res.stdout}`);
    at++;
  }
}, 180000);
