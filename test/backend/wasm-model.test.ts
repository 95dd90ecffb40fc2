/**
 * The reference model trained from one seed on the wasm backend follows the reference backend,
 * and the thread count changes no bit (both kernel builds).
 */
import { after, describe, test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import type { WasmOptions } from '../../src/backend/wasm/options.js';
import {
  assertLossesAgree,
  assertSameBits,
  trainReferenceModel,
  type ModelConfig,
} from '../helpers/reference-model.js';

const made: WasmBackend[] = [];
function wasm(options: WasmOptions): WasmBackend {
  const backend = createWasmBackend({ quiet: true, ...options });
  backend.waitForThreads();
  made.push(backend);
  return backend;
}
after(() => made.forEach((b) => b.close()));

describe('wasm backend trains the reference model', () => {
  const small: ModelConfig = { vocab: 500, dim: 32, steps: 24, batches: 20 };
  let wanted: number[] | null = null;
  const want = () =>
    (wanted ??= trainReferenceModel(createReferenceBackend('float32'), small).losses);

  for (const simd of ['relaxed', 'plain'] as const) {
    test(`${simd} SIMD, 20 batches: losses agree with the reference backend to 1e-4`, () => {
      assertLossesAgree(trainReferenceModel(wasm({ simd }), small).losses, want(), 1e-4);
    });

    test(`${simd} SIMD: 1 and 2 threads give bit-identical weights, every op split`, () => {
      const one = trainReferenceModel(wasm({ simd, threads: 1 }), small);
      const two = trainReferenceModel(wasm({ simd, threads: 2, parallelWork: 0 }), small);
      assertSameBits(one.weights, two.weights);
    });
  }

  test('CNN: losses agree with the reference backend, and 1 and 2 threads give the same bits', () => {
    const cnn: ModelConfig = { ...small, steps: 60, encoder: 'cnn' };
    const want = trainReferenceModel(createReferenceBackend('float32'), cnn).losses;
    const one = trainReferenceModel(wasm({ threads: 1 }), cnn);
    assertLossesAgree(one.losses, want, 1e-4);
    const two = trainReferenceModel(wasm({ threads: 2, parallelWork: 0 }), cnn);
    assertSameBits(one.weights, two.weights);
  });

  test('1 and 2 threads give bit-identical weights at the seed shapes', () => {
    const seed: ModelConfig = { vocab: 10000, dim: 128, steps: 200, batches: 2 };
    const one = trainReferenceModel(wasm({ threads: 1 }), seed);
    const two = trainReferenceModel(wasm({ threads: 2 }), seed);
    assertSameBits(one.weights, two.weights);
  });
});
