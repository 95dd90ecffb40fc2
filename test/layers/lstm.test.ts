import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LSTM } from '../../src/layers/lstm.js';
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

describe('LSTM', () => {
  it('matches two hand-computed steps (D=1, H=1)', () => {
    const lstm = new LSTM({ units: 1, returnSequences: true });
    lstm.build([2, 1], f64, new Rng(1));
    // Gate order i, f, c, o.
    lstm.kernel!.value.data.set([0.5, -0.5, 1, 2]);
    lstm.recurrentKernel!.value.data.set([0.1, 0.2, 0.3, 0.4]);
    lstm.bias!.value.data.set([0, 1, 0, 0]);
    const y = lstm.forward(new Tensor(Float64Array.from([1, -1]), [1, 2, 1]), inference);
    // t=1, x=1, h0=c0=0: pre-activations [0.5, -0.5+1, 1, 2]
    //   i = σ(0.5) = 0.62246, f = σ(0.5), g = tanh(1) = 0.76159, o = σ(2) = 0.88080
    //   c1 = f·0 + i·g = 0.47406, h1 = o·tanh(c1) = 0.38885
    const i1 = sigmoid(0.5);
    const g1 = Math.tanh(1);
    const c1 = i1 * g1;
    const h1 = sigmoid(2) * Math.tanh(c1);
    // t=2, x=-1: pre-activations [-0.5 + 0.1·h1, 0.5 + 1 + 0.2·h1, -1 + 0.3·h1, -2 + 0.4·h1]
    //   = [-0.46112, 1.57777, -0.88335, -1.84446]
    //   c2 = σ(1.57777)·c1 + σ(-0.46112)·tanh(-0.88335) = 0.11911, h2 = σ(-1.84446)·tanh(c2) = 0.016185
    const c2 = sigmoid(1.5 + 0.2 * h1) * c1 + sigmoid(-0.5 + 0.1 * h1) * Math.tanh(-1 + 0.3 * h1);
    const h2 = sigmoid(-2 + 0.4 * h1) * Math.tanh(c2);
    close(y.data, [h1, h2]);
    close([h1, h2], [0.3888498844368542, 0.016184993249949247]);
    assert.deepEqual(y.shape, [1, 2, 1]);
  });

  it('initialises Keras-style: shapes, glorot bounds, orthogonal U, forget bias ones', () => {
    const [D, H] = [5, 3];
    const lstm = new LSTM({ units: H });
    lstm.build([7, D], f64, new Rng(42));
    const [W, U, b] = lstm.params();
    assert.deepEqual(
      lstm.params().map((p) => [p.name, p.value.shape]),
      [
        ['kernel', [D, 4 * H]],
        ['recurrent_kernel', [H, 4 * H]],
        ['bias', [4 * H]],
      ],
    );
    const limit = Math.sqrt(6 / (D + 4 * H));
    assert.ok(W.value.data.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...W.value.data.map(Math.abs)) > 0.8 * limit, 'glorot should use its range');
    // U·Uᵀ = I: the H rows of the wide [H, 4H] matrix are orthonormal.
    for (let r = 0; r < H; r++) {
      for (let q = 0; q < H; q++) {
        let dot = 0;
        for (let k = 0; k < 4 * H; k++)
          dot += U.value.data[r * 4 * H + k] * U.value.data[q * 4 * H + k];
        assert.ok(Math.abs(dot - (r === q ? 1 : 0)) < 1e-12, `UUᵀ[${r},${q}] = ${dot}`);
      }
    }
    assert.deepEqual([...b.value.data], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const noForget = new LSTM({ units: H, unitForgetBias: false });
    noForget.build([7, D], f64, new Rng(42));
    assert.ok(noForget.bias!.value.data.every((v) => v === 0));
    assert.equal(lstm.countParams(), D * 4 * H + H * 4 * H + 4 * H);
  });

  it('same seed gives the same weights, another seed different ones', () => {
    const weights = (seed: number): number[] => {
      const lstm = new LSTM({ units: 4 });
      lstm.build([3, 6], f64, new Rng(seed));
      return lstm.params().flatMap((p) => [...p.value.data]);
    };
    assert.deepEqual(weights(9), weights(9));
    assert.notDeepEqual(weights(9), weights(10));
  });

  it('IMDB shape: 49,408 weights for Embedding 128 → LSTM(64)', () => {
    const lstm = new LSTM({ units: 64 });
    lstm.build([200, 128], f64, new Rng(1));
    assert.equal(lstm.countParams(), 49408);
    assert.deepEqual(lstm.outputShape([200, 128]), [64]);
  });

  it('config round trip', () => {
    const lstm = new LSTM({
      units: 8,
      returnSequences: true,
      goBackwards: true,
      dropout: 0.25,
      recurrentDropout: 0.1,
      unitForgetBias: false,
      useBias: false,
      name: 'encoder',
    });
    const config = lstm.getConfig();
    assert.deepEqual(new LSTM(config as never).getConfig(), config);
    assert.equal(config.name, 'encoder');
    assert.deepEqual(new LSTM({ units: 3 }).getConfig(), {
      name: '',
      units: 3,
      useBias: true,
      returnSequences: false,
      goBackwards: false,
      dropout: 0,
      recurrentDropout: 0,
      unitForgetBias: true,
    });
  });
});
