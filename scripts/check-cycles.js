'use strict';
// Fails when the package's modules require each other in a cycle (index.js and everything it
// reaches through relative require() calls, lazy ones included). A cycle hands one of its
// modules a half-built exports object, depending on which module loads first.
// Usage: node scripts/check-cycles.js [entry.js ...]   (default: index.js and every file in lib/)
const fs = require('fs');
const path = require('path');

const REQUIRE = /\brequire\(\s*['"](\.{1,2}\/[^'"]*|\.{1,2})['"]\s*\)/g;

/** The file a relative require() from `from` loads, or null (JSON, addons, missing files). */
function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const file of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (file.endsWith('.js') && fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  return null;
}

function dependencies(file) {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(REQUIRE)].map(m => resolve(file, m[1])).filter(Boolean);
}

/**
 * Cycles found by a depth-first walk from `entries`, each as the list of its files: at least one
 * whenever the modules have a cycle (one per edge that closes a cycle on the walk's path).
 */
function findCycles(entries) {
  const state = new Map(); // file -> 'open' while on the walk's path, 'done' after
  const stack = [];
  const cycles = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of dependencies(file)) {
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const entry of entries) if (!state.has(entry)) visit(path.resolve(entry));
  return cycles;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const lib = fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter(f => f.endsWith('.js')).map(f => path.join(root, 'lib', f));
  const entries = process.argv.length > 2 ? process.argv.slice(2) : [path.join(root, 'index.js'), ...lib];
  const cycles = findCycles(entries);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map(f => path.relative(root, f)).join(' -> ')}`);
  if (cycles.length) process.exit(1);
  console.log('no import cycles');
}

module.exports = { findCycles };
