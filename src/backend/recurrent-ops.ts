/** Fused pointwise kernels of the recurrent cells. (Filled in with the recurrent layers.) */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RecurrentOps {}
