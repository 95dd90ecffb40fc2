import type { FloatArray } from '../tensor/tensor.js';

/** Embedding lookup and its sparse gradient. */
export interface EmbeddingOps {
  /** out[i, :] = table[ids[i], :] for i < ids.length; rows have `dim` values. */
  gather(table: FloatArray, dim: number, ids: Int32Array, out: FloatArray): void;
  /** dTable[ids[i], :] += dOut[i, :]: touches only the rows that occur in ids. */
  scatterAdd(dOut: FloatArray, ids: Int32Array, dim: number, dTable: FloatArray): void;
}
