import type { Backend } from '../backend/backend.js';
import { ACTIVATIONS, matrix, type ActivationKind } from '../backend/core-ops.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type FloatArray, type Shape } from '../tensor/tensor.js';
import {
  boolean,
  checkKeys,
  createParam,
  layerLabel,
  oneOf,
  optionalName,
  positiveInt,
} from './common.js';
import { glorotUniform } from './initializers.js';
import { Layer, type ForwardContext, type LayerConfig, type Param } from './layer.js';
import { Workspace } from './workspace.js';

/**
 * y = f(x·W + b) over the rows of x: Dense on its last axis and Conv1D on its im2col rows are
 * the same computation, so both delegate here. W is [inDim, units] in memory whatever its
 * declared shape (Conv1D's [kernelSize, channels, filters] is that layout). Keeps x and y of
 * the last forward for backward; y and dx are reused buffers, valid until the next call.
 */
export class Affine {
  readonly kernel: Param;
  readonly bias: Param | null;
  private readonly inDim: number;
  private readonly units: number;
  private x: FloatArray | null = null;
  private y: FloatArray | null = null;
  private rows = 0;
  private readonly ws: Workspace;

  constructor(
    private readonly backend: Backend,
    kernelShape: Shape,
    useBias: boolean,
    private readonly activation: ActivationKind,
    fanIn: number,
    fanOut: number,
    rng: Rng,
  ) {
    this.units = kernelShape[kernelShape.length - 1];
    this.inDim = kernelShape.slice(0, -1).reduce((a, b) => a * b, 1);
    this.kernel = createParam(backend, 'kernel', kernelShape);
    glorotUniform(this.kernel.value.data, fanIn, fanOut, rng);
    this.bias = useBias ? createParam(backend, 'bias', [this.units]) : null;
    this.ws = new Workspace(backend);
  }

  params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  /** x is rows × inDim; returns rows × units. */
  forward(x: FloatArray, rows: number): FloatArray {
    const { backend, inDim, units } = this;
    const y = this.ws.get('y', rows * units);
    backend.gemm(
      matrix(x, rows, inDim),
      matrix(this.kernel.value.data, inDim, units),
      matrix(y, rows, units),
      0,
    );
    this.activate(y, rows);
    this.x = x;
    return y;
  }

  /** The buffer forward writes x·W into (rows × units): for a caller that computes it itself. */
  productBuffer(rows: number): FloatArray {
    return this.ws.get('y', rows * this.units);
  }

  /**
   * Finishes a forward whose x·W the caller wrote into productBuffer(rows): bias and activation
   * in place. backward then needs the input rows passed to it.
   */
  activate(y: FloatArray, rows: number): FloatArray {
    const { backend, units } = this;
    if (this.bias) backend.addRowVector(y, rows, units, this.bias.value.data);
    backend.activation(this.activation, y, y, rows * units, units);
    this.x = null;
    this.y = y;
    this.rows = rows;
    return y;
  }

  /** The last forward's output f(x·W + b), rows × units (valid until the next forward). */
  get output(): FloatArray {
    if (this.y === null) throw new Error('output read before forward');
    return this.y;
  }

  /**
   * Accumulates dW and db from dy (rows × units) and returns dx (rows × inDim). `x`: the input
   * rows, when the forward was finished by activate (default: those forward kept).
   */
  backward(dy: FloatArray, x = this.x): FloatArray {
    const { backend, inDim, units, rows, y } = this;
    if (x === null || y === null) throw new Error('backward called before forward');
    let dz = dy;
    if (this.activation !== 'linear') {
      // Not in place: dy belongs to the caller.
      dz = this.ws.get('dz', rows * units);
      backend.activationBackward(this.activation, y, dy, dz, rows * units, units);
    }
    backend.gemm(
      matrix(x, rows, inDim, { transposed: true }),
      matrix(dz, rows, units),
      matrix(this.kernel.grad.data, inDim, units),
      1,
    );
    if (this.bias) backend.sumRows(dz, rows, units, this.bias.grad.data, 1);
    const dx = this.ws.get('dx', rows * inDim);
    backend.gemm(
      matrix(dz, rows, units),
      matrix(this.kernel.value.data, inDim, units, { transposed: true }),
      matrix(dx, rows, inDim),
      0,
    );
    return dx;
  }
}

export interface DenseOptions {
  units: number;
  /** Default 'linear'. 'softmax' normalises over the last axis. */
  activation?: ActivationKind;
  /** Default true. */
  useBias?: boolean;
  name?: string;
}

/**
 * Keras Dense: y = activation(x·kernel + bias) on the last axis, so it takes [B, D] or
 * [B, T, D] (applied at every step; a mask passes through). kernel [D, units] glorot_uniform,
 * bias zeros.
 */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationKind;
  readonly useBias: boolean;
  private affine: Affine | null = null;
  private inputShapeSeen: Shape = [];

  constructor(options: DenseOptions) {
    checkKeys('Dense', options, ['units', 'activation', 'useBias', 'name']);
    super(optionalName('Dense', options.name));
    this.units = positiveInt('Dense', 'units', options.units);
    this.activation = oneOf('Dense', 'activation', options.activation ?? 'linear', ACTIVATIONS);
    this.useBias = boolean('Dense', 'useBias', options.useBias ?? true);
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    super.build(inputShape, backend, rng);
    const inDim = positiveInt(layerLabel(this), 'input size', inputShape[inputShape.length - 1]);
    this.affine = new Affine(
      backend,
      [inDim, this.units],
      this.useBias,
      this.activation,
      inDim,
      this.units,
      rng,
    );
  }

  outputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const affine = this.builtAffine();
    const inDim = this.inputShape[this.inputShape.length - 1];
    if (x.shape.length < 2 || x.shape[x.shape.length - 1] !== inDim) {
      throw new Error(
        `${layerLabel(this)}: expected input [batch, ..., ${inDim}], got [${x.shape.join(', ')}]`,
      );
    }
    this.inputShapeSeen = x.shape;
    const y = affine.forward(x.data, x.size / inDim);
    return new Tensor(y, this.outputShape(x.shape));
  }

  backward(dy: Tensor): Tensor {
    return new Tensor(this.builtAffine().backward(dy.data), this.inputShapeSeen);
  }

  override params(): Param[] {
    return this.affine ? this.affine.params() : [];
  }

  getConfig(): LayerConfig {
    return {
      name: this.name,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
    } satisfies DenseOptions;
  }

  private builtAffine(): Affine {
    if (this.affine === null) throw new Error(`${layerLabel(this)} is not built yet`);
    return this.affine;
  }
}
