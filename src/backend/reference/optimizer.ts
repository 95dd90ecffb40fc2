import type { OptimizerOps } from '../optimizer-ops.js';

export const referenceOptimizerOps: OptimizerOps = {};
