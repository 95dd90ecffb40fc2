import type { Backend } from '../backend/backend.js';
import { ACTIVATIONS, matrix, type ActivationKind } from '../backend/core-ops.js';
import { window1d, type Padding, type Window1d } from '../backend/conv-ops.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type FloatArray, type SequenceMask, type Shape } from '../tensor/tensor.js';
import {
  boolean,
  checkKeys,
  checkSequenceInput,
  layerLabel,
  oneOf,
  optionalName,
  positiveInt,
} from './common.js';
import { Affine } from './dense.js';
import { Layer, type ForwardContext, type LayerConfig, type Param } from './layer.js';
import { SparseGradient } from './sparse-gradient.js';

/**
 * Whether the GEMM can read the input's windows in place: stride 1, dilation 1, no padding
 * (each window is size·channels consecutive values of x).
 */
function readsInPlace(w: Window1d): boolean {
  return (
    w.stride === 1 && w.dilation === 1 && w.padLeft === 0 && w.outSteps === w.steps - w.size + 1
  );
}

export const PADDINGS: readonly Padding[] = ['valid', 'same'];

/** Conv1D's backward goes sparse when at most 1 in SPARSE_FRACTION gradient values is nonzero. */
const SPARSE_FRACTION = 16;

export interface Conv1DOptions {
  filters: number;
  kernelSize: number;
  /** Default 1. */
  strides?: number;
  /** Default 'valid'. 'same' pads like Keras/TensorFlow (the smaller half on the left). */
  padding?: Padding;
  /** Default 1. */
  dilationRate?: number;
  /** Default 'linear'. */
  activation?: ActivationKind;
  /** Default true. */
  useBias?: boolean;
  name?: string;
}

/**
 * Keras Conv1D on [B, T, C] (channels last): im2col turns every output step's receptive field
 * into a row, then one GEMM with the [kernelSize, C, filters] kernel (Keras layout) does the
 * convolution. kernel glorot_uniform with fanIn = kernelSize·C, fanOut = kernelSize·filters.
 * Unlike Keras, strides > 1 together with dilationRate > 1 is allowed (the geometry is well
 * defined). Like Keras, the output carries no mask.
 */
export class Conv1D extends Layer {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding;
  readonly dilationRate: number;
  readonly activation: ActivationKind;
  readonly useBias: boolean;
  private affine: Affine | null = null;
  private window: Window1d | null = null;
  private input: FloatArray | null = null;
  /** Whether the last forward read its input in place (no im2col rows kept). */
  private inPlace = false;

  constructor(options: Conv1DOptions) {
    checkKeys('Conv1D', options, [
      'filters',
      'kernelSize',
      'strides',
      'padding',
      'dilationRate',
      'activation',
      'useBias',
      'name',
    ]);
    super(optionalName('Conv1D', options.name));
    this.filters = positiveInt('Conv1D', 'filters', options.filters);
    this.kernelSize = positiveInt('Conv1D', 'kernelSize', options.kernelSize);
    this.strides = positiveInt('Conv1D', 'strides', options.strides ?? 1);
    this.padding = oneOf('Conv1D', 'padding', options.padding ?? 'valid', PADDINGS);
    this.dilationRate = positiveInt('Conv1D', 'dilationRate', options.dilationRate ?? 1);
    this.activation = oneOf('Conv1D', 'activation', options.activation ?? 'linear', ACTIVATIONS);
    this.useBias = boolean('Conv1D', 'useBias', options.useBias ?? true);
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    if (inputShape.length !== 2) {
      throw new Error(
        `${layerLabel(this)}: expected input shape [steps, channels], got [${inputShape.join(', ')}]`,
      );
    }
    super.build(inputShape, backend, rng);
    const channels = positiveInt(layerLabel(this), 'input channels', inputShape[1]);
    const { kernelSize: k, filters } = this;
    this.affine = new Affine(
      backend,
      [k, channels, filters],
      this.useBias,
      this.activation,
      k * channels,
      k * filters,
      rng,
    );
  }

