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

export interface SGDOptions extends ClipOptions {
  /** Default 0.01. */
  learningRate?: number;
  /** Default 0 (no velocity slot); in [0, 1]. */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
}

/** Keras 3 SGD (formulas in OptimizerOps.sgdUpdate). One slot (velocity) when momentum > 0. */
export class SGD extends BaseOptimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly slotsPerParam: number;

  constructor(options: SGDOptions = {}) {
    const check = new OptionChecker('SGD', options, ['learningRate', 'momentum', 'nesterov']);
    super(check, options.learningRate ?? 0.01, options);
    this.momentum = check.range('momentum', options.momentum ?? 0, 0, 1);
    this.nesterov = check.boolean('nesterov', options.nesterov ?? false);
    this.slotsPerParam = this.momentum > 0 ? 1 : 0;
  }

  protected update(backend: Backend, p: Param, clip: GradientClip, slots: FloatArray[]): void {
    const step = {
      learningRate: this.learningRate,
      momentum: this.momentum,
      nesterov: this.nesterov,
    };
    backend.sgdUpdate(p.value.data, p.grad.data, p.value.size, clip, step, slots[0] ?? null);
  }

  getConfig(): OptimizerConfig {
    return {
      name: this.name,
      learningRate: this.learningRate,
      momentum: this.momentum,
      nesterov: this.nesterov,
      ...this.clipConfig(),
    };
  }
}
