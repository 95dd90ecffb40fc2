import type { Backend } from '../backend/backend.js';
import type { GradientClip } from '../backend/optimizer-ops.js';
import type { Param } from '../layers/layer.js';
import type { FloatArray } from '../tensor/tensor.js';
import {
  BaseOptimizer,
  OptionChecker,
  type ClipOptions,
  type OptimizerConfig,
} from './optimizer.js';

export interface AdamOptions extends ClipOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras's default, not the paper's 1e-8). */
  epsilon?: number;
  /**
   * Default false (Keras's Adam is dense). When true, an Embedding table is updated as
   * TensorFlow Addons' LazyAdam does: only the rows of the ids in the batch get new m, v and
   * weights (bias corrections from the global step); the other rows keep all three. Other weights
   * are updated as by Adam.
   */
  lazyEmbeddings?: boolean;
}

/**
 * Keras 3 Adam (formulas in OptimizerOps.adamUpdate), optionally lazy on embedding tables
 * (OptimizerOps.adamUpdateRows). Slots per parameter: m, v.
 */
export class Adam extends BaseOptimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly lazyEmbeddings: boolean;
  readonly slotsPerParam = 2;

  constructor(options: AdamOptions = {}) {
    const check = new OptionChecker('Adam', options, [
      'learningRate',
      'beta1',
      'beta2',
      'epsilon',
      'lazyEmbeddings',
    ]);
    super(check, options.learningRate ?? 0.001, options);
    this.beta1 = check.range('beta1', options.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = check.range('beta2', options.beta2 ?? 0.999, 0, 1, true);
    this.epsilon = check.range('epsilon', options.epsilon ?? 1e-7, 0, Infinity);
    this.lazyEmbeddings = check.boolean('lazyEmbeddings', options.lazyEmbeddings ?? false);
  }

  protected update(
    backend: Backend,
    p: Param,
    clip: GradientClip,
    [m, v]: FloatArray[],
    step: number,
  ): void {
    const { learningRate, beta1, beta2, epsilon } = this;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const args = [
      p.value.data,
      p.grad.data,
      p.value.size,
      clip,
      { alpha, beta1, beta2, epsilon },
      m,
      v,
    ] as const;
    const rows = this.lazyEmbeddings ? p.touchedRows : undefined;
    if (rows) backend.adamUpdateRows(...args, rows.rowSize, rows.ids);
    else backend.adamUpdate(...args);
  }

  getConfig(): OptimizerConfig {
    return {
      name: this.name,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      // Only when set: a dense Adam's config stays Keras's.
      ...(this.lazyEmbeddings && { lazyEmbeddings: true }),
      ...this.clipConfig(),
    };
  }
}
