import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyByLength, lengthBuckets } from '../../src/experiments/compare-buckets.js';
import { estimateSecondsLeft } from '../../src/experiments/compare-eta.js';
import { sweepEntries } from '../../src/experiments/compare-plan.js';

test('length buckets: labels, bounds, and counts with the edges inclusive', () => {
  assert.deepEqual(
    lengthBuckets().map((b) => [b.label, b.min, b.max]),
    [
      ['≤100', 0, 100],
      ['101–200', 101, 200],
      ['201–400', 201, 400],
      ['>400', 401, null],
    ],
  );
  const lengths = [5, 100, 101, 200, 201, 400, 401, 2000];
  const labels = [1, 0, 1, 0, 1, 0, 1, 0];
  // Right, right | wrong (0.5 is negative), right | right, wrong | wrong, right.
  const probabilities = [0.9, 0.2, 0.5, 0.1, 0.7, 0.8, 0.3, 0.4];
  const correct = probabilities.map((p, i) => ((p > 0.5 ? 1 : 0) === labels[i] ? 1 : 0));
  const buckets = accuracyByLength(lengths, correct);
  assert.deepEqual(
    buckets.map((b) => [b.count, b.correct, b.accuracy]),
    [
      [2, 2, 1],
      [2, 1, 0.5],
      [2, 1, 0.5],
      [2, 1, 0.5],
    ],
  );
  assert.equal(
    buckets.reduce((s, b) => s + b.count, 0),
    lengths.length,
  );
  const empty = accuracyByLength([10], [1]);
  assert.deepEqual(
    empty.map((b) => b.accuracy),
    [1, null, null, null],
  );
  assert.throws(() => accuracyByLength([1, 2], [1]), /2 lengths and 1 predictions/);
});

test('time left: unknown before any epoch, then from the epochs and finished runs', () => {
  assert.equal(estimateSecondsLeft([], { seconds: 0, epochsDone: 0 }, 4, 10), null);
  // First run, 2 of up to 10 epochs at 30 s: 8 more here, 4 waiting runs of 10 epochs.
  assert.equal(estimateSecondsLeft([], { seconds: 60, epochsDone: 2 }, 4, 10), 8 * 30 + 4 * 300);
  // Finished runs took 4 epochs on average and 100 s: the current one (2 done at 20 s) has 2 left.
  const finished = [
    { seconds: 80, epochs: 3 },
    { seconds: 120, epochs: 5 },
  ];
  assert.equal(estimateSecondsLeft(finished, { seconds: 40, epochsDone: 2 }, 1, 10), 2 * 20 + 100);
  // Past the average: nothing more expected from the current run.
  assert.equal(estimateSecondsLeft(finished, { seconds: 120, epochsDone: 6 }, 0, 10), 0);
});

test('a sweep changes one factor at a time around the defaults', () => {
  const defaults = { units: 64, filters: 128, batchSize: 64, learningRate: 0.001 };
  const grid = { units: [32, 64], batchSize: [32, 64, 128], learningRate: [0.001, 0.002] };
  const gru = sweepEntries({ model: 'gru', ...grid }, defaults);
  assert.deepEqual(
    gru.map((e) => [e.name, e.factor, e.value, e.overrides]),
    [
      ['gru', null, null, {}],
      ['gru-units-32', 'units', 32, { units: 32 }],
      ['gru-batch-32', 'batchSize', 32, { batchSize: 32 }],
      ['gru-batch-128', 'batchSize', 128, { batchSize: 128 }],
      ['gru-lr-0.002', 'learningRate', 0.002, { learningRate: 0.002 }],
    ],
  );
  // The CNN's width is its filter count.
  const cnn = sweepEntries(
    { model: 'cnn', units: [64, 128], batchSize: [], learningRate: [] },
    defaults,
  );
  assert.deepEqual(
    cnn.map((e) => [e.name, e.overrides]),
    [
      ['cnn', {}],
      ['cnn-units-64', { filters: 64 }],
    ],
  );
});
