import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Embedding } from '../../src/layers/embedding.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64 } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

function ids(rows: number[][]): Tensor {
  return new Tensor(Float64Array.from(rows.flat()), [rows.length, rows[0].length]);
}

function built(options: ConstructorParameters<typeof Embedding>[0], steps = 4): Embedding {
  const layer = new Embedding({ name: 'emb', ...options });
  layer.build([steps], f64, new Rng(1));
  return layer;
}

describe('Embedding', () => {
  it('looks up rows of the table', () => {
    const layer = built({ inputDim: 5, outputDim: 2 }, 3);
    const table = layer.params()[0].value.data;
    table.set([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const y = layer.forward(ids([[4, 0, 2]]), inference);
    assert.deepEqual(y.shape, [1, 3, 2]);
    assert.deepEqual([...y.data], [4, 4, 0, 0, 2, 2]);
  });

  describe('weight gradient matches finite differences', () => {
    const cases: [string, number[][]][] = [
      [
        'batch 2 with repeated ids',
        [
          [1, 3, 3, 0],
          [2, 1, 1, 1],
        ],
      ],
      ['batch 1, length 1', [[2]]],
    ];
    for (const [what, rows] of cases) {
      it(what, () => {
        const layer = built({ inputDim: 5, outputDim: 3 }, rows[0].length);
        checkLayerGradients(layer, ids(rows), { checkInput: false });
      });
    }
  });

  it('scatters only into the rows that occur and returns no input gradient', () => {
    const layer = built({ inputDim: 6, outputDim: 2 }, 3);
    layer.forward(ids([[1, 4, 1]]), { ...inference, training: true });
    const dx = layer.backward(new Tensor(Float64Array.from([1, 2, 10, 20, 100, 200]), [1, 3, 2]));
    assert.equal(dx, null);
    assert.deepEqual([...layer.params()[0].grad.data], [0, 0, 101, 202, 0, 0, 0, 0, 10, 20, 0, 0]);
  });

  it('masks id 0 when maskZero, and passes no mask otherwise', () => {
    const x = ids([
      [0, 0, 5, 7],
      [3, 0, 1, 2],
    ]);
    const mask = built({ inputDim: 8, outputDim: 2, maskZero: true }).computeMask(x);
    assert.ok(mask);
    assert.deepEqual([mask.batch, mask.steps], [2, 4]);
    assert.deepEqual([...mask.data], [0, 0, 1, 1, 1, 0, 1, 1]);
    assert.equal(built({ inputDim: 8, outputDim: 2 }).computeMask(x), null);
  });

  it('initialises uniform ±0.05 and keeps its config', () => {
    const layer = built({ inputDim: 100, outputDim: 8, maskZero: true });
    const table = layer.params()[0];
    assert.equal(table.name, 'embeddings');
    assert.deepEqual(table.value.shape, [100, 8]);
    assert.ok(table.value.data.every((v) => Math.abs(v) <= 0.05));
    assert.ok(table.value.data.some((v) => Math.abs(v) > 0.045));
    assert.deepEqual(layer.outputShape([4]), [4, 8]);
    const config = layer.getConfig();
    assert.deepEqual(config, { name: 'emb', inputDim: 100, outputDim: 8, maskZero: true });
    assert.deepEqual(new Embedding(config as never).getConfig(), config);
  });

  it('names a bad id and where it is', () => {
    const layer = built({ inputDim: 10, outputDim: 2 }, 3);
    const bad = (value: number, message: RegExp): void => {
      assert.throws(
        () =>
          layer.forward(
            ids([
              [1, 2, 3],
              [4, value, 5],
            ]),
            inference,
          ),
        message,
      );
    };
    bad(10, /Embedding 'emb': token id 10 at \[1, 1\] is not an integer in \[0, 10\)/);
    bad(-1, /token id -1 at \[1, 1\]/);
    bad(2.5, /token id 2\.5 at \[1, 1\]/);
    bad(NaN, /token id NaN at \[1, 1\]/);
  });

  it('rejects bad options', () => {
    assert.throws(
      () => new Embedding({ inputDim: 0, outputDim: 2 }),
      /Embedding: inputDim must be a positive integer, got 0/,
    );
    assert.throws(
      () => new Embedding({ inputDim: 5 } as never),
      /outputDim must be a positive integer, got undefined/,
    );
    assert.throws(
      () => new Embedding({ inputDim: 5, outputDim: 2, maskZero: 1 } as never),
      /maskZero must be a boolean/,
    );
    assert.throws(
      () => new Embedding({ input_dim: 5, outputDim: 2 } as never),
      /unknown option 'input_dim'/,
    );
  });
});
