import type { Backend } from '../backend/backend.js';
import { ACTIVATIONS, type ActivationKind } from '../backend/core-ops.js';
import { EMBEDDING_BAG_MODES, type EmbeddingBagMode } from '../backend/embedding-ops.js';
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
import {
  Layer,
  type FixedWeight,
  type ForwardContext,
  type LayerConfig,
  type Param,
} from './layer.js';

export interface EmbeddingBagOptions {
  /** Vocabulary size: ids run over [0, inputDim); id 0 is padding and never counts. */
  inputDim: number;
  units: number;
  /** Default 'linear'. */
  activation?: ActivationKind;
  /** Default true. */
  useBias?: boolean;
  /** 'sum' (default: Dense over the bag) or 'mean' over the bag's ids. */
  mode?: EmbeddingBagMode;
  /**
   * Default false. When true, a fixed weight `id_weights` [inputDim] scales each id's row (the
   * naive-Bayes ratios of an NBSVM, a TextVectorization's idf); it starts at 1 (setIdWeights).
   */
  idWeights?: boolean;
  name?: string;
}

/**
 * Dense over a sparse bag: input rows of ids as a bag-mode TextVectorization writes them
 * (ascending ids, a count as repeats, then padding 0s) stand for [inputDim]-wide multi-hot or
 * count rows, and y = activation(Σ_ids w_id · kernel[id, :] + bias) is Keras's Dense on that
 * dense row, computed at the cost of the non-zeros (the backend's embeddingBag op). Weights are
 * Dense's: `kernel` [inputDim, units] glorot_uniform, `bias` [units] zeros; the gradient reaches
 * only the kernel rows a batch touched.
 */
export class EmbeddingBag extends Layer {
  readonly className = 'EmbeddingBag';
  readonly inputDim: number;
  readonly units: number;
  readonly activation: ActivationKind;
  readonly useBias: boolean;
  readonly mode: EmbeddingBagMode;
  readonly idWeights: boolean;
  private kernel: Param | null = null;
  private bias: Param | null = null;
  private scale: FixedWeight | null = null;
  private last: {
    ids: Int32Array;
    offsets: Int32Array;
    weights: FloatArray | null;
    y: FloatArray;
  } | null = null;

  constructor(options: EmbeddingBagOptions) {
    checkKeys('EmbeddingBag', options, [
      'inputDim',
      'units',
      'activation',
      'useBias',
      'mode',
      'idWeights',
      'name',
    ]);
    super(optionalName('EmbeddingBag', options.name));
    this.inputDim = positiveInt('EmbeddingBag', 'inputDim', options.inputDim);
    this.units = positiveInt('EmbeddingBag', 'units', options.units);
    this.activation = oneOf(
      'EmbeddingBag',
      'activation',
      options.activation ?? 'linear',
      ACTIVATIONS,
    );
    this.useBias = boolean('EmbeddingBag', 'useBias', options.useBias ?? true);
    this.mode = oneOf('EmbeddingBag', 'mode', options.mode ?? 'sum', EMBEDDING_BAG_MODES);
    this.idWeights = boolean('EmbeddingBag', 'idWeights', options.idWeights ?? false);
  }

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    super.build(inputShape, backend, rng);
    if (inputShape.length !== 1)
      throw new Error(
        `${layerLabel(this)}: expected input [batch, ids], got [batch, ${inputShape.join(', ')}]`,
      );
    this.kernel = createParam(backend, 'kernel', [this.inputDim, this.units]);
    glorotUniform(this.kernel.value.data, this.inputDim, this.units, rng);
    this.bias = this.useBias ? createParam(backend, 'bias', [this.units]) : null;
    this.scale = null;
    if (this.idWeights) {
      const value = new Tensor(backend.alloc(this.inputDim), [this.inputDim]);
      value.data.fill(1);
      this.scale = { name: 'id_weights', value };
    }
  }

  /** Sets the fixed per-id scale (idWeights: true): one finite value per id. */
  setIdWeights(weights: ArrayLike<number>): void {
    if (this.scale === null)
      throw new Error(`${layerLabel(this)}: built without idWeights, or not built yet`);
    if (weights.length !== this.inputDim)
      throw new Error(
        `${layerLabel(this)}: ${weights.length} id weights for inputDim ${this.inputDim}`,
      );
    for (let i = 0; i < weights.length; i++) {
      if (!Number.isFinite(weights[i]))
        throw new Error(`${layerLabel(this)}: id weight ${i} is ${weights[i]}, not finite`);
    }
    this.scale.value.data.set(weights);
  }

  outputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const kernel = this.kernel;
    if (kernel === null) throw new Error(`${layerLabel(this)} is not built yet`);
    if (x.shape.length !== 2)
      throw new Error(
        `${layerLabel(this)}: expected input [batch, ids], got [${x.shape.join(', ')}]`,
      );
    const [batch, width] = x.shape;
    const { ids, offsets } = this.toBags(x, batch, width);
    let weights: FloatArray | null = null;
    if (this.scale !== null) {
      const scale = this.scale.value.data;
      weights = this.ws.get('weights', batch * width).subarray(0, ids.length);
      for (let j = 0; j < ids.length; j++) weights[j] = scale[ids[j]];
    }
    const { units } = this;
    const y = this.ws.get('y', batch * units);
    this.backend.embeddingBag(kernel.value.data, units, ids, offsets, weights, this.mode, y);
    if (this.bias) this.backend.addRowVector(y, batch, units, this.bias.value.data);
    this.backend.activation(this.activation, y, y, batch * units, units);
    this.last = { ids, offsets, weights, y };
    return new Tensor(y, [batch, units]);
  }

  backward(dy: Tensor): null {
    if (this.last === null || this.kernel === null)
      throw new Error(`${layerLabel(this)}: backward called before forward`);
    const { ids, offsets, weights, y } = this.last;
    const rows = offsets.length - 1;
    const n = rows * this.units;
    let dz = dy.data;
    if (this.activation !== 'linear') {
      dz = this.ws.get('dz', n);
      this.backend.activationBackward(this.activation, y, dy.data, dz, n, this.units);
    }
    const dKernel = this.kernel.grad.data;
    this.backend.embeddingBagBackward(dz, ids, offsets, weights, this.mode, this.units, dKernel);
    if (this.bias) this.backend.sumRows(dz, rows, this.units, this.bias.grad.data, 1);
    return null;
  }

  override params(): Param[] {
    if (this.kernel === null) return [];
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  override fixedWeights(): FixedWeight[] {
    return this.scale ? [this.scale] : [];
  }

  getConfig(): LayerConfig {
    return {
      name: this.name,
      inputDim: this.inputDim,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      mode: this.mode,
      idWeights: this.idWeights,
    } satisfies EmbeddingBagOptions;
  }

  /** The non-padding ids of each row as CSR (ids, offsets), each id checked first. */
  private toBags(x: Tensor, batch: number, width: number) {
    const all = this.ws.int32('ids', batch * width);
    const offsets = this.ws.int32('offsets', batch + 1);
    let n = 0;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < width; t++) {
        const id = x.data[b * width + t];
        if (id === 0) continue;
        if (!Number.isInteger(id) || id < 0 || id >= this.inputDim)
          throw new Error(
            `${layerLabel(this)}: id ${id} at [${b}, ${t}] is not an integer in [0, ${this.inputDim}) (inputDim ${this.inputDim})`,
          );
        all[n++] = id;
      }
      offsets[b + 1] = n;
    }
    return { ids: all.subarray(0, n), offsets };
  }
}
