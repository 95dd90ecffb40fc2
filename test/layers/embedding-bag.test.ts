import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMBEDDING_BAG_MODES } from '../../src/backend/embedding-ops.js';
import { Dense } from '../../src/layers/dense.js';
import { EmbeddingBag, type EmbeddingBagOptions } from '../../src/layers/embedding-bag.js';
import { layerFromConfig } from '../../src/layers/registry.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64 } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

function ids(rows: number[][]): Tensor {
  return new Tensor(Float64Array.from(rows.flat()), [rows.length, rows[0].length]);
}

function built(options: Omit<EmbeddingBagOptions, 'name'>, width: number): EmbeddingBag {
  const layer = new EmbeddingBag({ name: 'bag', ...options });
  layer.build([width], f64, new Rng(1));
  return layer;
}

/** Bags as a bag-mode vectorizer writes them: ascending ids, repeats for counts, 0 padding. */
const BAGS = [
  [1, 3, 3, 6, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [2, 4, 5, 6, 6, 6],
];

describe('EmbeddingBag', () => {
  it('is Dense over the dense multi-hot / count rows, padding ignored', () => {
    for (const mode of EMBEDDING_BAG_MODES) {
      const layer = built({ inputDim: 7, units: 3, activation: 'sigmoid', mode }, 6);
      const scale = [0, 0.5, -2, 1.5, 3, 0.25, -1];
      const withScale = built(
        { inputDim: 7, units: 3, activation: 'sigmoid', mode, idWeights: true },
        6,
      );
      withScale.setIdWeights(scale);
      const dense = new Dense({ units: 3, activation: 'sigmoid' });
      dense.build([7], f64, new Rng(1));
      for (const [i, p] of dense.params().entries()) {
        p.value.data.set(layer.params()[i].value.data);
        withScale.params()[i].value.data.set(layer.params()[i].value.data);
      }
      for (const [bag, scaled] of [
        [layer, false],
        [withScale, true],
      ] as const) {
        const rows = BAGS.map((row) => {
          const dense = new Array<number>(7).fill(0);
          const n = row.filter((id) => id !== 0).length;
          for (const id of row)
            if (id !== 0) dense[id] += (scaled ? scale[id] : 1) / (mode === 'mean' ? n : 1);
          return dense;
        });
        const want = dense.forward(ids(rows), inference).data;
        const got = bag.forward(ids(BAGS), inference).data;
        assert.equal(got.length, want.length);
        for (let i = 0; i < got.length; i++)
          assert.ok(
            Math.abs(got[i] - want[i]) < 1e-12,
            `${mode} ${scaled} [${i}]: ${got[i]} vs ${want[i]}`,
          );
      }
    }
  });

  describe('gradients match finite differences (float64)', () => {
    for (const mode of EMBEDDING_BAG_MODES) {
      for (const idWeights of [false, true]) {
        it(`${mode}${idWeights ? ', weighted ids' : ''}`, () => {
          const layer = built({ inputDim: 7, units: 2, activation: 'tanh', mode, idWeights }, 6);
          if (idWeights) layer.setIdWeights([0, 0.5, -2, 1.5, 3, 0.25, -1]);
          checkLayerGradients(layer, ids(BAGS), { checkInput: false });
        });
      }
    }
    it('linear, no bias, one bag of one id', () => {
      const layer = built({ inputDim: 3, units: 1, useBias: false }, 1);
      checkLayerGradients(layer, ids([[2]]), { checkInput: false });
    });
  });

  it('touches only the kernel rows of the ids in the batch', () => {
    const layer = built({ inputDim: 6, units: 1, useBias: false }, 3);
    layer.forward(ids([[1, 4, 4]]), { ...inference, training: true });
    assert.equal(layer.backward(new Tensor(Float64Array.of(2), [1, 1])), null);
    assert.deepEqual([...layer.params()[0].grad.data], [0, 2, 0, 0, 4, 0]);
  });

  it('keeps id_weights out of training but in the weights, and rebuilds from its config', () => {
    const layer = built({ inputDim: 5, units: 1, activation: 'sigmoid', idWeights: true }, 4);
    assert.deepEqual(
      layer.params().map((p) => p.name),
      ['kernel', 'bias'],
    );
    assert.deepEqual(
      layer.fixedWeights().map((w) => w.name),
      ['id_weights'],
    );
    assert.equal(layer.countParams(), 5 + 1 + 5);
    assert.equal(layer.countFixedWeights(), 5);
    const again = layerFromConfig('EmbeddingBag', layer.getConfig());
    assert.deepEqual(again.getConfig(), layer.getConfig());
  });

  it('refuses bad ids, options and id weights with messages that name them', () => {
    const layer = built({ inputDim: 5, units: 1, idWeights: true }, 2);
    assert.throws(() => layer.forward(ids([[1, 5]]), inference), /id 5 at \[0, 1\].*\[0, 5\)/);
    assert.throws(() => layer.forward(ids([[1, 2.5]]), inference), /id 2.5 at \[0, 1\]/);
    assert.throws(() => layer.forward(ids([[-1, 2]]), inference), /id -1 at \[0, 0\]/);
    assert.throws(() => layer.setIdWeights([1, 2]), /2 id weights for inputDim 5/);
    assert.throws(() => layer.setIdWeights([1, 2, NaN, 1, 1]), /id weight 2 is NaN/);
    assert.throws(
      () => built({ inputDim: 5, units: 1 }, 2).setIdWeights([1, 1, 1, 1, 1]),
      /without idWeights/,
    );
    assert.throws(
      () => new EmbeddingBag({ inputDim: 0, units: 1 }),
      /inputDim must be a positive integer/,
    );
    assert.throws(
      () => new EmbeddingBag({ inputDim: 3, units: 1, mode: 'max' as 'sum' }),
      /mode must be one of 'sum', 'mean', got max/,
    );
    assert.throws(
      () =>
        new EmbeddingBag({
          inputDim: 3,
          units: 1,
          combiner: 'sum',
        } as unknown as EmbeddingBagOptions),
      /unknown option 'combiner'/,
    );
    assert.throws(
      () => new EmbeddingBag({ inputDim: 3, units: 1 }).build([2, 2], f64, new Rng(1)),
      /expected input \[batch, ids\]/,
    );
  });
});
