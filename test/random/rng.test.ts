import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/random/rng.js';

test('the same seed gives the same stream; another seed another one', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 20 }, () => a.nextUint32());
  assert.deepEqual(
    sa,
    Array.from({ length: 20 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 20 }, () => c.nextUint32()),
  );
});

test('a saved state continues the exact stream', () => {
  const a = new Rng(7);
  for (let i = 0; i < 5; i++) a.next();
  const b = Rng.fromState(a.getState());
  assert.deepEqual(
    Array.from({ length: 10 }, () => a.next()),
    Array.from({ length: 10 }, () => b.next()),
  );
  assert.throws(
    () => b.setState([1, 2, 3] as unknown as [number, number, number, number]),
    /four unsigned/,
  );
});

test('uniform draws cover [0, 1) evenly and normals have mean 0, variance 1', () => {
  const rng = new Rng(1);
  const n = 100_000;
  const buckets = new Array(10).fill(0);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    buckets[Math.floor(u * 10)]++;
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
  }
  for (const count of buckets) assert.ok(Math.abs(count - n / 10) < 600, `bucket ${count}`);
  assert.ok(Math.abs(sum / n) < 0.02);
  assert.ok(Math.abs(sumSq / n - 1) < 0.02);
});

test('permutation holds each index once', () => {
  const p = new Rng(3).permutation(1000);
  assert.deepEqual(
    [...p].sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.notDeepEqual(
    [...p],
    Array.from({ length: 1000 }, (_, i) => i),
  );
});
