import type { EmbeddingOps } from '../embedding-ops.js';

export const referenceEmbeddingOps: EmbeddingOps = {
  gather(table, dim, ids, out) {
    for (let i = 0; i < ids.length; i++) {
      out.set(table.subarray(ids[i] * dim, ids[i] * dim + dim), i * dim);
    }
  },

  scatterAdd(dOut, ids, dim, dTable) {
    for (let i = 0; i < ids.length; i++) {
      const row = ids[i] * dim;
      const src = i * dim;
      for (let d = 0; d < dim; d++) dTable[row + d] += dOut[src + d];
    }
  },
};
