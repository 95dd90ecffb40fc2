import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Padding } from '../../src/backend/conv-ops.js';
import type { Backend } from '../../src/backend/backend.js';
import type { ActivationKind } from '../../src/backend/core-ops.js';
import { Conv1D, type Conv1DOptions } from '../../src/layers/conv1d.js';
import { Parallel } from '../../src/layers/parallel.js';
import { GlobalMaxPooling1D } from '../../src/layers/pooling.js';
import { SparseGradient } from '../../src/layers/sparse-gradient.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

function built(
  options: Conv1DOptions,
  steps: number,
  channels: number,
  backend: Backend = f64,
): Conv1D {
  const layer = new Conv1D({ name: 'conv', ...options });
  layer.build([steps, channels], backend, new Rng(1));
  return layer;
}

/** The float64 reference backend, counting its sparse conv backward calls. */
function countingSparse(): { backend: Backend; calls: () => number } {
  let calls = 0;
  const backend: Backend = {
    ...f64,
    conv1dBackwardSparse(...args) {
      calls++;
      f64.conv1dBackwardSparse(...args);
    },
  };
  return { backend, calls: () => calls };
}

/** The textbook loop, written from the Keras/TF definition (the oracle for im2col + GEMM). */
function directConv(layer: Conv1D, x: Tensor): number[] {
  const [batch, steps, channels] = x.shape;
  const { kernelSize: k, strides: s, dilationRate: d, filters } = layer;
  const span = (k - 1) * d + 1;
  let out: number;
  let left = 0;
  if (layer.padding === 'valid') {
    out = Math.floor((steps - span) / s) + 1;
  } else {
    out = Math.ceil(steps / s);
    left = Math.floor(Math.max((out - 1) * s + span - steps, 0) / 2);
  }
  const [kernel, bias] = layer.params().map((p) => p.value.data);
  const y: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < out; t++) {
      for (let f = 0; f < filters; f++) {
        let sum = bias[f];
        for (let j = 0; j < k; j++) {
          const tin = t * s + j * d - left;
          if (tin < 0 || tin >= steps) continue;
          for (let c = 0; c < channels; c++) {
            sum +=
              x.data[(b * steps + tin) * channels + c] * kernel[(j * channels + c) * filters + f];
          }
        }
        y.push(sum);
      }
    }
  }
  return y;
}