  outputShape(inputShape: Shape): Shape {
    const [steps, channels] = inputShape;
    return [this.geometry(1, steps, channels).outSteps, this.filters];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const affine = this.builtAffine();
    const channels = this.inputShape[1];
    checkSequenceInput(this, x, channels);
    const w = this.geometry(x.shape[0], x.shape[1], channels);
    const rows = w.batch * w.outSteps;
    this.window = w;
    this.input = x.data;
    this.inPlace = false;
    const shape = [w.batch, w.outSteps, this.filters];
    if (!readsInPlace(w)) return new Tensor(affine.forward(this.im2col(x.data, w), rows), shape);
    // Row t of sample b's im2col matrix is the size·channels values from x[b, t, 0]: one GEMM
    // reads x in place with lda = channels over all batch·steps − size + 1 window starts (the
    // size − 1 starting near a sample's end straddle two samples), then each sample's valid
    // rows are copied out. No 5× copy of the input, and the GEMM streams x instead of it.
    const { batch, steps, outSteps, size } = w;
    const { filters } = this;
    const starts = batch * steps - size + 1;
    const all = this.ws.get('windows', starts * filters);
    const kernel = affine.kernel.value.data;
    const k = size * channels;
    this.backend.gemm(
      matrix(x.data, starts, k, { stride: channels }),
      matrix(kernel, k, filters),
      matrix(all, starts, filters),
      0,
    );
    const y = affine.productBuffer(rows);
    for (let b = 0; b < batch; b++) {
      y.set(
        all.subarray(b * steps * filters, (b * steps + outSteps) * filters),
        b * outSteps * filters,
      );
    }
    this.inPlace = true;
    return new Tensor(affine.activate(y, rows), shape);
  }

  /** The input's windows as im2col rows (in the layer's buffer). */
  private im2col(x: FloatArray, w: Window1d): FloatArray {
    const cols = this.ws.get('cols', w.batch * w.outSteps * w.size * w.channels);
    this.backend.im2col1d(x, w, cols);
    return cols;
  }

  backward(dy: Tensor): Tensor {
    const { window: w, input } = this;
    if (w === null || input === null) {
      throw new Error(`${layerLabel(this)}: backward called before forward`);
    }
    const affine = this.builtAffine();
    const dx = this.ws.get('dx', w.batch * w.steps * w.channels);
    if (this.sparseEnough(dy)) {
      const { kernel, bias } = affine;
      const out = {
        kind: this.activation,
        y: affine.output,
        dy: dy.data,
        at: dy.at,
        count: dy.at.length,
      };
      const dBias = bias === null ? null : bias.grad.data;
      const grads = { dKernel: kernel.grad.data, dBias, dx };
      this.backend.conv1dBackwardSparse(out, input, w, kernel.value.data, this.filters, grads);
    } else {
      // After an in-place forward the im2col rows are made now, for the dense path only.
      const cols = this.inPlace ? this.im2col(input, w) : undefined;
      this.backend.col2im1d(affine.backward(dy.data, cols), w, dx);
    }
    return new Tensor(dx, [w.batch, w.steps, w.channels]);
  }

  /**
   * Whether dy's nonzeros are few enough for the sparse backward: under a sixteenth of dy (a
   * global max pooling leaves one per filter and sample: 1/196 at the seed shape). Softmax
   * couples a row, so its derivative is not elementwise.
   */
  private sparseEnough(dy: Tensor): dy is SparseGradient {
    return (
      dy instanceof SparseGradient &&
      this.activation !== 'softmax' &&
      dy.at.length * SPARSE_FRACTION <= dy.size
    );
  }

  override computeMask(): SequenceMask | null {
    return null;
  }

  override params(): Param[] {
    return this.affine ? this.affine.params() : [];
  }

  getConfig(): LayerConfig {
    return {
      name: this.name,
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
    } satisfies Conv1DOptions;
  }

  private geometry(batch: number, steps: number, channels: number): Window1d {
    const { kernelSize, strides, dilationRate, padding } = this;
    return window1d(
      layerLabel(this),
      batch,
      steps,
      channels,
      kernelSize,
      strides,
      dilationRate,
      padding,
    );
  }

  private builtAffine(): Affine {
    if (this.affine === null) throw new Error(`${layerLabel(this)} is not built yet`);
    return this.affine;
  }
}
