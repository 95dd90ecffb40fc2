import type { ConvOps } from '../conv-ops.js';

export const referenceConvOps: ConvOps = {};
