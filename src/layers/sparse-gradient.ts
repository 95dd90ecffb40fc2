import { Tensor, type FloatArray, type Shape } from '../tensor/tensor.js';

/**
 * A gradient known to be zero outside the distinct flat indices `at` (a max pooling's winners
 * when its windows do not overlap). `data` is complete, so any layer may read it densely; Conv1D
 * reads `at` to run its backward at the cost of the nonzeros (ConvOps.conv1dBackwardSparse).
 */
export class SparseGradient extends Tensor {
  constructor(
    data: FloatArray,
    shape: Shape,
    readonly at: Int32Array,
  ) {
    super(data, shape);
  }
}
