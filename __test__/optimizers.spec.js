'use strict';
// Optimizers beyond TF.js (issue 12 point 3): a settable learning rate (compared with TF.js, whose
// optimizers read `learningRate` at every step), schedules read per step, AdamW / clipping /
// schedules through the JS API equal the core's Keras-checked math, state and schedule survive a
// save with includeOptimizer, files stay TF.js-readable, bad arguments fail clearly.
// (The Keras 3 reference values for AdamW, clipping and schedules are in
// crates/core/tests/reference_values.rs.)
const tf = require('..');
const { loadTfjs, seededValues, maxRelativeError } = require('./helpers/tfjs');

const tfjs = loadTfjs();
const X = [0, 1, 2, 3, 4, 5].map(i => seededValues(3, 10 + i));
const Y = X.map((r, i) => seededValues(2, 30 + i));

function build(lib) {
  const m = lib.sequential();
  m.add(lib.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], kernelInitializer: lib.initializers.glorotUniform({ seed: 1 }) }));
  m.add(lib.layers.dense({ units: 2, kernelInitializer: lib.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}
const weightsOf = (model) => model.getWeights().map(w => Array.from(w.dataSync()));
const sameStart = (from, to) => to.setWeights(from.getWeights().map(w => tf.tensor(w.arraySync())));

async function artifactsOf(model, config) {
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), config);
  return saved;
}

describe('a settable learning rate', () => {
  test('optimizer.learningRate = x takes effect at the next step, with Adam\'s state kept, as TF.js does', async () => {
    const theirs = build(tfjs);
    const ours = build(tf);
    sameStart(theirs, ours);
    const [a, b] = [tfjs.train.adam(0.05), tf.train.adam(0.05)];
    theirs.compile({ optimizer: a, loss: 'meanSquaredError' });
    ours.compile({ optimizer: b, loss: 'meanSquaredError' });
    const [xt, yt, xo, yo] = [tfjs.tensor2d(X), tfjs.tensor2d(Y), tf.tensor2d(X), tf.tensor2d(Y)];
    await theirs.trainOnBatch(xt, yt);
    await ours.trainOnBatch(xo, yo);
    a.learningRate = 0.005; // TF.js's Adam reads this field at every step
    b.learningRate = 0.005;
    expect(b.learningRate).toBe(0.004999999888241291); // the core's f32
    for (let i = 0; i < 3; i++) {
      await theirs.trainOnBatch(xt, yt);
      await ours.trainOnBatch(xo, yo);
    }
    const expected = theirs.getWeights().map(w => Array.from(w.dataSync()));
    weightsOf(ours).forEach((w, i) => expect(maxRelativeError(w, expected[i])).toBeLessThan(1e-5));
  });

  test('setLearningRate (TF.js\'s SGD method) changes the rate of a compiled model', async () => {
    const [m1, m2] = [build(tf), build(tf)];
    const opt = tf.train.sgd(0.1);
    m1.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await m1.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
    opt.setLearningRate(0.02);
    await m1.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
    // Same two steps with two optimizers (SGD keeps no state).
    m2.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await m2.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
    m2.compile({ optimizer: tf.train.sgd(0.02), loss: 'meanSquaredError' });
    await m2.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
    expect(weightsOf(m1)).toEqual(weightsOf(m2));
  });

  test('a schedule\'s learning rate reads per optimizer step and is not settable (as in Keras)', async () => {
    const m = build(tf);
    const opt = tf.train.sgd(tf.train.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }));
    m.compile({ optimizer: opt, loss: 'meanSquaredError' });
    expect(opt.learningRate).toBeCloseTo(0.1, 7);
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { batchSize: 2, epochs: 1, verbose: 0, shuffle: false }); // 3 steps
    expect(opt.learningRate).toBeCloseTo(0.1 * 0.5 ** 3, 8);
    const before = weightsOf(m);
    expect(() => { opt.learningRate = 0.3; }).toThrow('SGD learningRate: this optimizer was created with a ExponentialDecay schedule as its learning rate, so its learning rate is not settable');
    expect(opt.learningRate).toBeCloseTo(0.0125, 8);
    expect(weightsOf(m)).toEqual(before);
  });
});

