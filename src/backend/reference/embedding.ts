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

  embeddingBag(table, dim, ids, offsets, weights, mode, out) {
    for (let b = 0; b + 1 < offsets.length; b++) {
      const dst = b * dim;
      out.fill(0, dst, dst + dim);
      for (let j = offsets[b]; j < offsets[b + 1]; j++) {
        const w = weights === null ? 1 : weights[j];
        const row = ids[j] * dim;
        for (let d = 0; d < dim; d++) out[dst + d] += w * table[row + d];
      }
      const count = offsets[b + 1] - offsets[b];
      if (mode === 'mean' && count > 0) for (let d = 0; d < dim; d++) out[dst + d] /= count;
    }
  },

  embeddingBagBackward(dOut, ids, offsets, weights, mode, dim, dTable) {
    for (let b = 0; b + 1 < offsets.length; b++) {
      const count = offsets[b + 1] - offsets[b];
      const src = b * dim;
      for (let j = offsets[b]; j < offsets[b + 1]; j++) {
        const w = (weights === null ? 1 : weights[j]) / (mode === 'mean' ? count : 1);
        const row = ids[j] * dim;
        for (let d = 0; d < dim; d++) dTable[row + d] += w * dOut[src + d];
      }
    }
  },
};
