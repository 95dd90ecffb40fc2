import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIVATIONS } from '../../src/backend/core-ops.js';
import { Dense } from '../../src/layers/dense.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

function built(options: ConstructorParameters<typeof Dense>[0], inputShape: number[]): Dense {
  const layer = new Dense({ name: 'dense', ...options });
  layer.build(inputShape, f64, new Rng(1));
  return layer;
}

describe('Dense', () => {
  describe('backward matches finite differences', () => {
    // Batch 1 and length 1 included; 3-D inputs apply the layer at every step.
    const shapes = [
      [1, 3],
      [4, 3],
      [1, 1, 2],
      [2, 3, 4],
    ];
    for (const activation of ACTIVATIONS) {
      for (const shape of shapes) {
        it(`${activation} on [${shape.join(', ')}]`, () => {
          const layer = built({ units: 3, activation }, shape.slice(1));
          checkLayerGradients(layer, randomTensor(shape, new Rng(2)));
        });
      }
    }
    it('without bias', () => {
      const layer = built({ units: 2, activation: 'tanh', useBias: false }, [3]);
      assert.deepEqual(
        layer.params().map((p) => p.name),
        ['kernel'],
      );
      checkLayerGradients(layer, randomTensor([2, 3], new Rng(3)));
    });
  });

  it('computes x·kernel + bias on the last axis', () => {
    const layer = built({ units: 2 }, [3]);
    const [kernel, bias] = layer.params();
    kernel.value.data.set([1, 2, 3, 4, 5, 6]); // [[1, 2], [3, 4], [5, 6]]
    bias.value.data.set([0.5, -1]);
    const y = layer.forward(
      new Tensor(Float64Array.from([1, 0, -1, 2, 1, 0]), [1, 2, 3]),
      inference,
    );
    // [1, 0, -1]·K = [1 − 5, 2 − 6] = [-4, -4]; [2, 1, 0]·K = [2 + 3, 4 + 4] = [5, 8]; plus bias.
    assert.deepEqual(y.shape, [1, 2, 2]);
    assert.deepEqual([...y.data], [-3.5, -5, 5.5, 7]);
  });

  it('accumulates weight gradients across backward calls', () => {
    const layer = built({ units: 2, activation: 'sigmoid' }, [3]);
    const x = randomTensor([2, 3], new Rng(4));
    const dy = randomTensor([2, 2], new Rng(5));
    const grads = (): number[] => layer.params().flatMap((p) => [...p.grad.data]);
    layer.forward(x, inference);
    layer.backward(dy);
    const once = grads();
    layer.backward(dy);
    grads().forEach((g, i) => assert.ok(Math.abs(g - 2 * once[i]) < 1e-15));
  });

  it('has Keras weights, shapes and config', () => {
    const layer = built({ units: 4, activation: 'relu' }, [10, 6]);
    assert.equal(layer.className, 'Dense');
    assert.deepEqual(
      layer.params().map((p) => [p.name, p.value.shape]),
      [
        ['kernel', [6, 4]],
        ['bias', [4]],
      ],
    );
    assert.deepEqual(layer.outputShape([10, 6]), [10, 4]);
    assert.equal(layer.countParams(), 28);
    const limit = Math.sqrt(6 / (6 + 4));
    assert.ok(layer.params()[0].value.data.every((v) => Math.abs(v) <= limit));
    assert.ok(layer.params()[1].value.data.every((v) => v === 0));
    const config = layer.getConfig();
    assert.deepEqual(config, { name: 'dense', units: 4, activation: 'relu', useBias: true });
    assert.deepEqual(new Dense(config as never).getConfig(), config);
  });

  it('rejects bad options and inputs', () => {
    assert.throws(() => new Dense({ units: 0 }), /Dense: units must be a positive integer, got 0/);
    assert.throws(() => new Dense({ units: 2.5 }), /units must be a positive integer/);
    assert.throws(
      () => new Dense({ units: 2, activation: 'gelu' as never }),
      /activation must be one of 'linear', .*got gelu/,
    );
    assert.throws(
      () => new Dense({ units: 2, use_bias: false } as never),
      /unknown option 'use_bias'/,
    );
    const layer = built({ units: 2 }, [3]);
    assert.throws(
      () => layer.forward(randomTensor([2, 4], new Rng(0)), inference),
      /Dense 'dense': expected input \[batch, \.\.\., 3\], got \[2, 4\]/,
    );
  });
});
