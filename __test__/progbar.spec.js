'use strict';
const {
  ProgressLogger, getSuccinctNumberDisplay, getDisplayDecimalPlaces, formatLogs,
} = require('../lib/progbar');

// A writable that records what `progress` draws. isTTY decides whether
// `progress` renders at all.
class FakeStream {
  constructor({isTTY = true, columns = 80} = {}) {
    this.isTTY = isTTY;
    this.columns = columns;
    this.writes = [];
  }
  write(text) { this.writes.push(text); }
  cursorTo() {}
  clearLine() {}
}

// Returns the given times in order, then keeps returning the last one.
function fakeClock(...times) {
  return () => (times.length > 1 ? times.shift() : times[0]);
}

async function runEpoch(logger, epoch, batchLogs, epochLogs) {
  await logger.onEpochBegin(epoch);
  for (let b = 0; b < batchLogs.length; ++b) {
    await logger.onBatchEnd(b, {batch: b, size: 32, ...batchLogs[b]});
  }
  await logger.onEpochEnd(epoch, epochLogs);
}

const BATCH = {loss: 0.6931, acc: 0.5};
const EPOCH = {loss: 0.6931, acc: 0.5, val_loss: 1.0986, val_acc: 0.25};
const EPOCH_METRICS = 'acc=0.500 loss=0.693 val_acc=0.250 val_loss=1.10 ';

