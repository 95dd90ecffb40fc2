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
}

/** Keras 3 Adam (formulas in OptimizerOps.adamUpdate). Slots per parameter: m, v. */
export class Adam extends BaseOptimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly slotsPerParam = 2;

  constructor(options: AdamOptions = {}) {
    const check = new OptionChecker('Adam', options, ['learningRate', 'beta1', 'beta2', 'epsilon']);
    super(check, options.learningRate ?? 0.001, options);
    this.beta1 = check.range('beta1', options.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = check.range('beta2', options.beta2 ?? 0.999, 0, 1, true);
    this.epsilon = check.range('epsilon', options.epsilon ?? 1e-7, 0, Infinity);
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
    backend.adamUpdate(
      p.value.data,
      p.grad.data,
      p.value.size,
      clip,
      { alpha, beta1, beta2, epsilon },
      m,
      v,
    );
  }

  getConfig(): OptimizerConfig {
    return {
      name: this.name,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      ...this.clipConfig(),
    };
  }
}
