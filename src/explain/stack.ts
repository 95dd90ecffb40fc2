import { Embedding } from '../layers/embedding.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor, type SequenceMask } from '../tensor/tensor.js';

/** The model's Embedding (its first layer: explain needs token ids in, vectors out). */
export function embeddingOf(model: Sequential): Embedding {
  const first = model.layers[0];
  if (!(first instanceof Embedding)) {
    throw new Error('explain: the model must start with an Embedding layer');
  }
  return first;
}

/** `rows` copies of one id row as a model input [rows, T] (ids stored as floats). */
export function repeatIds(model: Sequential, ids: Int32Array, rows: number): Tensor {
  const T = ids.length;
  const x = new Tensor(model.backend.alloc(rows * T), [rows, T]);
  for (let r = 0; r < rows; r++) x.data.set(ids, r * T);
  return x;
}

/** The embedding of one id row, [T·D] as float64, and the mask the Embedding gives `rows` copies. */
export function embed(
  model: Sequential,
  ids: Int32Array,
): { vectors: Float64Array; maskFor: (rows: number) => SequenceMask | null } {
  const embedding = embeddingOf(model);
  const y = embedding.forward(repeatIds(model, ids, 1), {
    training: false,
    mask: null,
    rng: model.rng,
  });
  const vectors = Float64Array.from(y.data);
  return {
    vectors,
    maskFor: (rows) => embedding.computeMask(repeatIds(model, ids, rows)),
  };
}

/** dL/dy for every row: 1 at `unit`, 0 elsewhere — the gradient of that output itself. */
export function unitGradient(model: Sequential, rows: number, units: number, unit: number): Tensor {
  const dy = new Tensor(model.backend.alloc(rows * units), [rows, units]);
  dy.data.fill(0);
  for (let r = 0; r < rows; r++) dy.data[r * units + unit] = 1;
  return dy;
}

/** The width of the model's output (its last axis). */
export function outputUnits(model: Sequential): number {
  const shape = model.layers.reduce((s, l) => l.outputShape(s), model.inputShape);
  if (shape.length !== 1) throw new Error('explain: the model must output one vector per text');
  return shape[0];
}
