'use strict';
const tf = require('@tensorflow/tfjs');
const {formatSummary, printSummary, isSequentialLike} =
    require('../lib/summary');

// The lines TF.js itself prints for `model.summary(...)`.
function tfjsLines(model, lineLength, positions) {
  const lines = [];
  model.summary(lineLength, positions, (line) => lines.push(line));
  return lines;
}

const countParams = (weights) =>
  weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);

// Builds our plain description from a live TF.js model.
function describeModel(model) {
  const layers = model.layers.map((layer) => {
    const nodes = layer.inboundNodes;
    const entry = {
      name: layer.name,
      className: layer.getClassName(),
      inputShapes: nodes[0].inputShapes,
      outputShape: layer.outputShape,
      params: layer.countParams(),
      inbound: nodes.flatMap((node) => node.inboundLayers.map((l, i) =>
        [l.name, node.nodeIndices[i], node.tensorIndices[i]])),
    };
    if (nodes.length > 1) entry.nodeInputShapes = nodes.map((n) => n.inputShapes);
    return entry;
  });
  return {
    sequentialLike: isSequentialLike(layers),
    layers,
    trainableParams: countParams(model.trainableWeights),
    nonTrainableParams: countParams(model.nonTrainableWeights),
  };
}

function sequentialModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({units: 10, inputShape: [4], activation: 'relu'}));
  model.add(tf.layers.dropout({rate: 0.2}));
  model.add(tf.layers.dense({units: 10, activation: 'relu'}));
  model.add(tf.layers.dense({units: 3, activation: 'softmax'}));
  return model;
}

function sharedTrunkModel() {
  const input = tf.input({shape: [6], name: 'features'});
  const trunk = tf.layers.dense({units: 16, name: 'trunk'}).apply(input);
  const cls = tf.layers.dense({units: 3, name: 'class_head'}).apply(trunk);
  const reg = tf.layers.dense({units: 1, name: 'regression_head'}).apply(trunk);
  return tf.model({inputs: input, outputs: [cls, reg]});
}

function concatModel() {
  const input = tf.input({shape: [4]});
  const a = tf.layers.dense({units: 8}).apply(input);
  const b = tf.layers.dense({units: 5}).apply(input);
  const merged = tf.layers.concatenate().apply([a, b]);
  const output = tf.layers.dense({units: 2}).apply(merged);
  return tf.model({inputs: input, outputs: output});
}

// One Dense layer applied to two inputs: two inbound nodes on one layer.
function siameseModel() {
  const left = tf.input({shape: [4], name: 'left'});
  const right = tf.input({shape: [4], name: 'right'});
  const shared = tf.layers.dense({units: 3, name: 'shared'});
  const merged = tf.layers.concatenate({name: 'join'})
      .apply([shared.apply(left), shared.apply(right)]);
  return tf.model({inputs: [left, right], outputs: merged});
}

function functionalChainModel() {
  const input = tf.input({shape: [4]});
  const hidden = tf.layers.dense({units: 7}).apply(input);
  return tf.model({inputs: input,
    outputs: tf.layers.dense({units: 2}).apply(hidden)});
}

// Two outputs where one output also feeds the other: TF.js still calls it
// sequential-like (one node per depth).
function chainWithSideOutputModel() {
  const input = tf.input({shape: [4]});
  const first = tf.layers.dense({units: 5}).apply(input);
  const second = tf.layers.dense({units: 2}).apply(first);
  return tf.model({inputs: input, outputs: [first, second]});
}

const builders = {
  'sequential 4-10-10-3 with dropout': sequentialModel,
  'functional shared trunk, two heads': sharedTrunkModel,
  'functional concatenate of two branches': concatModel,
  'functional layer shared by two inputs': siameseModel,
  'functional plain chain': functionalChainModel,
  'functional chain with side output': chainWithSideOutputModel,
};

describe('formatSummary matches TF.js model.summary()', () => {
  // Silence TF.js's one-time "install the node backend" console banner.
  let warnSpy;
  beforeAll(() => {
    warnSpy = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterAll(() => warnSpy.mockRestore());

  for (const [label, build] of Object.entries(builders)) {
    test(label, () => {
      const model = build();
      expect(formatSummary(describeModel(model))).toEqual(tfjsLines(model));
    });
  }

  test('sequential-like detection agrees with the TF.js header', () => {
    for (const build of Object.values(builders)) {
      const model = build();
      const tfjsSequentialLike = !tfjsLines(model)[1].includes('Receives');
      expect(describeModel(model).sequentialLike).toBe(tfjsSequentialLike);
    }
    expect(describeModel(sequentialModel()).sequentialLike).toBe(true);
    expect(describeModel(concatModel()).sequentialLike).toBe(false);
  });

  test('desc without sequentialLike falls back to detection', () => {
    const model = concatModel();
    const desc = describeModel(model);
    delete desc.sequentialLike;
    expect(formatSummary(desc)).toEqual(tfjsLines(model));
  });

  test('custom relative and absolute layouts', () => {
    for (const model of [sequentialModel(), concatModel()]) {
      const desc = describeModel(model);
      const relative = desc.sequentialLike ? [0.4, 0.6, 0.8, 1] :
                                             [0.3, 0.5, 0.7, 0.8, 1];
      const absolute = desc.sequentialLike ? [20, 35, 50, 60] :
                                             [12, 25, 37, 45, 70];
      expect(formatSummary(desc, 70, relative))
          .toEqual(tfjsLines(model, 70, relative));
      expect(formatSummary(desc, 60, absolute))
          .toEqual(tfjsLines(model, 60, absolute));
    }
  });

  test('non-trainable params and compiled model totals', () => {
    const model = sequentialModel();
    model.layers[0].trainable = false;
    model.compile({optimizer: 'sgd', loss: 'categoricalCrossentropy'});
    const desc = describeModel(model);
    expect(desc.nonTrainableParams).toBe(50);
    const lines = formatSummary(desc);
    expect(lines).toEqual(tfjsLines(model));
    expect(lines.slice(-4, -1)).toEqual([
      'Total params: 193', 'Trainable params: 143', 'Non-trainable params: 50',
    ]);
  });

  test('truncates long cells and prints continuation rows', () => {
    const lines = formatSummary(describeModel(concatModel()));
    const row = lines.find((l) => l.startsWith('concatenate_'));
    // The 25-column name cell loses its last character to the separator.
    expect(row.slice(0, 27)).toMatch(/^concatenate_Concatenate\d \( $/);
    const next = lines[lines.indexOf(row) + 1];
    expect(next.trim()).toMatch(/^dense_Dense\d+\[0\]\[0\]$/);
    expect(lines.every((l) => l.length === 115 || l.startsWith('T') ||
        l.startsWith('N'))).toBe(true);
  });

  test('null outputShape prints "multiple"', () => {
    const desc = describeModel(sequentialModel());
    desc.layers[0].outputShape = null;
    expect(formatSummary(desc)[3]).toMatch(/^dense_\S+ \(Dense\) +\[\[null,4\]\] +multiple +50 +$/);
  });

  test('printSummary sends each line to printFn', () => {
    const desc = describeModel(sequentialModel());
    const printed = [];
    printSummary(desc, undefined, undefined, (line) => printed.push(line));
    expect(printed).toEqual(formatSummary(desc));
  });

  test('printSummary defaults to console.log', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const desc = describeModel(concatModel());
      printSummary(desc);
      expect(spy.mock.calls.map((c) => c[0])).toEqual(formatSummary(desc));
    } finally {
      spy.mockRestore();
    }
  });
});
