import type { RecurrentOps } from '../recurrent-ops.js';

export const referenceRecurrentOps: RecurrentOps = {};
