import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  getLoss,
  LOSS_NAMES,
  meanSquaredError,
  sparseCategoricalCrossentropy,
  type Loss,
} from '../../src/losses/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

function t(values: number[], shape: number[]): Tensor {
  return new Tensor(Float64Array.from(values), shape);
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

function evaluate(loss: Loss, yPred: Tensor, yTrue: Tensor): { value: number; grad: number[] } {
  const grad = t(new Array(yPred.size).fill(0), [...yPred.shape]);
  return { value: loss.compute(yPred, yTrue, grad), grad: [...grad.data] };
}

/** The gradient of compute()'s value by central differences. */
function numericGrad(loss: Loss, yPred: Tensor, yTrue: Tensor): number[] {
  return [...yPred.data].map((keep, i) => {
    const eps = 1e-6;
    yPred.data[i] = keep + eps;
    const plus = evaluate(loss, yPred, yTrue).value;
    yPred.data[i] = keep - eps;
    const minus = evaluate(loss, yPred, yTrue).value;
    yPred.data[i] = keep;
    return (plus - minus) / (2 * eps);
  });
}

describe('binary_crossentropy', () => {
  it('hand-computed 2-example batch', () => {
    const { value, grad } = evaluate(binaryCrossentropy, t([0.8, 0.4], [2, 1]), t([1, 0], [2, 1]));
    // L = (−ln 0.8 − ln(1 − 0.4)) / 2 = (0.2231435513 + 0.5108256238) / 2
    close([value], [0.36698458755], 1e-10);
    // dL/dp = (−y/p + (1 − y)/(1 − p)) / 2: [−1/0.8 / 2, 1/0.6 / 2]
    close(grad, [-0.625, 0.8333333333333334]);
  });

  it('clips to [1e-7, 1 − 1e-7] with zero gradient outside (as Keras)', () => {
    const { value, grad } = evaluate(binaryCrossentropy, t([0, 1], [2, 1]), t([1, 1], [2, 1]));
    // (−ln 1e-7 − ln(1 − 1e-7)) / 2
    close([value], [(16.11809565095832 + 1.00000005e-7) / 2], 1e-9);
    close(grad, [0, 0]);
  });

  it('gradient matches finite differences, mean over every value', () => {
    const rng = new Rng(1);
    const yPred = t(
      Array.from({ length: 6 }, () => rng.uniform(0.05, 0.95)),
      [2, 3, 1],
    );
    const yTrue = t([1, 0, 1, 1, 0, 0], [2, 3, 1]);
    close(
      evaluate(binaryCrossentropy, yPred, yTrue).grad,
      numericGrad(binaryCrossentropy, yPred, yTrue),
      1e-8,
    );
  });
});

describe('categorical_crossentropy', () => {
  it('hand-computed, renormalising the second row', () => {
    // Row 2 sums to 2, so q = [0.25, 0.25, 0.5].
    const yPred = t([0.2, 0.3, 0.5, 0.5, 0.5, 1.0], [2, 3]);
    const yTrue = t([0, 0, 1, 1, 0, 0], [2, 3]);
    const { value, grad } = evaluate(categoricalCrossentropy, yPred, yTrue);
    // L = (−ln 0.5 − ln 0.25) / 2
    close([value], [(Math.LN2 + 2 * Math.LN2) / 2]);
    // Row 1 (S = 1): g = [0, 0, −2], Σ g·q = −1, (g + 1)/S/2 = [0.5, 0.5, −0.5].
    // Row 2 (S = 2): g = [−4, 0, 0], Σ g·q = −1, (g + 1)/S/2 = [−0.75, 0.25, 0.25].
    close(grad, [0.5, 0.5, -0.5, -0.75, 0.25, 0.25]);
  });

  it('gradient matches finite differences on unnormalised rows', () => {
    const rng = new Rng(2);
    const yPred = t(
      Array.from({ length: 8 }, () => rng.uniform(0.1, 1)),
      [2, 4],
    );
    const yTrue = t([0, 1, 0, 0, 0.25, 0.25, 0.5, 0], [2, 4]);
    close(
      evaluate(categoricalCrossentropy, yPred, yTrue).grad,
      numericGrad(categoricalCrossentropy, yPred, yTrue),
      1e-8,
    );
  });
});

describe('sparse_categorical_crossentropy', () => {
  it('equals categorical_crossentropy on the one-hot targets, value and gradient', () => {
    const yPred = t([0.2, 0.3, 0.5, 0.5, 0.5, 1.0], [2, 3]);
    const sparse = evaluate(sparseCategoricalCrossentropy, yPred, t([2, 0], [2, 1]));
    close([sparse.value], [(Math.LN2 + 2 * Math.LN2) / 2]);
    close(sparse.grad, [0.5, 0.5, -0.5, -0.75, 0.25, 0.25]);
  });

  it('gradient matches finite differences (float64)', () => {
    const rng = new Rng(4);
    const yPred = t(
      Array.from({ length: 15 }, () => rng.uniform(0.05, 1)),
      [3, 5],
    );
    const yTrue = t([4, 0, 2], [3]);
    close(
      evaluate(sparseCategoricalCrossentropy, yPred, yTrue).grad,
      numericGrad(sparseCategoricalCrossentropy, yPred, yTrue),
      1e-8,
    );
  });

  it('rejects a target that is not a class id, or one target per value', () => {
    const yPred = t([0.5, 0.5, 0.5, 0.5], [2, 2]);
    assert.throws(
      () => evaluate(sparseCategoricalCrossentropy, yPred, t([0, 2], [2, 1])),
      /target 2 of row 1 is not a class id in 0\.\.1/,
    );
    assert.throws(
      () => evaluate(sparseCategoricalCrossentropy, yPred, t([0, 1, 1, 0], [2, 2])),
      /one class id per row/,
    );
  });
});

describe('mean_squared_error', () => {
  it('hand-computed', () => {
    const { value, grad } = evaluate(
      meanSquaredError,
      t([1, 2, 3, 5], [2, 2]),
      t([1, 1, 1, 1], [2, 2]),
    );
    // d = [0, 1, 2, 4]: (0 + 1 + 4 + 16)/4; grad 2d/4.
    close([value], [5.25]);
    close(grad, [0, 0.5, 1, 2]);
  });
});

describe('getLoss', () => {
  it('resolves Keras names and lists the valid ones otherwise', () => {
    assert.equal(getLoss('binary_crossentropy'), binaryCrossentropy);
    assert.equal(getLoss('categorical_crossentropy'), categoricalCrossentropy);
    assert.equal(getLoss('mse'), meanSquaredError);
    assert.deepEqual(LOSS_NAMES, [
      'binary_crossentropy',
      'categorical_crossentropy',
      'sparse_categorical_crossentropy',
      'mean_squared_error',
      'mse',
    ]);
    assert.equal(getLoss('sparse_categorical_crossentropy'), sparseCategoricalCrossentropy);
    assert.throws(
      () => getLoss('hinge'),
      /unknown loss 'hinge' \(valid: binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error, mse\)/,
    );
    assert.throws(() => getLoss('toString'), /unknown loss/);
  });

  it('rejects mismatched shapes', () => {
    assert.throws(
      () => evaluate(meanSquaredError, t([1, 2], [2, 1]), t([1, 2, 3], [3, 1])),
      /mean_squared_error: yPred \[2, 1\], yTrue \[3, 1\]/,
    );
  });
});
