import type { FloatArray } from '../tensor/tensor.js';

/**
 * How a kernel reads the gradient: g = clamp(scale · grad[i], −clipValue, clipValue). scale
 * carries a per-variable clipnorm (1 without it) and clipValue is Infinity without clipvalue, so
 * clipping costs no extra pass and never writes into the gradient.
 */
export interface GradientClip {
  readonly scale: number;
  readonly clipValue: number;
}

/** Keras 3 SGD: with momentum μ, m ← μ·m − lr·g; w ← w + m, or w ← w + μ·m − lr·g (Nesterov). */
export interface SgdStep {
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
}

/**
 * Keras 3 RMSprop: v ← ρv + (1−ρ)g²; centered: a ← ρa + (1−ρ)g, d = v − a² + ε, else d = v + ε;
 * inc = lr·g/√d; with momentum μ, m ← μ·m + inc and w ← w − m, else w ← w − inc.
 */
export interface RmspropStep {
  readonly learningRate: number;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
}

/**
 * Keras 3 Adam with the bias corrections folded into alpha = lr·√(1−β2^t)/(1−β1^t):
 * m += (g − m)(1−β1); v += (g² − v)(1−β2); w ← w − alpha·m/(√v + ε).
 */
export interface AdamStep {
  readonly alpha: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** adamUpdate's arguments: n values of w, grad and the m and v slots. */
type AdamArgs = [
  w: FloatArray,
  grad: FloatArray,
  n: number,
  clip: GradientClip,
  step: AdamStep,
  m: FloatArray,
  v: FloatArray,
];

/**
 * Fused optimizer updates, one call per parameter tensor of n values: each reads the gradient
 * once and updates the weights and slots in place.
 */
export interface OptimizerOps {
  /** momentum is the velocity slot, null when step.momentum is 0. */
  sgdUpdate(
    w: FloatArray,
    grad: FloatArray,
    n: number,
    clip: GradientClip,
    step: SgdStep,
    momentum: FloatArray | null,
  ): void;
  /** momentum is null when step.momentum is 0; averageGrad is null unless centered. */
  rmspropUpdate(
    w: FloatArray,
    grad: FloatArray,
    n: number,
    clip: GradientClip,
    step: RmspropStep,
    velocity: FloatArray,
    momentum: FloatArray | null,
    averageGrad: FloatArray | null,
  ): void;
  adamUpdate(...args: AdamArgs): void;
  /**
   * adamUpdate on the listed rows only (TensorFlow Addons' LazyAdam): the n values are rows of
   * `rowSize` (an embedding table), `rows` holds distinct row indices in [0, n / rowSize), and
   * the weights, m and v of every other row are left as they are. Each listed row's values are
   * updated exactly as adamUpdate would update them, in any order of the rows; ascending is the
   * fastest (the table is walked in memory order).
   */
  adamUpdateRows(...args: [...AdamArgs, rowSize: number, rows: Int32Array]): void;
}
