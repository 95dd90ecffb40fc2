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

export interface RMSpropOptions extends ClipOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** Default 0.9. */
  rho?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 1e-7 (added inside the square root, as Keras 3). */
  epsilon?: number;
  /** Default false: when true, divide by the gradient's estimated variance instead. */
  centered?: boolean;
}

/**
 * Keras 3 RMSprop (formulas in OptimizerOps.rmspropUpdate). Slots per parameter, in Keras's
 * order: velocity, then momentum if momentum > 0, then the average gradient if centered.
 */
export class RMSprop extends BaseOptimizer {
  readonly name = 'rmsprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  readonly slotsPerParam: number;

  constructor(options: RMSpropOptions = {}) {
    const check = new OptionChecker('RMSprop', options, [
      'learningRate',
      'rho',
      'momentum',
      'epsilon',
      'centered',
    ]);
    super(check, options.learningRate ?? 0.001, options);
    this.rho = check.range('rho', options.rho ?? 0.9, 0, 1, true);
    this.momentum = check.range('momentum', options.momentum ?? 0, 0, 1);
    this.epsilon = check.range('epsilon', options.epsilon ?? 1e-7, 0, Infinity);
    this.centered = check.boolean('centered', options.centered ?? false);
    this.slotsPerParam = 1 + (this.momentum > 0 ? 1 : 0) + (this.centered ? 1 : 0);
  }

  protected update(backend: Backend, p: Param, clip: GradientClip, slots: FloatArray[]): void {
    const hasMomentum = this.momentum > 0;
    const momentum = hasMomentum ? slots[1] : null;
    const averageGrad = this.centered ? slots[hasMomentum ? 2 : 1] : null;
    const step = {
      learningRate: this.learningRate,
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
    };
    backend.rmspropUpdate(
      p.value.data,
      p.grad.data,
      p.value.size,
      clip,
      step,
      slots[0],
      momentum,
      averageGrad,
    );
  }

  getConfig(): OptimizerConfig {
    return {
      name: this.name,
      learningRate: this.learningRate,
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
      ...this.clipConfig(),
    };
  }
}