describe('AdamW, clipping and schedules through the JS API', () => {
  test('every option reaches the core: a fit differs from the same fit without it', async () => {
    const fitWith = async (optimizer) => {
      const m = build(tf);
      m.compile({ optimizer, loss: 'meanSquaredError' });
      await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { batchSize: 2, epochs: 2, verbose: 0, shuffle: false });
      return weightsOf(m);
    };
    const plain = await fitWith(tf.train.sgd(0.1));
    for (const opt of [tf.train.sgd(0.1, { clipnorm: 0.01 }), tf.train.sgd(0.1, { clipvalue: 0.001 }), tf.train.sgd(0.1, { globalClipnorm: 0.01 }),
      tf.train.sgd(tf.train.cosineDecay({ initialLearningRate: 0.1, decaySteps: 3 })),
      tf.train.sgd(tf.train.piecewiseConstantDecay([2], [0.1, 0.01]))]) {
      expect(await fitWith(opt)).not.toEqual(plain);
    }
    expect(await fitWith(tf.train.adamw(0.01, 0))).not.toEqual(await fitWith(tf.train.adamw(0.01, 0.5)));
    // A clip bound no gradient reaches changes nothing.
    expect(await fitWith(tf.train.sgd(0.1, { clipvalue: 1e6 }))).toEqual(plain);
  });

  test('compile accepts "adamw" with Keras\'s defaults', () => {
    const m = build(tf);
    m.compile({ optimizer: 'adamw', loss: 'meanSquaredError' });
    expect(m.optimizer.getClassName()).toBe('AdamW');
    expect(m.optimizer.getConfig()).toEqual({ learningRate: 0.001, weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });
});

describe('saving optimizer state, clipping and schedules', () => {
  test('a fit resumed from a save with includeOptimizer equals the uninterrupted fit (AdamW, cosine decay with warmup, clipnorm)', async () => {
    const make = () => tf.train.adamw(tf.train.cosineDecay({ initialLearningRate: 0, decaySteps: 6, warmupTarget: 0.05, warmupSteps: 3 }), 0.1, 0.9, 0.999, 1e-7, { clipnorm: 0.5 });
    const fitArgs = { batchSize: 2, epochs: 1, verbose: 0, shuffle: false };
    const whole = build(tf);
    whole.compile({ optimizer: make(), loss: 'meanSquaredError' });
    const start = weightsOf(whole);
    await whole.fit(tf.tensor2d(X), tf.tensor2d(Y), { ...fitArgs, epochs: 3 });

    const first = build(tf);
    first.setWeights(start.map((w, i) => tf.tensor(w, first.getWeights()[i].shape)));
    first.compile({ optimizer: make(), loss: 'meanSquaredError' });
    await first.fit(tf.tensor2d(X), tf.tensor2d(Y), fitArgs);
    const saved = await artifactsOf(first, { includeOptimizer: true });
    const config = saved.trainingConfig.optimizer_config;
    expect(config.class_name).toBe('AdamW');
    expect(config.config).toEqual({
      learningRate: first.optimizer.learningRate, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipnorm: 0.5,
      learningRateSchedule: { className: 'CosineDecay', config: { initialLearningRate: 0, decaySteps: 6, warmupTarget: 0.05, warmupSteps: 3 } },
    });
    expect(config.config.learningRate).toBeCloseTo(0.05, 7); // the warmup's end, at step 3

    const resumed = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(resumed.optimizer.getConfig().clipnorm).toBe(0.5);
    await resumed.fit(tf.tensor2d(X), tf.tensor2d(Y), { ...fitArgs, epochs: 2 });
    expect(weightsOf(resumed)).toEqual(weightsOf(whole));
  });

  test('TF.js reads a file saved with Adam and clipnorm (its Adam ignores the clipping option)', async () => {
    const m = build(tf);
    m.compile({ optimizer: tf.train.adam(0.01, 0.9, 0.999, 1e-7, { clipnorm: 1 }), loss: 'meanSquaredError' });
    const saved = await artifactsOf(m, { includeOptimizer: true });
    const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory(saved));
    expect(theirs.optimizer.getClassName()).toBe('Adam');
    expect(theirs.optimizer.getConfig()).toEqual({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });

  test('TF.js reads a file saved with a schedule: SGD at the rate of the saved step', async () => {
    const m = build(tf);
    m.compile({ optimizer: tf.train.sgd(tf.train.piecewiseConstantDecay([1], [0.5, 0.125])), loss: 'meanSquaredError' });
    await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { batchSize: 3, epochs: 1, verbose: 0 }); // 2 steps
    const saved = await artifactsOf(m, { includeOptimizer: true });
    const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory(saved));
    expect(theirs.optimizer.getConfig()).toEqual({ learningRate: 0.125 });
    const ours = await tf.loadLayersModel(tf.io.fromMemory(saved));
    expect(ours.optimizer.getConfig().learningRate.getConfig()).toEqual({ boundaries: [1], values: [0.5, 0.125] });
    expect(ours.optimizer.learningRate).toBe(0.125);
  });
});

