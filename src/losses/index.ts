import type { Tensor } from '../tensor/tensor.js';

/**
 * A training loss. compute() returns the loss reduced like Keras's default
 * 'sum_over_batch_size' (the mean of the per-sample losses over every sample and, for sequence
 * outputs, every step) and writes dL/dyPred of that same mean into grad, so the model's
 * backward starts from the gradient of the number it reports.
 */
export interface Loss {
  /** Keras name, as stored in model.json. */
  readonly name: string;
  compute(yPred: Tensor, yTrue: Tensor, grad: Tensor): number;
}

/** Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 − EPSILON] before log. */
export const EPSILON = 1e-7;

function checkShapes(name: string, yPred: Tensor, yTrue: Tensor, grad: Tensor): void {
  if (yTrue.size !== yPred.size || grad.size !== yPred.size || yPred.size === 0) {
    throw new Error(
      `${name}: yPred [${yPred.shape.join(', ')}], yTrue [${yTrue.shape.join(', ')}] and ` +
        `grad [${grad.shape.join(', ')}] must hold the same non-zero number of values`,
    );
  }
}

/** Clipping passes the gradient only inside the range (as clip's gradient does in Keras). */
function inRange(p: number): boolean {
  return p >= EPSILON && p <= 1 - EPSILON;
}

/** −(y·log p + (1 − y)·log(1 − p)) on clipped probabilities, mean over every value. */
export const binaryCrossentropy: Loss = {
  name: 'binary_crossentropy',
  compute(yPred, yTrue, grad) {
    checkShapes(this.name, yPred, yTrue, grad);
    const n = yPred.size;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const y = yTrue.data[i];
      const raw = yPred.data[i];
      const p = Math.min(Math.max(raw, EPSILON), 1 - EPSILON);
      sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
      grad.data[i] = inRange(raw) ? (-y / p + (1 - y) / (1 - p)) / n : 0;
    }
    return sum / n;
  },
};

/**
 * −Σ y·log q over the last axis, where q is the prediction renormalised to sum to 1 and then
 * clipped (Keras), mean over the rows. The gradient goes through the renormalisation:
 * with g_j = −y_j/q_j (0 where clipped) and S the row sum, dL/dp_k = (g_k − Σ_j g_j q_j)/S.
 * `target(row, j)` is y_j of a row, so one-hot and class-id targets share the arithmetic.
 */
function crossentropyOverRows(
  yPred: Tensor,
  grad: Tensor,
  target: (row: number, j: number) => number,
): number {
  const classes = yPred.shape[yPred.shape.length - 1];
  const rows = yPred.size / classes;
  const g = new Float64Array(classes);
  let sum = 0;
  for (let row = 0, base = 0; row < rows; row++, base += classes) {
    let s = 0;
    for (let j = 0; j < classes; j++) s += yPred.data[base + j];
    let dot = 0;
    for (let j = 0; j < classes; j++) {
      const q = yPred.data[base + j] / s;
      const y = target(row, j);
      const clipped = Math.min(Math.max(q, EPSILON), 1 - EPSILON);
      if (y !== 0) sum -= y * Math.log(clipped);
      g[j] = inRange(q) ? -y / clipped : 0;
      dot += g[j] * q;
    }
    for (let j = 0; j < classes; j++) grad.data[base + j] = (g[j] - dot) / s / rows;
  }
  return sum / rows;
}

/** Keras categorical_crossentropy on probabilities: one-hot (or soft) targets, [.., K]. */
export const categoricalCrossentropy: Loss = {
  name: 'categorical_crossentropy',
  compute(yPred, yTrue, grad) {
    checkShapes(this.name, yPred, yTrue, grad);
    const classes = yPred.shape[yPred.shape.length - 1];
    return crossentropyOverRows(yPred, grad, (row, j) => yTrue.data[row * classes + j]);
  },
};

/**
 * Keras sparse_categorical_crossentropy: the same loss with each row's target given as its
 * class id (yTrue holds one integer per row, e.g. [n] or [n, 1]).
 */
export const sparseCategoricalCrossentropy: Loss = {
  name: 'sparse_categorical_crossentropy',
  compute(yPred, yTrue, grad) {
    const classes = yPred.shape[yPred.shape.length - 1];
    const rows = yPred.size / classes;
    if (yTrue.size !== rows || grad.size !== yPred.size || !(rows >= 1)) {
      throw new Error(
        `${this.name}: yTrue [${yTrue.shape.join(', ')}] must hold one class id per row of ` +
          `yPred [${yPred.shape.join(', ')}]`,
      );
    }
    for (let row = 0; row < rows; row++) {
      const id = yTrue.data[row];
      if (!Number.isInteger(id) || id < 0 || id >= classes) {
        throw new Error(
          `${this.name}: target ${id} of row ${row} is not a class id in 0..${classes - 1}`,
        );
      }
    }
    return crossentropyOverRows(yPred, grad, (row, j) => (yTrue.data[row] === j ? 1 : 0));
  },
};

/** (p − y)², mean over every value. */
export const meanSquaredError: Loss = {
  name: 'mean_squared_error',
  compute(yPred, yTrue, grad) {
    checkShapes(this.name, yPred, yTrue, grad);
    const n = yPred.size;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = yPred.data[i] - yTrue.data[i];
      sum += d * d;
      grad.data[i] = (2 * d) / n;
    }
    return sum / n;
  },
};

const LOSSES: Record<string, Loss> = {
  binary_crossentropy: binaryCrossentropy,
  categorical_crossentropy: categoricalCrossentropy,
  sparse_categorical_crossentropy: sparseCategoricalCrossentropy,
  mean_squared_error: meanSquaredError,
  mse: meanSquaredError,
};

export const LOSS_NAMES: readonly string[] = Object.keys(LOSSES);

/** The loss for a Keras name ('binary_crossentropy', 'categorical_crossentropy', 'mse', …). */
export function getLoss(name: string): Loss {
  const loss = Object.hasOwn(LOSSES, name) ? LOSSES[name] : undefined;
  if (!loss) {
    throw new Error(`unknown loss '${name}' (valid: ${LOSS_NAMES.join(', ')})`);
  }
  return loss;
}
