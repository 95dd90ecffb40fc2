import type { FloatArray } from '../tensor/tensor.js';
import type { ActivationKind } from './core-ops.js';

export type Padding = 'valid' | 'same';

/**
 * Where a 1-D sliding window (a convolution kernel or a pooling window) reads a batch-major
 * [batch, steps, channels] input. Output step t covers input steps
 * t·stride + j·dilation − padLeft for j < size; positions outside [0, steps) are padding.
 */
export interface Window1d {
  readonly batch: number;
  readonly steps: number;
  readonly channels: number;
  readonly size: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padLeft: number;
  readonly outSteps: number;
}

/**
 * Window geometry with Keras/TensorFlow padding rules. 'valid': no padding, the window must fit.
 * 'same': outSteps = ceil(steps / stride), total padding
 * max((outSteps − 1)·stride + span − steps, 0) of which the smaller half goes left.
 * `owner` names the caller in error messages.
 */
export function window1d(
  owner: string,
  batch: number,
  steps: number,
  channels: number,
  size: number,
  stride: number,
  dilation: number,
  padding: Padding,
): Window1d {
  if (steps < 1) throw new Error(`${owner}: input has no timesteps`);
  const span = (size - 1) * dilation + 1;
  if (padding === 'valid') {
    if (steps < span) {
      throw new Error(
        `${owner}: input of ${steps} steps is shorter than the window span ${span} ` +
          `(size ${size}, dilation ${dilation}) with padding 'valid'`,
      );
    }
    const outSteps = Math.floor((steps - span) / stride) + 1;
    return { batch, steps, channels, size, stride, dilation, padLeft: 0, outSteps };
  }
  const outSteps = Math.ceil(steps / stride);
  const total = Math.max((outSteps - 1) * stride + span - steps, 0);
  return {
    batch,
    steps,
    channels,
    size,
    stride,
    dilation,
    padLeft: Math.floor(total / 2),
    outSteps,
  };
}

/**
 * A Conv1D's output gradient dy [batch·outSteps, filters] where it is zero except at the `count`
 * flat indices `at` (each listed once: a max pooling's winners), with the output y of its
 * activation `kind`.
 */
export interface SparseConvOutput {
  readonly kind: ActivationKind;
  readonly y: FloatArray;
  readonly dy: FloatArray;
  readonly at: Int32Array;
  readonly count: number;
}

/** What a Conv1D's backward adds to (dKernel, dBias or null) and writes (dx). */
export interface ConvGradients {
  readonly dKernel: FloatArray;
  readonly dBias: FloatArray | null;
  readonly dx: FloatArray;
}

/** Conv1D (as im2col + GEMM) and pooling primitives over [batch, steps, channels] arrays. */
export interface ConvOps {
  /**
   * Unfolds the windows of x into rows: cols[(b·outSteps + t), (j·channels + c)] =
   * x[b, t·stride + j·dilation − padLeft, c], 0 in the padding. cols is
   * (batch·outSteps) × (size·channels), so cols · kernel[size·channels, filters] is the
   * convolution with a Keras-layout kernel [size, channels, filters].
   */
  im2col1d(x: FloatArray, w: Window1d, cols: FloatArray): void;
  /** The transpose of im2col1d: dx = 0, then every entry of dCols is added to its input position. */
  col2im1d(dCols: FloatArray, w: Window1d, dx: FloatArray): void;
  /**
   * y[b, t, c] = max of x over the window (padding never wins); argmax[b, t, c] = flat index
   * into x of the first maximum. y and argmax hold batch·outSteps·channels values.
   */
  maxPool1d(x: FloatArray, w: Window1d, y: FloatArray, argmax: Int32Array): void;
  /** dx = 0, then dx[argmax[i]] += dy[i]: overlapping windows accumulate. */
  maxPool1dBackward(dy: FloatArray, argmax: Int32Array, w: Window1d, dx: FloatArray): void;
  /**
   * Conv1D's backward when its output gradient is sparse (out: SparseConvOutput), at the cost of
   * count·size·channels instead of three GEMMs over every output. With g = dy·f'(y) at each
   * listed index (f = out.kind, not softmax; y the activation's output, as activationBackward):
   * per filter f, s = Σ g·(its im2col row of x) and σ = Σ g over the entries of f in list order,
   * from 0; then grads.dKernel[:, f] += s and grads.dBias[f] += σ (dBias null: no bias).
   * grads.dx (the input gradient, [batch, steps, channels]) = 0, then every entry in list order
   * adds g·kernel[j, :, f] at each of its window's input steps j (kernel [size, channels,
   * filters]). The dense path's values up to the order of rounding.
   */
  conv1dBackwardSparse(
    out: SparseConvOutput,
    x: FloatArray,
    w: Window1d,
    kernel: FloatArray,
    filters: number,
    grads: ConvGradients,
  ): void;
  /**
   * y[b, c] = mean of x[b, t, c] over the steps t with mask[b, t] ≠ 0 (all steps when mask is
   * null); 0 for a row with no unmasked step.
   */
  globalAvgPool1d(
    x: FloatArray,
    batch: number,
    steps: number,
    channels: number,
    mask: Uint8Array | null,
    y: FloatArray,
  ): void;
  /** dx[b, t, c] = dy[b, c] / (unmasked steps of row b), 0 at masked steps. */
  globalAvgPool1dBackward(
    dy: FloatArray,
    batch: number,
    steps: number,
    channels: number,
    mask: Uint8Array | null,
    dx: FloatArray,
  ): void;
}
