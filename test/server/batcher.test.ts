/** The micro-batcher on its own, with a predict function that records the batches it gets. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Batcher, QueueFullError, QueueTimeoutError } from '../../src/server/batcher.js';
import type { Prediction } from '../../src/server/predictor.js';

/** Predicts each input's first id as its "probability", and records every batch's size. */
function recording(options: { maxBatch: number; maxWaitMs: number; maxQueue: number }) {
  const batches: number[][] = [];
  const batcher = new Batcher((inputs) => {
    batches.push(inputs.map((x) => x[0]));
    return inputs.map((x): Prediction => ({ probabilities: { x: x[0] }, label: String(x[0]) }));
  }, options);
  return { batcher, batches };
}

const never = new AbortController().signal;
const labels = (ps: Prediction[]) => ps.map((p) => p.label);

test('concurrent requests share one forward pass once maxBatch inputs are queued', async () => {
  const { batcher, batches } = recording({ maxBatch: 4, maxWaitMs: 3_600_000, maxQueue: 100 });
  const answers = await Promise.all([
    batcher.submit([[1]], never),
    batcher.submit([[2], [3]], never),
    batcher.submit([[4]], never),
  ]);
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
  assert.deepEqual(answers.map(labels), [['1'], ['2', '3'], ['4']]);
});

test('a batch takes whole requests up to maxBatch; a larger request runs alone', async () => {
  const { batcher, batches } = recording({ maxBatch: 4, maxWaitMs: 0, maxQueue: 100 });
  const answers = await Promise.all([
    batcher.submit([[1], [2], [3]], never),
    batcher.submit([[4], [5]], never),
    batcher.submit([[6], [7], [8], [9], [10]], never),
  ]);
  assert.deepEqual(batches, [
    [1, 2, 3],
    [4, 5],
    [6, 7, 8, 9, 10],
  ]);
  assert.deepEqual(answers.map(labels)[2], ['6', '7', '8', '9', '10']);
});

test('maxWaitMs gathers what arrives in the meantime; drain runs the rest at once', async () => {
  const { batcher, batches } = recording({ maxBatch: 64, maxWaitMs: 3_600_000, maxQueue: 100 });
  const first = batcher.submit([[1]], never);
  const second = batcher.submit([[2]], never);
  assert.equal(batcher.depth, 2);
  assert.deepEqual(batches, []);
  batcher.drain();
  assert.deepEqual((await Promise.all([first, second])).map(labels), [['1'], ['2']]);
  assert.deepEqual(batches, [[1, 2]]);
  assert.equal(batcher.depth, 0);
});

test('a full queue refuses at once; an aborted request leaves the queue', async () => {
  const { batcher, batches } = recording({ maxBatch: 64, maxWaitMs: 3_600_000, maxQueue: 3 });
  const kept = batcher.submit([[1], [2]], never);
  await assert.rejects(batcher.submit([[3], [4]], never), QueueFullError);
  const timeout = new AbortController();
  const dropped = batcher.submit([[5]], timeout.signal);
  assert.equal(batcher.depth, 3);
  timeout.abort();
  await assert.rejects(dropped, QueueTimeoutError);
  assert.equal(batcher.depth, 2);
  batcher.drain();
  assert.deepEqual(labels(await kept), ['1', '2']);
  assert.deepEqual(batches, [[1, 2]]);
});

test('a failing forward pass rejects every request of its batch, and the next batch runs', async () => {
  let fail = true;
  const batcher = new Batcher(
    (inputs) => {
      if (fail) throw new Error('boom');
      return inputs.map(() => ({ probabilities: {}, label: 'ok' }));
    },
    { maxBatch: 2, maxWaitMs: 0, maxQueue: 10 },
  );
  const a = batcher.submit([[1]], never);
  const b = batcher.submit([[2]], never);
  await assert.rejects(a, /boom/);
  await assert.rejects(b, /boom/);
  fail = false;
  const queued = once(batcher, 'batch');
  assert.deepEqual(labels(await batcher.submit([[3]], never)), ['ok']);
  assert.deepEqual((await queued)[0], 1);
});

test('maxWaitMs 0 runs at the next event-loop turn, without a timer', async (t) => {
  // With setTimeout frozen, only a batch scheduled by setImmediate can answer.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { batcher, batches } = recording({ maxBatch: 64, maxWaitMs: 0, maxQueue: 100 });
  const answers = await Promise.all([batcher.submit([[1]], never), batcher.submit([[2]], never)]);
  assert.deepEqual(batches, [[1, 2]]);
  assert.deepEqual(answers.map(labels), [['1'], ['2']]);
});
