/**
 * wasm gather split across threads (by output rows) and scatterAdd (on the caller, in id order)
 * give the bits of one thread, with repeated ids and values whose sums depend on their order; an
 * invalid call is refused before any part runs.
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

describe('wasm gather and scatterAdd on the thread pool', () => {
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
      const results = [one, two].map((be) => {
        const out = be.alloc(count * dim);
        be.gather(table, dim, ids, out);
        const dTable = be.alloc(vocab * dim);
        dTable.set(table);
        be.scatterAdd(dOut, ids, dim, dTable);
        return { out: Float32Array.from(out), dTable: Float32Array.from(dTable) };
      });
      assert.deepEqual(results[1].out, results[0].out);
      assert.deepEqual(results[1].dTable, results[0].dTable);
      assert.deepEqual(
        results[0].out.subarray(0, dim),
        table.subarray(ids[0] * dim, ids[0] * dim + dim),
      );
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
