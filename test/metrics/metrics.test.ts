import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getMetric, METRIC_NAMES } from '../../src/metrics/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

function t(values: number[], shape: number[]): Tensor {
  return new Tensor(Float64Array.from(values), shape);
}

describe('accuracy', () => {
  const accuracy = getMetric('accuracy');

  it('is binary (p > 0.5) for one output unit', () => {
    // Predicted classes [1, 0, 0 (0.5 is not > 0.5), 1] against [1, 0, 1, 0]: 2 right.
    assert.equal(accuracy.compute(t([0.9, 0.2, 0.5, 0.7], [4, 1]), t([1, 0, 1, 0], [4, 1])), 2);
  });

  it('is categorical (argmax) for several units, one-hot or class-id targets', () => {
    const yPred = t([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.3, 0.3, 0.4], [3, 3]);
    // argmax [1, 0, 2] against [1, 2, 2]: 2 right.
    assert.equal(accuracy.compute(yPred, t([0, 1, 0, 0, 0, 1, 0, 0, 1], [3, 3])), 2);
    assert.equal(accuracy.compute(yPred, t([1, 2, 2], [3])), 2);
  });

  it('sums per-sample means, so totals over uneven batches divide exactly', () => {
    // Sequence output [2 samples, 3 steps, 1]: sample 0 all right, sample 1 one of three.
    const yPred = t([0.9, 0.1, 0.8, 0.9, 0.9, 0.9], [2, 3, 1]);
    const yTrue = t([1, 0, 1, 1, 0, 0], [2, 3, 1]);
    assert.ok(Math.abs(accuracy.compute(yPred, yTrue) - (1 + 1 / 3)) < 1e-15);
    // Batches of 3 and 1: (2 + 1) right of 4.
    const total =
      accuracy.compute(t([0.9, 0.2, 0.6], [3, 1]), t([1, 1, 1], [3, 1])) +
      accuracy.compute(t([0.1], [1, 1]), t([0], [1, 1]));
    assert.equal(total / 4, 0.75);
  });

  it('getMetric knows Keras names and lists them otherwise', () => {
    assert.equal(getMetric('acc').name, 'acc');
    assert.equal(
      getMetric('binary_accuracy').compute(t([0.6, 0.4], [1, 2]), t([1, 1], [1, 2])),
      0.5,
    );
    assert.equal(
      getMetric('categorical_accuracy').compute(t([0.6, 0.4], [1, 2]), t([1, 0], [1, 2])),
      1,
    );
    assert.equal(
      getMetric('sparse_categorical_accuracy').compute(
        t([0.2, 0.8, 0.6, 0.4], [2, 2]),
        t([1, 1], [2, 1]),
      ),
      1,
    );
    assert.deepEqual(METRIC_NAMES, [
      'accuracy',
      'acc',
      'binary_accuracy',
      'categorical_accuracy',
      'sparse_categorical_accuracy',
    ]);
    assert.throws(
      () => getMetric('f1'),
      /unknown metric 'f1' \(valid: accuracy, acc, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy\)/,
    );
    assert.throws(() => accuracy.compute(t([0.1, 0.9], [2, 1]), t([1], [1, 1])), /differ/);
  });
});
