// Weight layouts that differ between Keras (what gated stores) and channels-first frameworks.

/** [rows, cols] row-major → its transpose [cols, rows]. */
export function transpose(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** A Conv1D kernel, Keras [kernelSize, C, F] → ONNX Conv / nn.Conv1d [F, C, kernelSize]. */
export function convKernelChannelsFirst(
  k: ArrayLike<number>,
  shape: readonly number[],
): Float32Array {
  const [size, channels, filters] = shape;
  const w = new Float32Array(filters * channels * size);
  for (let f = 0; f < filters; f++)
    for (let c = 0; c < channels; c++)
      for (let j = 0; j < size; j++)
        w[(f * channels + c) * size + j] = k[(j * channels + c) * filters + f];
  return w;
}
