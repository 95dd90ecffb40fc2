import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimpleRNN } from '../../src/layers/simple-rnn.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64 } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

function tiny(activation: 'tanh' | 'relu'): SimpleRNN {
  const rnn = new SimpleRNN({ units: 2, activation, returnSequences: true });
  rnn.build([2, 2], f64, new Rng(1));
  // W[d, j] row-major: W = [[0.1, 0.2], [0.3, -0.4]]; U = [[0.5, 0], [-0.5, 1]]; b = [0.1, -0.1]
  rnn.kernel!.value.data.set([0.1, 0.2, 0.3, -0.4]);
  rnn.recurrentKernel!.value.data.set([0.5, 0, -0.5, 1]);
  rnn.bias!.value.data.set([0.1, -0.1]);
  return rnn;
}
// One sample, x1 = [1, 2], x2 = [0.5, -1].
const x = new Tensor(Float64Array.from([1, 2, 0.5, -1]), [1, 2, 2]);

describe('SimpleRNN', () => {
  it('tanh: two hand-computed steps (D=2, H=2)', () => {
    const y = tiny('tanh').forward(x, inference);
    // t=1: a = x1·W + b = [1·0.1 + 2·0.3 + 0.1, 1·0.2 + 2·(-0.4) - 0.1] = [0.8, -0.7]
    const [h10, h11] = [Math.tanh(0.8), Math.tanh(-0.7)];
    // t=2: a = x2·W + b + h1·U
    //   = [0.05 - 0.3 + 0.1 + 0.5·h10 - 0.5·h11, 0.1 + 0.4 - 0.1 + 0·h10 + 1·h11]
    const h20 = Math.tanh(-0.15 + 0.5 * h10 - 0.5 * h11);
    const h21 = Math.tanh(0.4 + h11);
    const expected = [h10, h11, h20, h21];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(y.data[i] - expected[i]) < 1e-12, `[${i}]`);
  });

  it('relu: the negative unit is cut at zero', () => {
    const y = tiny('relu').forward(x, inference);
    // t=1: a = [0.8, -0.7] → h1 = [0.8, 0]
    // t=2: a = [-0.15 + 0.5·0.8 - 0.5·0, 0.4 + 0] = [0.25, 0.4]
    const expected = [0.8, 0, 0.25, 0.4];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(y.data[i] - expected[i]) < 1e-12, `[${i}]`);
  });

  it('weights, validation and config', () => {
    const rnn = new SimpleRNN({ units: 3 });
    rnn.build([4, 2], f64, new Rng(2));
    assert.deepEqual(
      rnn.params().map((p) => [p.name, p.value.shape]),
      [
        ['kernel', [2, 3]],
        ['recurrent_kernel', [3, 3]],
        ['bias', [3]],
      ],
    );
    assert.throws(
      () => new SimpleRNN({ units: 3, activation: 'softmax' as never }),
      /activation must be one of/,
    );
    const config = new SimpleRNN({ units: 2, activation: 'relu', name: 'r' }).getConfig();
    assert.deepEqual(new SimpleRNN(config as never).getConfig(), config);
    assert.equal(config.activation, 'relu');
  });
});
