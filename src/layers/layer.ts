import type { Backend } from '../backend/backend.js';
import type { Rng } from '../random/rng.js';
import type { SequenceMask, Shape, Tensor } from '../tensor/tensor.js';
import type { TouchedRows } from './touched-rows.js';
import { Workspace } from './workspace.js';

/** A trainable array and the gradient that backward accumulates into it. */
export interface Param {
  /** Keras weight name within the layer: 'kernel', 'recurrent_kernel', 'bias', 'embeddings', … */
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Tensor;
  /** A table whose gradient only some rows fill (Embedding): which rows, since the last zeroGrad. */
  readonly touchedRows?: TouchedRows;
}

/** Zeroes p's gradient: only the touched rows when it keeps them. */
export function zeroGrad(p: Param): void {
  if (p.touchedRows) p.touchedRows.zero(p.grad.data);
  else p.grad.data.fill(0);
}

/**
 * A weight that training leaves alone (Keras's non-trainable weights, e.g. the naive-Bayes
 * ratios an NBSVM scales its features by): no gradient, no optimizer slots, but saved, loaded
 * and checkpointed with the trainable ones.
 */
export interface FixedWeight {
  readonly name: string;
  readonly value: Tensor;
}

export interface ForwardContext {
  /** True inside fit: dropout is active and the layer keeps what backward needs. */
  readonly training: boolean;
  /** The mask coming from the layer before (Embedding with maskZero), or null. */
  readonly mask: SequenceMask | null;
  /** The run's seeded generator: dropout masks are drawn from it. */
  readonly rng: Rng;
  /**
   * Inference (no dropout) whose backward will be asked for, as integrated gradients do: layers
   * keep what backward needs even when not training.
   */
  readonly keepForBackward?: boolean;
}

/**
 * Keras's default layer name: the class name in snake case as Keras 3's `naming.to_snake_case`
 * makes it (`SimpleRNN` → `simple_rnn`, `Conv1D` → `conv1d`, `GlobalMaxPooling1D` →
 * `global_max_pooling1d`): a digit before a capital stays joined to it.
 */
export function defaultLayerName(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The default name gated gave before it matched Keras (`Conv1D` → `conv1_d`). Files saved then
 * keep those names; model.json stores them, checkpoints are mapped back (see checkpoint.ts).
 */
export function legacyLayerName(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Serializable layer settings, as stored in model.json. */
export type LayerConfig = Record<string, unknown>;

/**
 * A layer runs forward and backward over a whole batch (whole sequences for recurrent layers).
 * Shapes passed to build/outputShape exclude the batch dimension. backward() takes dL/dy for the
 * last forward(), accumulates dL/dw into each Param's grad, and returns dL/dx (null when the
 * input is not differentiable, as for token ids).
 */
export abstract class Layer {
  /** Keras class name, used in model.json and summary(). */
  abstract readonly className: string;
  name: string;
  protected backend!: Backend;
  private builtShape: Shape | null = null;
  private workspace: Workspace | null = null;

  constructor(name?: string) {
    this.name = name ?? '';
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  get inputShape(): Shape {
    if (this.builtShape === null) throw new Error(`layer ${this.name} is not built yet`);
    return this.builtShape;
  }

  /** Creates the weights for this input shape; subclasses override build() and call super. */
  build(inputShape: Shape, backend: Backend, _rng: Rng): void {
    this.backend = backend;
    this.builtShape = [...inputShape];
    this.workspace = null;
  }

  /** Buffers reused across batches (outputs included: valid until the next forward). */
  protected get ws(): Workspace {
    this.workspace ??= new Workspace(this.backend);
    return this.workspace;
  }

  abstract outputShape(inputShape: Shape): Shape;
  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;
  abstract backward(dy: Tensor): Tensor | null;

  /** The mask for the next layer. By default a layer passes its input mask on unchanged. */
  computeMask(_x: Tensor, inputMask: SequenceMask | null): SequenceMask | null {
    return inputMask;
  }

  params(): Param[] {
    return [];
  }

  /** The weights training does not change (see FixedWeight). */
  fixedWeights(): FixedWeight[] {
    return [];
  }

  /** The constructor options that rebuild this layer (name included). */
  abstract getConfig(): LayerConfig;

  /** Every weight's values, fixed ones included (Keras's count_params). */
  countParams(): number {
    const weights: { value: Tensor }[] = [...this.params(), ...this.fixedWeights()];
    return weights.reduce((n, w) => n + w.value.size, 0);
  }

  countFixedWeights(): number {
    return this.fixedWeights().reduce((n, w) => n + w.value.size, 0);
  }
}
