import type { FloatArray } from '../tensor/tensor.js';

/** How an embedding bag combines the rows of its ids (PyTorch's EmbeddingBag modes). */
export const EMBEDDING_BAG_MODES = ['sum', 'mean'] as const;
export type EmbeddingBagMode = (typeof EMBEDDING_BAG_MODES)[number];

/** Embedding lookup and its sparse gradient. */
export interface EmbeddingOps {
  /** out[i, :] = table[ids[i], :] for i < ids.length; rows have `dim` values. */
  gather(table: FloatArray, dim: number, ids: Int32Array, out: FloatArray): void;
  /** dTable[ids[i], :] += dOut[i, :]: touches only the rows that occur in ids. */
  scatterAdd(dOut: FloatArray, ids: Int32Array, dim: number, dTable: FloatArray): void;
  /**
   * Bags in CSR form: bag b holds ids[offsets[b] .. offsets[b + 1]) (offsets.length − 1 bags;
   * offsets start at 0, end at ids.length and never decrease); weights (null: all 1) has one value
   * per id. out[b, :] = Σ_j w_j · table[ids[j], :] over bag b's ids (w_j = weights[j] or 1), divided by
   * the bag's id count in 'mean' mode (an empty bag gives 0): a Dense layer over a sparse
   * (weighted) multi-hot row, at the cost of its non-zeros.
   */
  embeddingBag(
    table: FloatArray,
    dim: number,
    ids: Int32Array,
    offsets: Int32Array,
    weights: FloatArray | null,
    mode: EmbeddingBagMode,
    out: FloatArray,
  ): void;
  /**
   * The gradient of embeddingBag: dTable[ids[j], :] += w_j (÷ count in 'mean') · dOut[b, :] for
   * each id j of bag b; touches only the rows that occur in ids.
   */
  embeddingBagBackward(
    dOut: FloatArray,
    ids: Int32Array,
    offsets: Int32Array,
    weights: FloatArray | null,
    mode: EmbeddingBagMode,
    dim: number,
    dTable: FloatArray,
  ): void;
}
