'use strict';
// Type-checks index.d.ts with the TypeScript compiler from node_modules: a TF.js-style program
// must compile cleanly, in every import style, and wrong programs must not (so the declarations
// are real types, not `any`). The last part compares the declared names with what index.js
// really exports, so that the declarations cannot drift from the code.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');
// Absolute import path of the package root, as TypeScript wants it.
const PKG = ROOT.split(path.sep).join('/');

// No @types at all: the declarations must not need Node's (or the DOM's) types.
const BASE_OPTIONS = {
  strict: true,
  noEmit: true,
  target: 'es2020',
  module: 'commonjs',
  lib: ['es2020'],
  types: [],
  skipLibCheck: false,
};

function tsc(configPath) {
  const res = spawnSync(process.execPath, [TSC, '-p', configPath, '--pretty', 'false'], { encoding: 'utf8' });
  if (res.error) throw res.error;
  return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() };
}

/** Writes `files` ({name: text}) and a tsconfig listing them into `dir`, and runs tsc. */
function check(dir, files, options = {}) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const config = { compilerOptions: { ...BASE_OPTIONS, ...options }, files: Object.keys(files) };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  return tsc(path.join(dir, 'tsconfig.json'));
}

/** `file(line,col): error TSnnnn: message` lines, parsed. */
function parseErrors(output) {
  return output.split('\n').map(l => l.match(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/)).filter(Boolean)
    .map(m => ({ file: path.basename(m[1]), line: Number(m[2]), code: m[4], message: m[5] }));
}

let tmp;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-types-')); });
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

test('package.json points "types" at index.d.ts', () => {
  const pkg = require('../package.json');
  expect(pkg.types).toBe('index.d.ts');
  expect(pkg.exports['.'].types).toBe('./index.d.ts');
  expect(pkg.files).toContain('index.d.ts');
});

test('the TF.js-style usage program type-checks under --strict', () => {
  const { status, output } = tsc(path.join(__dirname, 'fixtures', 'tsconfig.json'));
  expect(output).toBe('');
  expect(status).toBe(0);
});

describe('import styles', () => {
  const body = (tf) => [
    `const model: ${tf}.Sequential = ${tf}.sequential({ layers: [${tf}.layers.dense({ units: 1, inputShape: [3] })] });`,
    `model.compile({ optimizer: ${tf}.train.adam(), loss: 'meanSquaredError' });`,
    `const p: ${tf}.Tensor | ${tf}.Tensor[] = model.predict(${tf}.ones([2, 3]));`,
    'export { p };',
  ].join('\n');

  test('import * as, import = require and a default import (esModuleInterop)', () => {
    const { status, output } = check(path.join(tmp, 'styles'), {
      'star.ts': `import * as tf from '${PKG}';\n${body('tf')}\n`,
      'equals.ts': `import tf = require('${PKG}');\n${body('tf')}\n`,
      'default.ts': `import tf from '${PKG}';\n${body('tf')}\n`,
    }, { esModuleInterop: true });
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('const tf = require(...) in checked JavaScript gets the types', () => {
    const js = [
      '// @ts-check',
      `const tf = require('${PKG}');`,
      'const model = tf.sequential();',
      'model.add(tf.layers.dense({ units: 1, inputShape: [3] }));',
      '/** @type {number} */',
      'const units = model.layers.length;',
      `model.add(tf.layers.dense({ units: 'two' }));`,
      'module.exports = { units };',
    ].join('\n');
    const { output } = check(path.join(tmp, 'js'), { 'main.js': `${js}\n` }, { allowJs: true, checkJs: true });
    // Exactly the one wrong line is reported: the rest type-checks, and the types are not `any`.
    expect(parseErrors(output).map(e => [e.file, e.line, e.code])).toEqual([['main.js', 7, 'TS2322']]);
  });

  test.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])("import from 'dense-mtl' by name resolves through package.json (%s)", (name, options) => {
    const dir = path.join(tmp, `by-name-${name}`);
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'dense-mtl'), 'junction');
    const { status, output } = check(dir, { 'main.ts': `import * as tf from 'dense-mtl';\n${body('tf')}\n` }, options);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});

