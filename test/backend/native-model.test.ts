/**
 * The reference model (Embedding → LSTM(64) → Dense(1, sigmoid), Adam, batch 64), and the same
 * with a text CNN for the LSTM, trained from one seed on the native backend follows the reference
 * backend, and the thread count changes no bit.
 */
import { describe, test } from 'node:test';
import { createNativeBackend, loadNativeAddon } from '../../src/backend/native/index.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import {
  assertLossesAgree,
  assertSameBits,
  trainReferenceModel,
  type ModelConfig,
} from '../helpers/reference-model.js';

const { addon, error } = loadNativeAddon();

describe(
  'native backend trains the reference model',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    const small: ModelConfig = { vocab: 500, dim: 32, steps: 24, batches: 20 };
    // And the text CNN: its forward reads the input's windows in place, its backward runs at the
    // cost of the max pooling's winners (conv1dBackwardSparse).
    const cnn: ModelConfig = { ...small, steps: 60, encoder: 'cnn' };

    for (const [label, config] of [
      ['LSTM', small],
      ['CNN', cnn],
    ] as const) {
      test(`${label}, 20 batches: losses agree with the reference backend to 1e-4 relative`, () => {
        const want = trainReferenceModel(createReferenceBackend('float32'), config).losses;
        const got = trainReferenceModel(createNativeBackend(), config).losses;
        assertLossesAgree(got, want, 1e-4);
      });

      test(`${label}: 1 and 2 threads give bit-identical weights, with every op split`, () => {
        const one = trainReferenceModel(
          createNativeBackend({ threads: 1, parallelWork: 0 }),
          config,
        );
        const two = trainReferenceModel(
          createNativeBackend({ threads: 2, parallelWork: 0 }),
          config,
        );
        assertSameBits(one.weights, two.weights);
      });
    }

    test('1 and 2 threads give bit-identical weights at the seed shapes (default splitting)', () => {
      const seed: ModelConfig = { vocab: 10000, dim: 128, steps: 200, batches: 3 };
      const one = trainReferenceModel(createNativeBackend({ threads: 1 }), seed);
      const two = trainReferenceModel(createNativeBackend({ threads: 2 }), seed);
      assertSameBits(one.weights, two.weights);
    });
  },
);