describe('Conv1D', () => {
  const grid: [Padding, number, number][] = [];
  for (const padding of ['valid', 'same'] as const) {
    for (const strides of [1, 2])
      for (const dilationRate of [1, 2]) grid.push([padding, strides, dilationRate]);
  }

  describe('forward matches a direct convolution loop', () => {
    for (const [padding, strides, dilationRate] of grid) {
      for (const steps of [7, 8]) {
        it(`${padding}, stride ${strides}, dilation ${dilationRate}, ${steps} steps`, () => {
          const layer = built(
            { filters: 4, kernelSize: 3, padding, strides, dilationRate },
            steps,
            3,
          );
          layer.params()[1].value.data.set([0.1, -0.2, 0.3, 0]);
          const x = randomTensor([2, steps, 3], new Rng(5));
          const y = layer.forward(x, inference);
          const expected = directConv(layer, x);
          assert.equal(y.size, expected.length);
          assert.deepEqual(y.shape, [2, expected.length / 8, 4]);
          for (let i = 0; i < y.size; i++) assert.ok(Math.abs(y.data[i] - expected[i]) < 1e-12);
        });
      }
    }
  });

  describe('backward matches finite differences', () => {
    for (const [padding, strides, dilationRate] of grid) {
      it(`${padding}, stride ${strides}, dilation ${dilationRate} (7 steps, then 5)`, () => {
        const layer = built({ filters: 2, kernelSize: 3, padding, strides, dilationRate }, 7, 2);
        checkLayerGradients(layer, randomTensor([2, 7, 2], new Rng(6)));
        checkLayerGradients(layer, randomTensor([1, 5, 2], new Rng(7)));
      });
    }
    it('batch 1, length 1, same padding, tanh', () => {
      const layer = built({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }, 1, 2);
      checkLayerGradients(layer, randomTensor([1, 1, 2], new Rng(8)));
    });
    it('kernel 1 without bias, relu', () => {
      const layer = built({ filters: 2, kernelSize: 1, useBias: false, activation: 'relu' }, 3, 2);
      checkLayerGradients(layer, randomTensor([2, 3, 2], new Rng(9)));
    });
  });

  describe('backward from a sparse gradient (what GlobalMaxPooling1D returns)', () => {
    const cases: [ActivationKind, Padding, number, number][] = [
      ['relu', 'valid', 1, 1],
      ['linear', 'same', 2, 1],
      ['sigmoid', 'same', 1, 2],
      ['tanh', 'valid', 2, 2],
    ];
    for (const [activation, padding, strides, dilationRate] of cases) {
      it(`${activation}, ${padding}, stride ${strides}, dilation ${dilationRate}: as the dense path`, () => {
        const { backend, calls } = countingSparse();
        const options = { filters: 3, kernelSize: 3, activation, padding, strides, dilationRate };
        const layer = built(options, 40, 2, backend);
        const x = randomTensor([2, 40, 2], new Rng(10));
        const y = layer.forward(x, { ...inference, training: true });
        // One winner per (sample, filter), with its gradient; zero elsewhere.
        const rng = new Rng(11);
        const outSteps = y.shape[1];
        const at = Int32Array.from({ length: 6 }, (_, i) => {
          const [b, f] = [Math.floor(i / 3), i % 3];
          return (b * outSteps + rng.int(outSteps)) * 3 + f;
        });
        const dy = f64.alloc(y.size);
        for (const i of at) dy[i] = rng.uniform(-1, 1);
        const grads = () => layer.params().map((p) => Float64Array.from(p.grad.data));
        const dense = Float64Array.from(layer.backward(new Tensor(dy, y.shape)).data);
        const denseGrads = grads();
        for (const p of layer.params()) p.grad.data.fill(0);
        const sparse = layer.backward(new SparseGradient(dy, y.shape, at)).data;
        assert.equal(calls(), 1);
        const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
          for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-12, `at ${i}`);
        };
        close(sparse, dense);
        grads().forEach((g, i) => close(g, denseGrads[i]));
      });
    }
    it('through GlobalMaxPooling1D: finite differences (relu, and tanh without bias)', () => {
      const { backend, calls } = countingSparse();
      const block = new Parallel({
        branches: [
          [new Conv1D({ filters: 2, kernelSize: 3, activation: 'relu' }), new GlobalMaxPooling1D()],
          [
            new Conv1D({ filters: 3, kernelSize: 2, activation: 'tanh', useBias: false }),
            new GlobalMaxPooling1D(),
          ],
        ],
      });
      block.build([40, 3], backend, new Rng(12));
      checkLayerGradients(block, randomTensor([2, 40, 3], new Rng(13)));
      assert.equal(calls(), 2, 'both branches took the sparse path');
    });
    it('stays dense when the gradient is not sparse enough', () => {
      const { backend, calls } = countingSparse();
      const layer = built({ filters: 2, kernelSize: 3 }, 5, 2, backend);
      const y = layer.forward(randomTensor([1, 5, 2], new Rng(14)), inference);
      layer.backward(new SparseGradient(f64.alloc(y.size), y.shape, Int32Array.of(0)));
      assert.equal(calls(), 0);
    });
  });

  it('follows Keras output lengths and padding', () => {
    assert.deepEqual(built({ filters: 8, kernelSize: 5 }, 200, 4).outputShape([200, 4]), [196, 8]);
    // same, stride 2: ceil(7/2) = 4 steps; total pad (4−1)·2 + 3 − 7 = 2, split 1 | 1.
    assert.deepEqual(
      built({ filters: 1, kernelSize: 3, padding: 'same', strides: 2 }, 7, 1).outputShape([7, 1]),
      [4, 1],
    );
    // same, stride 2, even length: ceil(8/2) = 4; total pad max(6 + 3 − 8, 0) = 1: 0 left, 1 right.
    assert.deepEqual(
      built({ filters: 1, kernelSize: 3, padding: 'same', strides: 2 }, 8, 1).outputShape([8, 1]),
      [4, 1],
    );
  });

  it('has the Keras kernel layout, initializer and config', () => {
    const layer = built({ filters: 5, kernelSize: 3 }, 10, 4);
    assert.deepEqual(
      layer.params().map((p) => [p.name, p.value.shape]),
      [
        ['kernel', [3, 4, 5]],
        ['bias', [5]],
      ],
    );
    const limit = Math.sqrt(6 / (3 * 4 + 3 * 5));
    const kernel = layer.params()[0].value.data;
    assert.ok(kernel.every((v) => Math.abs(v) <= limit));
    assert.ok(kernel.some((v) => Math.abs(v) > 0.8 * limit));
    assert.equal(layer.computeMask(), null);
    const config = layer.getConfig();
    assert.deepEqual(config, {
      name: 'conv',
      filters: 5,
      kernelSize: 3,
      strides: 1,
      padding: 'valid',
      dilationRate: 1,
      activation: 'linear',
      useBias: true,
    });
    assert.deepEqual(new Conv1D(config as never).getConfig(), config);
  });

  it('rejects short inputs and bad options', () => {
    const layer = built({ filters: 2, kernelSize: 3, dilationRate: 2 }, 9, 1);
    assert.throws(
      () => layer.forward(randomTensor([1, 4, 1], new Rng(0)), inference),
      /Conv1D 'conv': input of 4 steps is shorter than the window span 5 \(size 3, dilation 2\)/,
    );
    assert.throws(
      () => layer.forward(randomTensor([1, 9, 2], new Rng(0)), inference),
      /expected input \[batch, steps, 1\]/,
    );
    assert.throws(
      () => new Conv1D({ filters: 0, kernelSize: 3 }),
      /filters must be a positive integer/,
    );
    assert.throws(
      () => new Conv1D({ filters: 1, kernelSize: 1.5 }),
      /kernelSize must be a positive integer/,
    );
    assert.throws(
      () => new Conv1D({ filters: 1, kernelSize: 3, strides: 0 }),
      /strides must be a positive integer/,
    );
    assert.throws(
      () => new Conv1D({ filters: 1, kernelSize: 3, padding: 'causal' as never }),
      /padding must be one of 'valid', 'same', got causal/,
    );
    assert.throws(
      () => new Conv1D({ filters: 1, kernelSize: 3 }).build([5], f64, new Rng(0)),
      /\[steps, channels\]/,
    );
  });
});