// A user's project need not target ES2015 or name any lib: the declarations bring the one
// library they need (async iteration, for tf.data) themselves.
describe("under TypeScript's defaults", () => {
  const PROGRAM = [
    "import * as tf from 'dense-mtl';",
    'const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: \'softmax\' })] });',
    "model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
    'const x = tf.tensor2d([[1, 2, 3, 4]]);',
    'const p = model.predict(x) as tf.Tensor;',
    'const best: tf.TopK = p.topk(1);',
    'const scaled = tf.matMul(x, x, false, true).sigmoid().round();',
    "tf.util.assert(scaled.shape.length === 2, 'a matrix');",
    'tf.test_util.expectArraysClose(best.values, [1]);',
    "const cb = tf.callbacks.report('report.html', { data: [x, tf.ones([1, 3])], classNames: ['a', 'b', 'c'] });",
    'const rows = tf.data.array([{ xs: [1, 2, 3, 4], ys: [0, 0, 1] }]).batch(1);',
    // No async/await here: in an ES5 target that needs the user's own Promise declaration.
    'export const run = () => model.fitDataset(rows, { epochs: 1, callbacks: [cb] }).then(() => rows.iterator()).then(it => it.next());',
  ].join('\n');

  /** A project with dense-mtl in its node_modules, compiled with `options` only. */
  function project(name, options, file = 'main.ts') {
    const dir = path.join(tmp, `defaults-${name}`);
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'dense-mtl'), 'junction');
    fs.writeFileSync(path.join(dir, file), `${PROGRAM}\n`);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: [file] }));
    return tsc(path.join(dir, 'tsconfig.json'));
  }

  test.each([
    ['no options at all (target ES5, lib ES5 + DOM)', {}],
    ['--strict', { strict: true, noEmit: true }],
    ['--strict, CommonJS, lib ES5 only and no @types', { strict: true, module: 'commonjs', lib: ['es5'], types: [], noEmit: true }],
    ['--strict, NodeNext', { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }],
  ])('%s', (name, options) => {
    const { status, output } = project(name.replace(/\W+/g, '-'), { ...options, outDir: 'out' }, 'main.ts');
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('NodeNext from an ES module (.mts)', () => {
    const { status, output } = project('mts', { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }, 'main.mts');
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});

describe('wrong programs do not type-check', () => {
  const PRELUDE = [
    `import * as tf from '${PKG}';`,
    "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });",
    'const x = tf.ones([2, 3]);',
    'const y = tf.ones([2, 1]);',
    'export { model, x, y };',
  ];
  const LINE = PRELUDE.length + 1;

  // [what, a correct statement, the wrong one, the error code expected (when it matters)]
  const CASES = [
    ['units as a string', 'tf.layers.dense({ units: 10 });', "tf.layers.dense({ units: 'ten' });", 'TS2322'],
    ['a misspelled fit option', 'model.fit(x, y, { epochs: 5 });', 'model.fit(x, y, { epoch: 5 });', 'TS2561'],
    ['an unknown activation', "tf.layers.dense({ units: 2, activation: 'relu' });", "tf.layers.dense({ units: 2, activation: 'relu7' });"],
    ['a dense arg TF.js has but dense-mtl does not', 'tf.layers.dense({ units: 2, useBias: false });', "tf.layers.dense({ units: 2, kernelConstraint: 'maxNorm' });"],
    ['an unknown optimizer name', "model.compile({ optimizer: 'adam', loss: 'mse' });", "model.compile({ optimizer: 'adamW', loss: 'mse' });"],
    ['an unknown loss name', "model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });", "model.compile({ optimizer: 'sgd', loss: 'binaryCrosentropy' });"],
    ['a custom JavaScript loss', 'model.compile({ optimizer: tf.train.sgd(0.1), loss: tf.metrics.meanSquaredError });',
      'model.compile({ optimizer: tf.train.sgd(0.1), loss: (a: tf.Tensor, b: tf.Tensor) => a });'],
    ['a metric without a native counterpart', "model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [tf.metrics.mae] });",
      "model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [tf.metrics.r2Score] });"],
    ['a layer dense-mtl does not have', 'tf.layers.dropout({ rate: 0.5 });', 'tf.layers.conv2d({ filters: 8, kernelSize: 3 });', 'TS2339'],
    ['a tensor op dense-mtl does not have', 'tf.scalar(1).add(tf.scalar(2));', 'tf.scalar(1).cumprod();', 'TS2339'],
    ['a report option that does not exist', "tf.callbacks.report('r.html', { minInterval: 0 });", "tf.callbacks.report('r.html', { every: 2 });", 'TS2353'],
    ['tf.util.assert without a message', "tf.util.assert(true, 'ok');", 'tf.util.assert(true);', 'TS2554'],
    ['applying a layer to a concrete tensor', 'tf.layers.dense({ units: 1 }).apply(tf.input({ shape: [3] }));',
      'tf.layers.dense({ units: 1 }).apply(tf.ones([2, 3]));'],
    ['using predict as a number', 'const p = model.predict(x);', 'const p: number = model.predict(x);'],
    ['fit without await', 'const h: Promise<tf.History> = model.fit(x, y);', 'const h: tf.History = model.fit(x, y);'],
    ['returning a Promise from tidy', 'tf.tidy(() => tf.scalar(1));', 'tf.tidy(async () => tf.scalar(1));'],
    ['a string tensor', 'tf.tensor1d([1, 2]);', "tf.tensor1d(['a', 'b']);"],
    ['a 3-tuple validationData', 'model.fit(x, y, { validationData: [x, y] });', 'model.fit(x, y, { validationData: [x, y, y] });'],
    ['tf.input without an options object', 'tf.input({ shape: [3] });', 'tf.input([3]);'],
  ];

  let errors;
  beforeAll(() => {
    const files = {};
    CASES.forEach(([, good, bad], i) => {
      files[`good${i}.ts`] = `${PRELUDE.join('\n')}\n${good}\n`;
      files[`bad${i}.ts`] = `${PRELUDE.join('\n')}\n${bad}\n`;
    });
    const { output } = check(path.join(tmp, 'wrong'), files);
    errors = parseErrors(output);
    // Every line of output must be an error we understand.
    expect(output.split('\n').filter(l => l && !/^\S+\(\d+,\d+\): error TS\d+: /.test(l) && !/^\s/.test(l))).toEqual([]);
  });

  test.each(CASES.map((c, i) => [c[0], i, c[3]]))('%s', (what, i, code) => {
    expect(errors.filter(e => e.file === `good${i}.ts`)).toEqual([]);
    const mine = errors.filter(e => e.file === `bad${i}.ts`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map(e => e.line)).toEqual(mine.map(() => LINE));
    if (code) expect(mine.map(e => e.code)).toContain(code);
  });
});

describe('the declarations match what index.js exports', () => {
  const ts = require('typescript');
  const tf = require('..');
  let checker;
  let exported; // name -> symbol of index.d.ts's exports

  beforeAll(() => {
    const file = path.join(ROOT, 'index.d.ts');
    const program = ts.createProgram([file], { strict: true, noEmit: true, types: [], lib: ['lib.es2020.d.ts'] });
    checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
    exported = new Map(checker.getExportsOfModule(moduleSymbol).map(s => [s.name, s]));
  });

  const isValue = s => (s.flags & ts.SymbolFlags.Value) !== 0;
  const valueExports = s => checker.getExportsOfModule(s).filter(isValue).map(x => x.name).sort();
  const typeOf = (s) => checker.getTypeOfSymbolAtLocation(s, s.declarations[0]);
  const propertiesOf = type => checker.getPropertiesOfType(type).map(p => p.name);
  /** Public names an object has at run time: own and inherited, without `_private` ones. */
  const runtimeNames = (obj) => {
    const names = new Set();
    for (let o = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
      Object.getOwnPropertyNames(o).forEach(n => names.add(n));
    }
    return [...names].filter(n => !n.startsWith('_') && n !== 'constructor').sort();
  };

  test('top-level values', () => {
    const declared = [...exported.values()].filter(isValue).map(s => s.name).sort();
    expect(declared).toEqual(Object.keys(tf).sort());
  });

  test.each(['layers', 'initializers', 'regularizers', 'train', 'metrics', 'losses', 'callbacks', 'util', 'test_util'])('tf.%s', (name) => {
    expect(valueExports(exported.get(name))).toEqual(Object.keys(tf[name]).sort());
  });

  test('tf.version and tf.io', () => {
    expect(propertiesOf(typeOf(exported.get('version'))).sort()).toEqual(Object.keys(tf.version).sort());
    expect(propertiesOf(typeOf(exported.get('io')))).toEqual(Object.keys(tf.io));
  });

  // Run-time members deliberately left out of the declarations (internals used across lib/).
  const INTERNAL = {
    Tensor: ['dataRef', 'isDisposedInternal'],
    Layer: ['inboundNodes', 'toNative'],
    Dense: ['inboundNodes', 'toNative'],
    Dropout: ['inboundNodes', 'toNative'],
    Activation: ['inboundNodes', 'toNative'],
    InputLayer: ['inboundNodes', 'toNative'],
    Merge: ['inboundNodes', 'toNative'],
    Initializer: ['toNative'],
    Regularizer: ['toNative'],
    Optimizer: ['toNative'],
    CustomCallback: ['hasUserHooks'],
    History: ['record'],
    EarlyStopping: ['hasUserHooks', 'improved', 'maximize', 'wait', 'best'],
  };

  // One object of each declared class or interface, after a fit so that every field is set.
  let samples;
  beforeAll(async () => {
    const input = tf.input({ shape: [3] });
    const merge = tf.layers.concatenate();
    const functional = tf.model({ inputs: input, outputs: merge.apply([tf.layers.dense({ units: 1 }).apply(input), input]) });
    const dense = tf.layers.dense({ units: 2, inputShape: [3] });
    const dropout = tf.layers.dropout({ rate: 0.1 });
    const activation = tf.layers.activation({ activation: 'relu' });
    const sequential = tf.sequential({ layers: [dense, dropout, activation] });
    const base = new tf.BaseCallback();
    const custom = new tf.CustomCallback({ onEpochEnd: () => {} });
    const early = tf.callbacks.earlyStopping({ monitor: 'loss' });
    const x = tf.ones([4, 3]);
    functional.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await functional.fit(x, tf.ones([4, 4]), { epochs: 1, verbose: 0 });
    sequential.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const history = await sequential.fit(x, tf.ones([4, 2]), { epochs: 1, verbose: 0, callbacks: [base, custom, early] });
    samples = {
      Tensor: x, SymbolicTensor: input, LayersModel: functional, Sequential: sequential,
      Layer: new tf.Layer({}, 'Layer'), Dense: dense, Dropout: dropout, Activation: activation,
      InputLayer: functional.layers[0], Merge: merge,
      Initializer: dense.kernelInitializer, Regularizer: tf.regularizers.l1(), Optimizer: sequential.optimizer,
      BaseCallback: base, CustomCallback: custom, History: history, EarlyStopping: early,
    };
  });

  test.each([
    'Tensor', 'SymbolicTensor', 'LayersModel', 'Sequential', 'Layer', 'Dense', 'Dropout', 'Activation', 'InputLayer', 'Merge',
    'Initializer', 'Regularizer', 'Optimizer', 'BaseCallback', 'CustomCallback', 'History', 'EarlyStopping',
  ])('members of %s', (name) => {
    const symbol = exported.get(name);
    const declared = propertiesOf(checker.getDeclaredTypeOfSymbol(symbol)).sort();
    const actual = runtimeNames(samples[name]);
    expect(declared.filter(n => !actual.includes(n))).toEqual([]); // declared but missing
    expect(actual.filter(n => !declared.includes(n) && !(INTERNAL[name] || []).includes(n))).toEqual([]); // undeclared
    if (symbol.flags & ts.SymbolFlags.Class) {
      const statics = propertiesOf(typeOf(symbol)).filter(n => n !== 'prototype').sort();
      expect(statics).toEqual(runtimeNames(tf[name]).filter(n => !['length', 'name', 'prototype'].includes(n)));
    }
  });
});