describe('bad arguments', () => {
  const compileWith = (optimizer) => {
    const m = build(tf);
    let error;
    try { m.compile({ optimizer, loss: 'meanSquaredError' }); } catch (e) { error = e; }
    expect(m.compiled).not.toBe(true);
    return error && error.message;
  };

  test('two clipping options, a non-positive bound, an unknown option', () => {
    expect(compileWith(tf.train.sgd(0.1, { clipnorm: 1, clipvalue: 0.5 }))).toContain('SGD: only one of clipnorm, clipvalue and globalClipnorm can be set but got clipnorm 1, clipvalue 0.5, globalClipnorm null');
    expect(compileWith(tf.train.adam(0.1, 0.9, 0.999, null, { globalClipnorm: -1 }))).toContain('optimizer: globalClipnorm must be a positive number but got -1');
    expect(() => tf.train.sgd(0.1, { clipNorm: 1 })).toThrow("SGD: unknown option 'clipNorm'; expected clipnorm, clipvalue, globalClipnorm");
    expect(() => tf.train.sgd(0.1, { clipnorm: NaN })).toThrow('SGD clipnorm must be a finite number but got NaN');
  });

  test('schedules: Keras\'s checks, with the argument named', () => {
    expect(compileWith(tf.train.sgd(tf.train.exponentialDecay(0.1, 0, 0.5)))).toContain('ExponentialDecay: decaySteps must be > 0 but got 0');
    expect(compileWith(tf.train.sgd(tf.train.piecewiseConstantDecay([1, 2], [0.1, 0.2])))).toContain('PiecewiseConstantDecay: values must have one more element than boundaries but got 2 values and 2 boundaries');
    expect(compileWith(tf.train.sgd(tf.train.cosineDecay({ initialLearningRate: 0.1, decaySteps: 5, warmupTarget: 1 })))).toContain('CosineDecay: warmupSteps must be > 0 with a warmupTarget but got 0');
    expect(() => tf.train.cosineDecay({ initialLR: 0.1 })).toThrow("cosineDecay: unknown argument 'initialLR'");
    expect(() => tf.train.adamw(0.01, NaN)).toThrow('AdamW weightDecay must be a finite number but got NaN');
  });

  test('a learning rate that is not a finite number is refused, the old one kept', async () => {
    const m = build(tf);
    const opt = tf.train.sgd(0.1);
    m.compile({ optimizer: opt, loss: 'meanSquaredError' });
    expect(() => { opt.learningRate = Infinity; }).toThrow('SGD learningRate must be a finite number but got Infinity');
    expect(opt.learningRate).toBeCloseTo(0.1, 7);
  });
});

test('an optimizer reused for many models does not keep them alive (it holds them weakly)', () => {
  // A child with --expose-gc: 20 models compiled with one optimizer, dropped, collected; a
  // FinalizationRegistry counts those the garbage collector freed.
  const { spawnSync } = require('node:child_process');
  const script = `
    const tf = require(${JSON.stringify(require('node:path').join(__dirname, '..'))});
    const opt = tf.train.adam(0.01);
    let freed = 0;
    const registry = new FinalizationRegistry(() => { freed++; });
    for (let i = 0; i < 20; i++) {
      const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      registry.register(m, i);
    }
    (async () => {
      for (let i = 0; i < 20 && freed < 20; i++) { global.gc(); await new Promise(r => setTimeout(r, 10)); }
      console.log(JSON.stringify({ freed, learningRate: opt.learningRate }));
    })();`;
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60000 });
  expect(child.status).toBe(0);
  expect(JSON.parse(child.stdout.trim().split('\n').pop())).toEqual({ freed: 20, learningRate: 0.01 });
});
