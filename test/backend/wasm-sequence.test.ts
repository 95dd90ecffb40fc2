/**
 * The wasm whole-sequence LSTM ops (one task per pass, threads splitting the batch) give exactly
 * the bits of the loop over the wasm per-step ops, on both builds, 1 and 2 threads, with every op
 * split, on arrays in wasm memory and on staged ordinary arrays.
 */
import { after, describe, test } from 'node:test';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { checkLstmSequenceOps } from './lstm-sequence-check.js';

const made: WasmBackend[] = [];
after(() => made.forEach((b) => b.close()));

describe('wasm lstmSequenceForward/Backward', () => {
  for (const simd of ['relaxed', 'plain'] as const) {
    for (const threads of [1, 2]) {
      test(`equal bit for bit to the per-step loop (${simd} SIMD, ${threads} thread(s))`, () => {
        const be = createWasmBackend({ simd, threads, parallelWork: 0, quiet: true });
        made.push(be);
        be.waitForThreads();
        checkLstmSequenceOps(be);
      });
    }
  }
});
