/**
 * The native whole-sequence LSTM ops (one call per pass, threads splitting the batch) give
 * exactly the bits of the loop over the native per-step ops that defines them, with masks,
 * recurrent dropout and odd sizes, on 1 and 2 threads; and the LSTM layer's inference through
 * lstmSequenceLast gives its training forward's bits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNativeBackend, loadNativeAddon } from '../../src/backend/native/index.js';
import { LSTM } from '../../src/layers/lstm.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLstmSequenceLast, checkLstmSequenceOps } from './lstm-sequence-check.js';

const { addon, error } = loadNativeAddon();

describe(
  'native lstmSequenceForward/Backward/Last',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    for (const threads of [1, 2]) {
      test(`equal bit for bit to the per-step loop (${threads} thread${threads > 1 ? 's' : ''}, every op split)`, () => {
        checkLstmSequenceOps(createNativeBackend({ threads, parallelWork: 0 }));
      });
      test(`lstmSequenceLast equal bit for bit to the training path's ops (${threads} thread${threads > 1 ? 's' : ''}, every op split)`, () => {
        checkLstmSequenceLast(createNativeBackend({ threads, parallelWork: 0 }));
      });
    }
  },
);

describe(
  'native LSTM inference',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    test('the last state through lstmSequenceLast equals the training forward bit for bit', () => {
      const be = createNativeBackend({ threads: 2, parallelWork: 0 });
      const [B, T, D] = [9, 7, 5];
      const rng = new Rng(3);
      const x = new Tensor(
        Float32Array.from({ length: B * T * D }, () => rng.next() * 2 - 1),
        [B, T, D],
      );
      const mask = {
        data: Uint8Array.from({ length: B * T }, () => (rng.next() < 0.3 ? 0 : 1)),
        batch: B,
        steps: T,
      };
      for (const goBackwards of [false, true]) {
        const lstm = new LSTM({ units: 11, goBackwards });
        lstm.build([T, D], be, new Rng(4));
        for (const m of [null, mask]) {
          const ctx = { mask: m, rng: new Rng(0) };
          const train = Float32Array.from(lstm.forward(x, { ...ctx, training: true }).data);
          const infer = lstm.forward(x, { ...ctx, training: false }).data;
          assert.deepEqual(infer, train);
        }
      }
    });
  },
);
