/** Conv1D and pooling primitives. (Filled in with the convolution layers.) */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConvOps {}
