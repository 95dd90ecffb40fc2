/**
 * The native whole-sequence LSTM ops (one call per pass, threads splitting the batch) give
 * exactly the bits of the loop over the native per-step ops that defines them, with masks,
 * recurrent dropout and odd sizes, on 1 and 2 threads.
 */
import { describe, test } from 'node:test';
import { createNativeBackend, loadNativeAddon } from '../../src/backend/native/index.js';
import { checkLstmSequenceOps } from './lstm-sequence-check.js';

const { addon, error } = loadNativeAddon();

describe(
  'native lstmSequenceForward/Backward',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    for (const threads of [1, 2]) {
      test(`equal bit for bit to the per-step loop (${threads} thread${threads > 1 ? 's' : ''}, every op split)`, () => {
        checkLstmSequenceOps(createNativeBackend({ threads, parallelWork: 0 }));
      });
    }
  },
);
