import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU } from '../../src/layers/gru.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64 } from '../helpers/gradcheck.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const inference = { training: false, mask: null, rng: new Rng(0) };

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

/** D=1, H=1, gates z, r, h: W = [0.5, -1, 2], U = [0.3, -0.2, 0.6], input bias [0.1, 0.2, -0.1]. */
function tiny(resetAfter: boolean): GRU {
  const gru = new GRU({ units: 1, returnSequences: true, resetAfter });
  gru.build([2, 1], f64, new Rng(1));
  gru.kernel!.value.data.set([0.5, -1, 2]);
  gru.recurrentKernel!.value.data.set([0.3, -0.2, 0.6]);
  // resetAfter: row 0 input bias, row 1 recurrent bias.
  gru.bias!.value.data.set(resetAfter ? [0.1, 0.2, -0.1, 0.05, -0.05, 0.2] : [0.1, 0.2, -0.1]);
  return gru;
}
const x = new Tensor(Float64Array.from([1, 0.5]), [1, 2, 1]);

describe('GRU', () => {
  it('resetAfter=true matches two hand-computed steps', () => {
    const y = tiny(true).forward(x, inference);
    // t=1, x=1, h0=0: rec = 0·U + b_rec = [0.05, -0.05, 0.2]
    //   z = σ(0.5+0.1+0.05) = σ(0.65) = 0.65701, r = σ(-1+0.2-0.05) = σ(-0.85) = 0.29943
    //   hh = tanh(2-0.1 + r·0.2) = 0.96108, h1 = z·0 + (1-z)·hh = 0.32964
    const r1 = sigmoid(-0.85);
    const h1 = (1 - sigmoid(0.65)) * Math.tanh(1.9 + r1 * 0.2);
    // t=2, x=0.5: rec = [0.3·h1 + 0.05, -0.2·h1 - 0.05, 0.6·h1 + 0.2]
    //   z = σ(0.25+0.1 + rec_z), r = σ(-0.5+0.2 + rec_r), hh = tanh(1-0.1 + r·rec_h) → h2 = 0.50165
    const z2 = sigmoid(0.35 + 0.3 * h1 + 0.05);
    const r2 = sigmoid(-0.3 - 0.2 * h1 - 0.05);
    const h2 = z2 * h1 + (1 - z2) * Math.tanh(0.9 + r2 * (0.6 * h1 + 0.2));
    close(y.data, [h1, h2]);
    close([h1, h2], [0.3296407874116786, 0.5016539443504784]);
  });

  it('resetAfter=false matches two hand-computed steps', () => {
    const y = tiny(false).forward(x, inference);
    // t=1: z = σ(0.6) = 0.64566, r = σ(-0.8), hh = tanh(1.9 + (r·0)·0.6) = tanh(1.9) = 0.95624,
    //   h1 = (1-z)·hh = 0.33884
    const h1 = (1 - sigmoid(0.6)) * Math.tanh(1.9);
    // t=2: z = σ(0.35 + 0.3·h1), r = σ(-0.3 - 0.2·h1), hh = tanh(0.9 + (r·h1)·0.6) → h2 = 0.50049
    const z2 = sigmoid(0.35 + 0.3 * h1);
    const r2 = sigmoid(-0.3 - 0.2 * h1);
    const h2 = z2 * h1 + (1 - z2) * Math.tanh(0.9 + r2 * h1 * 0.6);
    close(y.data, [h1, h2]);
    close([h1, h2], [0.33883671303823937, 0.500490714426562]);
  });

  it('weight shapes and initialisation', () => {
    const gru = new GRU({ units: 4 });
    gru.build([3, 5], f64, new Rng(3));
    assert.deepEqual(
      gru.params().map((p) => [p.name, p.value.shape]),
      [
        ['kernel', [5, 12]],
        ['recurrent_kernel', [4, 12]],
        ['bias', [2, 12]],
      ],
    );
    assert.ok(gru.bias!.value.data.every((v) => v === 0));
    const limit = Math.sqrt(6 / (5 + 12));
    assert.ok(gru.kernel!.value.data.every((v) => Math.abs(v) <= limit));
    const U = gru.recurrentKernel!.value.data;
    let norm = 0;
    for (let k = 0; k < 12; k++) norm += U[k] * U[k];
    assert.ok(Math.abs(norm - 1) < 1e-12, 'rows of U are unit vectors');
    const before = new GRU({ units: 4, resetAfter: false });
    before.build([3, 5], f64, new Rng(3));
    assert.deepEqual(before.bias!.value.shape, [12]);
  });

  it('config round trip', () => {
    const gru = new GRU({ units: 5, resetAfter: false, returnSequences: true, name: 'g' });
    const config = gru.getConfig();
    assert.deepEqual(new GRU(config as never).getConfig(), config);
    assert.equal(config.resetAfter, false);
    assert.equal(new GRU({ units: 1 }).resetAfter, true);
  });
});
