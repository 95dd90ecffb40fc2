import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dropout } from '../../src/layers/dropout.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

function built(rate: number, shape: number[]): Dropout {
  const layer = new Dropout({ rate, name: 'drop' });
  layer.build(shape.slice(1), f64, new Rng(1));
  return layer;
}

describe('Dropout', () => {
  describe('backward matches finite differences (training, fixed rng)', () => {
    for (const shape of [
      [2, 3, 4],
      [1, 1, 1],
      [5, 6],
    ]) {
      it(`on [${shape.join(', ')}]`, () => {
        checkLayerGradients(built(0.4, shape), randomTensor(shape, new Rng(2)));
      });
    }
  });

  it('zeroes about rate of the values in training and scales the rest by 1/(1 − rate)', () => {
    const layer = built(0.25, [100, 100]);
    const x = new Tensor(f64.alloc(10000).fill(1), [100, 100]);
    const y = layer.forward(x, { training: true, mask: null, rng: new Rng(3) });
    const zeros = y.data.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.02, `dropped ${zeros}`);
    assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-15));
    // Same seed, same mask; the gradient uses the mask of the forward.
    const again = layer.forward(x, { training: true, mask: null, rng: new Rng(3) });
    assert.deepEqual(again.data, y.data);
    const dx = layer.backward(x);
    assert.deepEqual(dx.data, y.data);
  });

  it('is the identity at inference', () => {
    const layer = built(0.5, [2, 3]);
    const x = randomTensor([2, 3], new Rng(4));
    const ctx = { training: false, mask: null, rng: new Rng(0) };
    assert.deepEqual(layer.forward(x, ctx).data, x.data);
    assert.deepEqual(layer.backward(x).data, x.data);
  });

  it('keeps its config and rejects a bad rate', () => {
    assert.deepEqual(new Dropout({ rate: 0.2, name: 'd' }).getConfig(), { name: 'd', rate: 0.2 });
    for (const rate of [1, -0.1, NaN, '0.5']) {
      assert.throws(
        () => new Dropout({ rate } as never),
        /Dropout: rate must be a number in \[0, 1\)/,
      );
    }
  });
});
