import type { FloatArray } from '../../tensor/tensor.js';
import type { AdamStep, GradientClip, OptimizerOps } from '../optimizer-ops.js';

function clipped(grad: number, clip: GradientClip): number {
  const g = grad * clip.scale;
  return Math.min(Math.max(g, -clip.clipValue), clip.clipValue);
}

/** The update formulas exactly as Keras 3 writes them (same operation order). */
export const referenceOptimizerOps: OptimizerOps = {
  sgdUpdate(w, grad, n, clip, { learningRate: lr, momentum: mu, nesterov }, momentum) {
    for (let i = 0; i < n; i++) {
      const g = clipped(grad[i], clip);
      if (momentum === null) {
        w[i] -= g * lr;
        continue;
      }
      momentum[i] = momentum[i] * mu - g * lr;
      w[i] += nesterov ? momentum[i] * mu - g * lr : momentum[i];
    }
  },

  rmspropUpdate(w, grad, n, clip, step, velocity, momentum, averageGrad) {
    const { learningRate: lr, rho, momentum: mu, epsilon } = step;
    for (let i = 0; i < n; i++) {
      const g = clipped(grad[i], clip);
      velocity[i] = rho * velocity[i] + (1 - rho) * (g * g);
      let denominator: number;
      if (averageGrad !== null) {
        averageGrad[i] = rho * averageGrad[i] + (1 - rho) * g;
        denominator = velocity[i] - averageGrad[i] * averageGrad[i] + epsilon;
      } else {
        denominator = velocity[i] + epsilon;
      }
      const increment = (lr * g) / Math.sqrt(denominator);
      if (momentum !== null) {
        momentum[i] = mu * momentum[i] + increment;
        w[i] -= momentum[i];
      } else {
        w[i] -= increment;
      }
    }
  },

  adamUpdate(w, grad, n, clip, step, m, v) {
    adam(w, grad, 0, n, clip, step, m, v);
  },

  adamUpdateRows(w, grad, _n, clip, step, m, v, rowSize, rows) {
    for (const row of rows) adam(w, grad, row * rowSize, (row + 1) * rowSize, clip, step, m, v);
  },
};

/** Adam on values [i0, i1). */
function adam(
  w: FloatArray,
  grad: FloatArray,
  i0: number,
  i1: number,
  clip: GradientClip,
  { alpha, beta1, beta2, epsilon }: AdamStep,
  m: FloatArray,
  v: FloatArray,
): void {
  for (let i = i0; i < i1; i++) {
    const g = clipped(grad[i], clip);
    m[i] += (g - m[i]) * (1 - beta1);
    v[i] += (g * g - v[i]) * (1 - beta2);
    w[i] -= (m[i] * alpha) / (Math.sqrt(v[i]) + epsilon);
  }
}
