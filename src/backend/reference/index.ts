import { floatArray, type DType } from '../../tensor/tensor.js';
import type { Backend } from '../backend.js';
import { withArgumentChecks } from '../checks/index.js';
import { referenceConvOps } from './conv.js';
import { referenceCoreOps } from './core.js';
import { referenceEmbeddingOps } from './embedding.js';
import { referenceOptimizerOps } from './optimizer.js';
import { referenceRecurrentOps } from './recurrent.js';
import { sequenceLastByTrainingPath } from './sequence.js';

/**
 * The reference backend: float32 for normal use, float64 for gradient checks against finite
 * differences. Arguments are checked as on every backend (../checks).
 */
export function createReferenceBackend(dtype: DType = 'float32'): Backend {
  const ops = {
    name: 'reference',
    dtype,
    alloc: (length: number) => floatArray(dtype, length),
    ...referenceCoreOps,
    ...referenceEmbeddingOps,
    ...referenceRecurrentOps,
    ...referenceConvOps,
    ...referenceOptimizerOps,
  };
  return withArgumentChecks({
    ...ops,
    sequenceLast: (...args) => sequenceLastByTrainingPath(ops, ...args),
  });
}
