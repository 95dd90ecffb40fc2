import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bidirectional } from '../../src/layers/bidirectional.js';
import { GRU } from '../../src/layers/gru.js';
import { LSTM } from '../../src/layers/lstm.js';
import '../../src/layers/simple-rnn.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64, randomTensor } from '../helpers/gradcheck.js';

const inference = { training: false, mask: null, rng: new Rng(0) };

/** x with its steps in reverse order. */
function reversed(x: Tensor): Tensor {
  const [B, T, D] = x.shape;
  const out = new Float64Array(x.size);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) out[(b * T + t) * D + d] = x.data[(b * T + T - 1 - t) * D + d];
    }
  }
  return new Tensor(out, x.shape);
}

describe('Bidirectional', () => {
  it('names weights forward_<inner>/… then backward_<inner>/…', () => {
    const bi = new Bidirectional({ layer: new LSTM({ units: 2 }) });
    bi.build([3, 4], f64, new Rng(1));
    assert.deepEqual(
      bi.params().map((p) => p.name),
      [
        'forward_lstm/kernel',
        'forward_lstm/recurrent_kernel',
        'forward_lstm/bias',
        'backward_lstm/kernel',
        'backward_lstm/recurrent_kernel',
        'backward_lstm/bias',
      ],
    );
    assert.equal(bi.params(), bi.params(), 'the same Param objects every call');
    assert.equal(bi.backwardLayer.goBackwards, true);
    const named = new Bidirectional({ layer: new GRU({ units: 2, name: 'enc' }) });
    assert.equal(named.forwardLayer.name, 'forward_enc');
    assert.equal(named.backwardLayer.name, 'backward_enc');
  });

  it('concatenates the forward pass and the time-reversed backward pass', () => {
    const [B, T, D, H] = [2, 4, 3, 2];
    const bi = new Bidirectional({ layer: new LSTM({ units: H, returnSequences: true }) });
    bi.build([T, D], f64, new Rng(2));
    const x = randomTensor([B, T, D], new Rng(3));
    const y = bi.forward(x, inference);
    assert.deepEqual(y.shape, [B, T, 2 * H]);
    assert.deepEqual(bi.outputShape([T, D]), [T, 2 * H]);
    // A plain forward LSTM with the backward weights, fed the reversed input.
    const ref = new LSTM({ units: H, returnSequences: true });
    ref.build([T, D], f64, new Rng(0));
    ref.params().forEach((p, i) => p.value.data.set(bi.backwardLayer.params()[i].value.data));
    const yr = ref.forward(reversed(x), inference);
    const yf = bi.forwardLayer.forward(x, inference);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < H; j++) {
          const o = (b * T + t) * 2 * H;
          assert.equal(y.data[o + j], yf.data[(b * T + t) * H + j]);
          const expected = yr.data[(b * T + T - 1 - t) * H + j];
          assert.ok(
            Math.abs(y.data[o + H + j] - expected) < 1e-12,
            `backward half at b=${b} t=${t}`,
          );
        }
      }
    }
  });

  it('last-state output is [B, 2H]; sum merges to [B, H]', () => {
    const bi = new Bidirectional({ layer: new GRU({ units: 3 }) });
    bi.build([5, 2], f64, new Rng(4));
    assert.deepEqual(bi.forward(randomTensor([2, 5, 2], new Rng(1)), inference).shape, [2, 6]);
    const sum = new Bidirectional({ layer: new GRU({ units: 3 }), mergeMode: 'sum' });
    assert.deepEqual(sum.outputShape([5, 2]), [3]);
    assert.throws(
      () => new Bidirectional({ layer: new GRU({ units: 3 }), mergeMode: 'max' as never }),
      /mergeMode/,
    );
  });

  it('runs two layers in one call only with a twin (same cell and units)', () => {
    const x = randomTensor([2, 3, 4], new Rng(3));
    const lstm = new LSTM({ units: 2 });
    lstm.build([3, 4], f64, new Rng(1));
    const training = { ...inference, training: true };
    for (const other of [new GRU({ units: 2 }), new LSTM({ units: 3 })]) {
      other.build([3, 4], f64, new Rng(2));
      assert.throws(() => lstm.forwardLastStates(x, inference, other), /must have its cell/);
      assert.throws(() => lstm.forwardWith(other, x, training), /must have its cell/);
      const dy = new Tensor(new Float64Array(4), [2, 2]);
      assert.throws(() => lstm.backwardWith(other, dy, dy), /must have its cell/);
    }
    const twin = new LSTM({ units: 2, goBackwards: true });
    twin.build([3, 4], f64, new Rng(2));
    const [y, yTwin] = lstm.forwardLastStates(x, inference, twin) ?? [];
    assert.deepEqual([...y.data], [...lstm.forward(x, inference).data]);
    assert.deepEqual([...yTwin.data], [...twin.forward(x, inference).data]);
    assert.equal(lstm.forwardLastStates(x, { ...inference, training: true }, twin), null);
  });

  it('config round trip, through JSON and the registry', () => {
    const bi = new Bidirectional({
      layer: new LSTM({ units: 4, returnSequences: true, dropout: 0.1 }),
      mergeMode: 'ave',
      name: 'bi',
    });
    const config = JSON.parse(JSON.stringify(bi.getConfig()));
    const again = new Bidirectional(config);
    assert.deepEqual(again.getConfig(), bi.getConfig());
    assert.deepEqual(config.layer, {
      className: 'LSTM',
      config: {
        name: 'lstm',
        units: 4,
        useBias: true,
        returnSequences: true,
        goBackwards: false,
        dropout: 0.1,
        recurrentDropout: 0,
        unitForgetBias: true,
      },
    });
    const rnn = new Bidirectional({ layer: { className: 'SimpleRNN', config: { units: 2 } } });
    assert.equal(rnn.forwardLayer.className, 'SimpleRNN');
    assert.equal(rnn.forwardLayer.name, 'forward_simple_rnn');
    assert.throws(
      () => new Bidirectional({ layer: { className: 'Dense', config: { units: 2 } } }),
      /unknown recurrent layer 'Dense'/,
    );
  });

  it('passes the input mask on only with returnSequences', () => {
    const mask = { data: Uint8Array.from([0, 1, 1]), batch: 1, steps: 3 };
    const x = randomTensor([1, 3, 2], new Rng(1));
    const seq = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }) });
    assert.equal(seq.computeMask(x, mask), mask);
    const last = new Bidirectional({ layer: new LSTM({ units: 2 }) });
    assert.equal(last.computeMask(x, mask), null);
  });
});
