import assert from 'node:assert/strict';
import { test } from 'node:test';
import { padSequences } from '../../src/text/pad.js';

const seqs = [[1, 2, 3, 4, 5], [6, 7], []];

test('pads and truncates at the front by default, like Keras', () => {
  assert.deepEqual([...padSequences(seqs, 3)], [3, 4, 5, /**/ 0, 6, 7, /**/ 0, 0, 0]);
});

test("padding 'post' puts the pad values after the sequence", () => {
  assert.deepEqual(
    [...padSequences(seqs, 3, { padding: 'post' })],
    [3, 4, 5, /**/ 6, 7, 0, /**/ 0, 0, 0],
  );
});

test("truncating 'post' keeps the beginning of long sequences", () => {
  assert.deepEqual(
    [...padSequences(seqs, 3, { truncating: 'post' })],
    [1, 2, 3, /**/ 0, 6, 7, /**/ 0, 0, 0],
  );
  assert.deepEqual(
    [...padSequences(seqs, 3, { padding: 'post', truncating: 'post', value: -1 })],
    [1, 2, 3, /**/ 6, 7, -1, /**/ -1, -1, -1],
  );
});

test('accepts typed arrays and checks its arguments', () => {
  assert.deepEqual([...padSequences([Int32Array.of(9, 8)], 2)], [9, 8]);
  assert.throws(() => padSequences(seqs, 0), /maxlen must be a positive integer/);
  assert.throws(
    () => padSequences(seqs, 2, { padding: 'middle' as 'pre' }),
    /must be 'pre' or 'post'/,
  );
});