let logSpy;
beforeEach(() => {
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => logSpy.mockRestore());
const logged = () => logSpy.mock.calls.map((c) => c.join(' '));

describe('number display (tfjs-node getSuccinctNumberDisplay)', () => {
  // decimals = 2 - floor(log10|x|) for 0 < |x| <= 1, else 2;
  // more than 4 decimals switches to toExponential(2).
  test.each([
    [0, '0.00'],
    [1, '1.00'],
    [-1, '-1.00'],
    [1.5, '1.50'],
    [1.0000001, '1.00'],
    [123.456, '123.46'],
    [-42.1, '-42.10'],
    [0.9999, '1.000'],
    [0.6931, '0.693'],
    [0.5, '0.500'],
    [-0.5, '-0.500'],
    [0.1, '0.100'],
    [0.099, '0.0990'],
    [0.05, '0.0500'],
    [0.01, '0.0100'],
    [0.00999, '9.99e-3'],
    [0.001234, '1.23e-3'],
    [0.001, '1.00e-3'],
    [-0.0005, '-5.00e-4'],
    [1e-7, '1.00e-7'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%p -> %p', (x, expected) => {
    expect(getSuccinctNumberDisplay(x)).toBe(expected);
  });

  test.each([
    [0, 2], [2, 2], [-3, 2], [NaN, 2], [1, 2], [0.5, 3], [0.1, 3],
    [0.05, 4], [0.01, 4], [0.005, 5], [0.0001, 6],
  ])('decimal places of %p = %p', (x, expected) => {
    expect(getDisplayDecimalPlaces(x)).toBe(expected);
  });
});

describe('formatLogs', () => {
  test('sorts keys, drops batch and size, keeps the trailing space', () => {
    expect(formatLogs({size: 32, loss: 0.25, batch: 3, acc: 0.875}))
        .toBe('acc=0.875 loss=0.250 ');
  });

  test('truncates to maxLength with an ellipsis', () => {
    expect(formatLogs({loss: 0.6931, acc: 0.5}, 18)).toBe('acc=0.500 loss=...');
    expect(formatLogs({loss: 0.6931}, 18)).toBe('loss=0.693 ');
    expect(formatLogs({loss: 0.6931, acc: 0.5}, NaN))
        .toBe('acc=0.500 loss=0.693 ');
  });
});

describe('ProgressLogger', () => {
  test('prints the epoch header and the timing + metrics line', async () => {
    const stream = new FakeStream();
    const logger = new ProgressLogger({epochs: 2, stepsPerEpoch: 3, stream,
      now: fakeClock(1000, 2500)});
    await logger.onTrainBegin({});
    await runEpoch(logger, 0, [BATCH, BATCH, BATCH], EPOCH);
    // Known batch count and no sample count: 1500 ms / 3 batches.
    expect(logged()).toEqual([
      'Epoch 1 / 2',
      `1500ms 500000us/step - ${EPOCH_METRICS}`,
    ]);
  });

  test('draws the bar on a TTY stream and completes it at epoch end',
      async () => {
        const stream = new FakeStream({columns: 80});
        const logger = new ProgressLogger({epochs: 1, stepsPerEpoch: 3, stream});
        await runEpoch(logger, 0, [BATCH, BATCH, BATCH], EPOCH);
        const draws = stream.writes.filter((w) => w !== '\n');
        // Bar width is half the columns; total is batches + 1, so after the
        // first batch 10 of 40 cells are done.
        expect(draws[0]).toMatch(
            /^eta=\d+\.\d ={9}>-{30} acc=0\.500 loss=0\.693 $/);
        expect(draws[draws.length - 1]).toBe(`eta=0.0 ${'='.repeat(39)}> `);
        expect(stream.writes[stream.writes.length - 1]).toBe('\n');
      });

  test('cuts bar metrics to half the terminal width minus 12', async () => {
    const stream = new FakeStream({columns: 60});
    const logger = new ProgressLogger({epochs: 1, stepsPerEpoch: 2, stream});
    await logger.onEpochBegin(0);
    await logger.onBatchEnd(0, BATCH);
    expect(stream.writes[0].endsWith(' acc=0.500 loss=...')).toBe(true);
  });

  test('divides by samples when tfjs-style params give them', async () => {
    const logger = new ProgressLogger({stream: new FakeStream(),
      now: fakeClock(0, 1500)});
    await logger.onTrainBegin({epochs: 5, samples: 96, batchSize: 32});
    await runEpoch(logger, 2, [BATCH, BATCH, BATCH], EPOCH);
    expect(logged()).toEqual([
      'Epoch 3 / 5',
      `1500ms 15625us/step - ${EPOCH_METRICS}`,
    ]);
  });

  test('unknown batch count: bar stays put, time taken at epoch end',
      async () => {
        const stream = new FakeStream();
        const logger = new ProgressLogger({epochs: 1, stream,
          now: fakeClock(0, 1000)});
        await runEpoch(logger, 0, [BATCH, BATCH], {loss: 0.00123});
        // 1000 ms over the 2 batches seen.
        expect(logged()).toEqual(
            ['Epoch 1 / 1', '1000ms 500000us/step - loss=1.23e-3 ']);
        expect(stream.writes[0]).toMatch(/^eta=0\.0 -{40} acc=0\.500/);
      });

  test('non-TTY stream: no bar, only the newline `progress` ends with',
      async () => {
        const stream = new FakeStream({isTTY: false, columns: undefined});
        const logger = new ProgressLogger({epochs: 1, stepsPerEpoch: 2, stream});
        await runEpoch(logger, 0, [BATCH, BATCH], EPOCH);
        expect(stream.writes).toEqual(['\n']);
        expect(logged()[1]).toMatch(
            new RegExp(`^\\d+ms \\d+us/step - ${EPOCH_METRICS}$`));
      });

  test('epoch end without batches does not throw', async () => {
    const logger = new ProgressLogger({epochs: 1, stepsPerEpoch: 2,
      stream: new FakeStream(), now: fakeClock(0, 10)});
    await logger.onEpochBegin(0);
    await logger.onEpochEnd(0, {loss: 2});
    expect(logged()[1]).toBe('10ms Infinityus/step - loss=2.00 ');
  });

  test('defaults to stderr for the bar, like `progress`', () => {
    expect(new ProgressLogger().stream).toBe(process.stderr);
  });
});
