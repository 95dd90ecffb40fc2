import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Layer } from '../../src/layers/layer.js';
import {
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  MaxPooling1D,
} from '../../src/layers/pooling.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor, type SequenceMask } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

function built<L extends Layer>(layer: L, steps: number, channels: number): L {
  layer.build([steps, channels], f64, new Rng(1));
  return layer;
}

function seq(values: number[], batch: number, steps: number): Tensor {
  return new Tensor(Float64Array.from(values), [batch, steps, values.length / (batch * steps)]);
}

function maskOf(rows: number[][]): SequenceMask {
  return { data: Uint8Array.from(rows.flat()), batch: rows.length, steps: rows[0].length };
}

const run = (layer: Layer, x: Tensor, mask: SequenceMask | null = null): number[] => [
  ...layer.forward(x, { training: false, mask, rng: new Rng(0) }).data,
];

describe('MaxPooling1D', () => {
  it('pools windows like Keras, padding never winning', () => {
    const x = seq([1, 3, 2, 5, 4], 1, 5);
    assert.deepEqual(run(built(new MaxPooling1D(), 5, 1), x), [3, 5]);
    // same: ceil(5/2) = 3 windows, pad (3−1)·2 + 2 − 5 = 1 on the right: [1,3] [2,5] [4,pad].
    const same = built(new MaxPooling1D({ padding: 'same' }), 5, 1);
    assert.deepEqual(run(same, x), [3, 5, 4]);
    assert.deepEqual(run(same, seq([-1, -3, -2, -5, -4], 1, 5)), [-1, -2, -4]);
    assert.deepEqual(run(built(new MaxPooling1D({ poolSize: 3, strides: 1 }), 5, 1), x), [3, 5, 5]);
    assert.deepEqual(same.outputShape([5, 7]), [3, 7]);
  });

  it('routes the gradient to each window maximum, accumulating overlaps', () => {
    const layer = built(new MaxPooling1D({ poolSize: 3, strides: 1 }), 5, 1);
    run(layer, seq([1, 3, 2, 5, 4], 1, 5));
    const dx = layer.backward(seq([1, 10, 100], 1, 3));
    assert.deepEqual([...dx.data], [0, 1, 0, 110, 0]);
  });

  describe('backward matches finite differences', () => {
    const cases: [string, ConstructorParameters<typeof MaxPooling1D>[0], number[]][] = [
      ['pool 2 valid', {}, [2, 7, 3]],
      ['pool 2 same, odd length', { padding: 'same' }, [2, 7, 3]],
      ['pool 3 stride 1 (overlapping)', { poolSize: 3, strides: 1 }, [2, 6, 2]],
      ['pool 3 stride 2 same', { poolSize: 3, strides: 2, padding: 'same' }, [1, 5, 2]],
      ['batch 1, length 1, same', { padding: 'same' }, [1, 1, 2]],
    ];
    for (const [what, options, shape] of cases) {
      it(what, () => {
        const layer = built(new MaxPooling1D({ name: 'pool', ...options }), shape[1], shape[2]);
        checkLayerGradients(layer, randomTensor(shape, new Rng(3)));
      });
    }
  });

  it('keeps its config and drops the mask', () => {
    const layer = new MaxPooling1D({ poolSize: 3, name: 'p' });
    assert.deepEqual(layer.getConfig(), { name: 'p', poolSize: 3, strides: 3, padding: 'valid' });
    assert.deepEqual(new MaxPooling1D(layer.getConfig() as never).getConfig(), layer.getConfig());
    assert.equal(layer.computeMask(), null);
  });

  it('rejects bad options and short inputs', () => {
    assert.throws(
      () => new MaxPooling1D({ poolSize: 0 }),
      /MaxPooling1D: poolSize must be a positive integer/,
    );
    assert.throws(() => new MaxPooling1D({ strides: -1 }), /strides must be a positive integer/);
    assert.throws(() => new MaxPooling1D({ padding: 'full' as never }), /padding must be one of/);
    const layer = built(new MaxPooling1D({ poolSize: 4 }), 8, 1);
    assert.throws(
      () => run(layer, seq([1, 2, 3], 1, 3)),
      /input of 3 steps is shorter than the window span 4/,
    );
  });
});

describe('GlobalMaxPooling1D', () => {
  it('takes the max over all steps and ignores a mask (as Keras)', () => {
    const layer = built(new GlobalMaxPooling1D(), 3, 2);
    const x = seq([1, -1, 4, -3, 2, -2], 1, 3);
    assert.deepEqual(run(layer, x), [4, -1]);
    assert.deepEqual(run(layer, x, maskOf([[1, 0, 1]])), [4, -1]);
    assert.deepEqual(layer.outputShape([3, 2]), [2]);
    assert.equal(layer.computeMask(), null);
  });

  describe('backward matches finite differences', () => {
    for (const shape of [
      [2, 5, 3],
      [1, 1, 2],
    ]) {
      it(`on [${shape.join(', ')}], with and without mask`, () => {
        const layer = built(new GlobalMaxPooling1D({ name: 'gmax' }), shape[1], shape[2]);
        const x = randomTensor(shape, new Rng(4));
        checkLayerGradients(layer, x);
        const mask = maskOf(
          Array.from({ length: shape[0] }, () => [1, ...Array(shape[1] - 1).fill(0)]),
        );
        checkLayerGradients(layer, x, { mask });
      });
    }
  });
});

describe('GlobalAveragePooling1D', () => {
  it('averages the unmasked steps only, and gives 0 for a fully masked row', () => {
    const layer = built(new GlobalAveragePooling1D(), 3, 1);
    const x = seq([1, 2, 6, 3, 3, 3], 2, 3);
    assert.deepEqual(run(layer, x), [3, 3]);
    // Row 0: (1 + 6)/2 = 3.5; row 1 has no unmasked step.
    assert.deepEqual(
      run(
        layer,
        x,
        maskOf([
          [1, 0, 1],
          [0, 0, 0],
        ]),
      ),
      [3.5, 0],
    );
    const dx = layer.backward(new Tensor(Float64Array.from([1, 5]), [2, 1]));
    assert.deepEqual([...dx.data], [0.5, 0, 0.5, 0, 0, 0]);
    assert.equal(layer.computeMask(), null);
  });

  describe('backward matches finite differences', () => {
    it('without mask, including batch 1 and length 1', () => {
      checkLayerGradients(
        built(new GlobalAveragePooling1D(), 4, 3),
        randomTensor([2, 4, 3], new Rng(5)),
      );
      checkLayerGradients(
        built(new GlobalAveragePooling1D(), 1, 2),
        randomTensor([1, 1, 2], new Rng(6)),
      );
    });
    it('with mask (pre-padding, a full row and an empty row)', () => {
      const layer = built(new GlobalAveragePooling1D({ name: 'gavg' }), 4, 3);
      const mask = maskOf([
        [0, 0, 1, 1],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ]);
      checkLayerGradients(layer, randomTensor([3, 4, 3], new Rng(7)), { mask });
    });
  });

  it('rejects a mask of another shape and unknown options', () => {
    const layer = built(new GlobalAveragePooling1D(), 3, 1);
    assert.throws(
      () => run(layer, seq([1, 2, 3], 1, 3), maskOf([[1, 1]])),
      /mask \[1, 2\] does not match input \[1, 3, 1\]/,
    );
    assert.throws(
      () => new GlobalAveragePooling1D({ keepdims: true } as never),
      /unknown option 'keepdims'/,
    );
    assert.deepEqual(new GlobalAveragePooling1D({ name: 'g' }).getConfig(), { name: 'g' });
  });
});
