/**
 * The reference model (Embedding → LSTM(64) → Dense(1, sigmoid), Adam, batch 64) trained from one
 * seed on synthetic reviews: what the whole-model equivalence tests of the fast backends run.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { Conv1D } from '../../src/layers/conv1d.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { LSTM } from '../../src/layers/lstm.js';
import { GlobalMaxPooling1D } from '../../src/layers/pooling.js';
import { Sequential } from '../../src/models/sequential.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

export interface ModelConfig {
  vocab: number;
  dim: number;
  steps: number;
  batches: number;
  /** Default 'lstm'; 'cnn': Conv1D(32 filters, width 5, relu) → GlobalMaxPooling1D instead. */
  encoder?: 'lstm' | 'cnn';
}

/** Trains `batches` batches of 64 synthetic reviews; returns each batch's loss and the weights. */
export function trainReferenceModel(
  backend: Backend,
  c: ModelConfig,
): { losses: number[]; weights: Float32Array[] } {
  const model = new Sequential({ seed: 7, backend });
  model.add(new Embedding({ inputDim: c.vocab, outputDim: c.dim }));
  if (c.encoder === 'cnn') {
    model.add(new Conv1D({ filters: 32, kernelSize: 5, activation: 'relu' }));
    model.add(new GlobalMaxPooling1D());
  } else {
    model.add(new LSTM({ units: 64 }));
  }
  model.add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.build([c.steps]);
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  const rng = new Rng(11);
  const x = new Tensor(backend.alloc(64 * c.steps), [64, c.steps]);
  const y = new Tensor(backend.alloc(64), [64, 1]);
  const losses: number[] = [];
  for (let b = 0; b < c.batches; b++) {
    // The label is whether the review contains more "positive" (even) ids: learnable.
    for (let i = 0; i < 64; i++) {
      let even = 0;
      for (let t = 0; t < c.steps; t++) {
        const id = 1 + Math.floor(rng.next() * (c.vocab - 1));
        x.data[i * c.steps + t] = id;
        even += id % 2 === 0 ? 1 : -1;
      }
      y.data[i] = even > 0 ? 1 : 0;
    }
    losses.push(model.trainOnBatch(x, y).loss);
  }
  return { losses, weights: model.weights().map((w) => Float32Array.from(w.value.data)) };
}

export function assertSameBits(a: Float32Array[], b: Float32Array[]): void {
  assert.equal(a.length, b.length);
  a.forEach((w, i) => {
    const [u, v] = [new Uint32Array(w.buffer), new Uint32Array(b[i].buffer)];
    const at = u.findIndex((bits, j) => bits !== v[j]);
    assert.equal(at, -1, `weight ${i} differs at ${at}: ${w[at]} vs ${b[i][at]}`);
  });
}

/** Asserts the losses follow the reference backend's to `tolerance` relative, and decrease. */
export function assertLossesAgree(got: number[], want: number[], tolerance: number): void {
  assert.ok(want[want.length - 1] < want[0], `the model learns (${want[0]} → ${want.at(-1)})`);
  got.forEach((loss, i) => {
    const rel = Math.abs(loss - want[i]) / Math.abs(want[i]);
    assert.ok(rel <= tolerance, `batch ${i}: ${loss}, reference ${want[i]} (rel ${rel})`);
  });
}
