/**
 * The wasm row ops split across threads, gather and embeddingBag (by output rows), addRowVector
 * (by rows) and sumRows (by columns), and scatterAdd (on the caller, in id order) give the bits of
 * one thread, with repeated ids and values whose sums depend on their order; an invalid call is
 * refused before any part runs.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { Rng } from '../../src/random/rng.js';

const made: WasmBackend[] = [];
function wasm(threads: number): WasmBackend {
  const backend = createWasmBackend({ threads, quiet: true });
  if (backend.waitForThreads() !== threads) throw new Error('helper threads did not start');
  made.push(backend);
  return backend;
}
after(() => made.forEach((b) => b.close()));

/** Ids where a few hot rows take half the draws, so rows repeat hundreds of times. */
function repeatedIds(rng: Rng, vocab: number, count: number): Int32Array {
  const hot = [0, 1, vocab - 1];
  return Int32Array.from({ length: count }, () =>
    rng.next() < 0.5 ? hot[rng.int(hot.length)] : rng.int(vocab),
  );
}

const uniform = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

describe('wasm row ops on the thread pool', () => {
  const one = wasm(1);
  const two = wasm(2);

  // A batch's embedding (64 × 200 ids of dim 128), a recurrent layer's gates (dim 256), and an
  // odd width with few rows (still above the pool's threshold).
  for (const [vocab, dim, count] of [
    [10000, 128, 12800],
    [10000, 256, 12800],
    [300, 17, 4000],
  ]) {
    test(`${count} ids of dim ${dim}: 2 threads give the bits of 1`, () => {
      const rng = new Rng(dim);
      const ids = repeatedIds(rng, vocab, count);
      const table = uniform(rng, vocab * dim);
      const dOut = uniform(rng, count * dim);
      // Bags of 0 to 6 ids, as the token projection sums its gate gradients.
      const offsets = [0];
      while (offsets[offsets.length - 1] < count) {
        offsets.push(Math.min(count, offsets[offsets.length - 1] + rng.int(7)));
      }
      const results = [one, two].map((be) => {
        const out = be.alloc(count * dim);
        be.gather(table, dim, ids, out);
        be.addRowVector(out, count, dim, table.subarray(0, dim));
        const dTable = be.alloc(vocab * dim);
        dTable.set(table);
        be.scatterAdd(dOut, ids, dim, dTable);
        const bags = be.alloc((offsets.length - 1) * dim);
        be.embeddingBag(table, dim, ids, Int32Array.from(offsets), null, 'sum', bags);
        const sums = be.alloc(dim);
        sums.set(table.subarray(dim, 2 * dim));
        be.sumRows(dOut, count, dim, sums, 1);
        return [out, dTable, bags, sums].map((a) => Float32Array.from(a));
      });
      results[0].forEach((a, k) => assert.deepEqual(results[1][k], a, `output ${k}`));
      // Against sums by hand, each added in the ops' order in float32: the first gathered row plus
      // the bias row, the first bag of two or more ids, and column 0's sum.
      const [out, , bags, sums] = results[0];
      const row = (id: number) => table.subarray(id * dim, (id + 1) * dim);
      assert.deepEqual(
        out.subarray(0, dim),
        row(ids[0]).map((v, d) => v + table[d]),
      );
      const b = offsets.findIndex((start, k) => offsets[k + 1] - start >= 2);
      const bag = new Float32Array(dim);
      for (let j = offsets[b]; j < offsets[b + 1]; j++)
        row(ids[j]).forEach((v, d) => (bag[d] += v));
      assert.deepEqual(bags.subarray(b * dim, (b + 1) * dim), bag);
      let sum = table[dim];
      for (let r = 0; r < count; r++) sum = Math.fround(sum + dOut[r * dim]);
      assert.equal(sums[0], sum);
    });
  }

  test('an id out of range at the end of a large call is refused before any part writes', () => {
    const [vocab, dim, count] = [1000, 128, 12800];
    const ids = repeatedIds(new Rng(3), vocab, count);
    ids[count - 1] = vocab;
    const out = two.alloc(count * dim).fill(7);
    const dTable = two.alloc(vocab * dim).fill(7);
    const table = two.alloc(vocab * dim);
    assert.throws(
      () => two.gather(table, dim, ids, out),
      /^Error: gather: id 1000 at 12799 is outside/,
    );
    assert.throws(
      () => two.scatterAdd(out, ids, dim, dTable),
      /^Error: scatterAdd: id 1000 at 12799 is outside/,
    );
    assert.ok(out.every((v) => v === 7));
    assert.ok(dTable.every((v) => v === 7));
  });
});
