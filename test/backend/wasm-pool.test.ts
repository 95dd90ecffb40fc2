/**
 * The wasm thread pool's claim protocol, its stall watchdog, and a bounded stress run under
 * deliberate preemption (more busy processes than cores, thousands of tiny tasks whose part
 * counts alternate), bit-compared with one thread.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { claimPart, claimView, claimWord } from '../../src/backend/wasm/claim.js';
import { TASK } from '../../src/backend/kernel-codes.js';
import { CTRL } from '../../src/backend/wasm/codes.js';
import type { Kernels } from '../../src/backend/wasm/kernels.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { ThreadPool } from '../../src/backend/wasm/pool.js';
import { Rng } from '../../src/random/rng.js';
import { matrix } from '../../src/backend/core-ops.js';

function sharedClaim(): BigInt64Array {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  return claimView(memory.buffer, 0);
}

describe('claim word', () => {
  test('a thread holding a finished task cannot claim in the next one, whatever its part count', () => {
    const claim = sharedClaim();
    // Task 7 had 2 parts, both taken; task 8 has 8. The old protocol read the count from a
    // separate slot, so a helper still on task 7 saw "2 < 8" and claimed part 2 of task 7.
    Atomics.store(claim, 0, claimWord(7, 2, 2));
    assert.equal(claimPart(claim, 7), -1);
    Atomics.store(claim, 0, claimWord(8, 8, 0));
    assert.equal(claimPart(claim, 7), -1);
    assert.equal(claimPart(claim, 8), (8 << 16) | 0);
    assert.equal(claimPart(claim, 8), (8 << 16) | 1);
  });

  test('tags do not alias after 2^15 tasks (the old 15-bit tag did)', () => {
    const claim = sharedClaim();
    Atomics.store(claim, 0, claimWord(5 + 0x8000, 4, 0));
    assert.equal(claimPart(claim, 5), -1);
    assert.equal(claimPart(claim, 5 + 0x8000), 4 << 16);
  });

  test('hands out each part exactly once, then none', () => {
    const claim = sharedClaim();
    Atomics.store(claim, 0, claimWord(0x7fffffff, 3, 0));
    const got = [0, 1, 2, 3].map(() => claimPart(claim, 0x7fffffff));
    assert.deepEqual(got, [3 << 16, (3 << 16) | 1, (3 << 16) | 2, -1]);
  });
});

test('a part that never finishes becomes an error naming the op, and the pool refuses more work', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const ctrl = new Int32Array(memory.buffer, 0, CTRL.size);
  let stolen = false;
  // A "helper" that claims a part and dies with it: the caller runs the other parts and waits.
  const kernels = {
    runTask() {
      if (stolen) return;
      stolen = true;
      assert.ok(claimPart(claimView(memory.buffer, 0), Atomics.load(ctrl, CTRL.seq)) >= 0);
    },
  } as unknown as Kernels;
  const spawnDead = () => ({ terminate() {} });
  const pool = new ThreadPool(kernels, memory, 0, 256, [1024, 2048], true, 10, 0, spawnDead, 300);
  assert.throws(() => pool.run(1, 2, TASK.adam), /task adam stalled with 3 of 4 parts done/);
  assert.throws(() => pool.run(1, 1, TASK.gemm), /task adam stalled/);
});

describe('stress under preemption', () => {
  const busy: ChildProcess[] = [];
  const made: WasmBackend[] = [];
  after(() => {
    busy.forEach((p) => p.kill('SIGKILL'));
    made.forEach((b) => b.close());
  });

  test('thousands of tiny tasks with alternating part counts, 3 threads, 4 busy processes', () => {
    for (let i = 0; i < 4; i++) {
      busy.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    }
    const options = { parallelWork: 0, quiet: true, stallMs: 30_000, oversubscribe: true } as const;
    const one = createWasmBackend({ ...options, threads: 1 });
    const three = createWasmBackend({ ...options, threads: 3 });
    made.push(one, three);
    three.waitForThreads();
    const rng = new Rng(17);
    const a = Float32Array.from({ length: 12 * 8 }, () => rng.uniform(-1, 1));
    const b = Float32Array.from({ length: 8 * 16 }, () => rng.uniform(-1, 1));
    const grad = Float32Array.from({ length: 200 }, () => rng.uniform(-1, 1));
    const state = (be: WasmBackend) => ({
      be,
      c: be.alloc(12 * 16),
      w: be.alloc(200),
      m: be.alloc(200),
      v: be.alloc(200),
    });
    const runs = [state(one), state(three)];
    const clip = { scale: 1, clipValue: Infinity };
    const step = { alpha: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    // Bounded by count, not time: ~4,000 hand-offs, a GEMM (1 part per thread) then Adam (4).
    for (let i = 0; i < 2000; i++) {
      for (const { be, c, w, m, v } of runs) {
        be.gemm(matrix(a, 12, 8), matrix(b, 8, 16), matrix(c, 12, 16), 1);
        grad[i % 200] = c[i % 192];
        be.adamUpdate(w, grad, 200, clip, step, m, v);
      }
    }
    assert.deepEqual(runs[1].c, runs[0].c);
    assert.deepEqual(runs[1].w, runs[0].w);
    assert.deepEqual(runs[1].v, runs[0].v);
  });
});
