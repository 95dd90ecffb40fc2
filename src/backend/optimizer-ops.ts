/** Fused optimizer updates, one call per parameter tensor. (Filled in with the optimizers.) */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OptimizerOps {}
