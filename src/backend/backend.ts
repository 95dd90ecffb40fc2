import type { DType, FloatArray } from '../tensor/tensor.js';
import type { ConvOps } from './conv-ops.js';
import type { CoreOps } from './core-ops.js';
import type { EmbeddingOps } from './embedding-ops.js';
import type { OptimizerOps } from './optimizer-ops.js';
import type { RecurrentOps } from './recurrent-ops.js';

/**
 * The op set every backend implements. Layers call only these; a backend knows nothing of layers.
 * Each group lives in its own file so a fast backend can be written (and tested) group by group.
 * Arrays are row-major; offsets and leading dimensions let an op read a slice (one timestep of a
 * [batch, steps, features] array) without copying.
 */
export interface Backend extends CoreOps, EmbeddingOps, RecurrentOps, ConvOps, OptimizerOps {
  readonly name: string;
  readonly dtype: DType;
  /** A zero-filled array of this backend's dtype. */
  alloc(length: number): FloatArray;
}
