import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { GRU } from '../../src/layers/gru.js';
import { LSTM } from '../../src/layers/lstm.js';
import type { RecurrentLayer, RecurrentOptions } from '../../src/layers/recurrent.js';
import { SimpleRNN } from '../../src/layers/simple-rnn.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor, type SequenceMask } from '../../src/tensor/tensor.js';
import { f64, randomTensor } from '../helpers/gradcheck.js';

type Make = (o: RecurrentOptions) => RecurrentLayer;
const CELLS: [string, Make][] = [
  ['SimpleRNN', (o) => new SimpleRNN(o)],
  ['LSTM', (o) => new LSTM(o)],
  ['GRU', (o) => new GRU(o)],
  ['GRU resetBefore', (o) => new GRU({ ...o, resetAfter: false })],
];
const ctx = (mask: SequenceMask | null = null, training = false) => ({
  training,
  mask,
  rng: new Rng(0),
});

function built(
  make: Make,
  options: Partial<RecurrentOptions>,
  T: number,
  D: number,
): RecurrentLayer {
  const layer = make({ units: 3, ...options });
  layer.build([T, D], f64, new Rng(11));
  if (layer.bias)
    for (let i = 0; i < layer.bias.value.size; i++) layer.bias.value.data[i] = 0.1 * (i % 5);
  return layer;
}

/** The steps [from, to) of every sample. */
function steps(x: Tensor, from: number, to: number): Tensor {
  const [B, T, D] = x.shape;
  const out = new Float64Array(B * (to - from) * D);
  for (let b = 0; b < B; b++)
    out.set(x.data.subarray((b * T + from) * D, (b * T + to) * D), b * (to - from) * D);
  return new Tensor(out, [B, to - from, D]);
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12, what = ''): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const [label, make] of CELLS) {
  describe(`${label} sequence semantics`, () => {
    it('goBackwards equals running forwards over the reversed input (output in processing order)', () => {
      const x = randomTensor([1, 4, 2], new Rng(1));
      const back = built(make, { goBackwards: true, returnSequences: true }, 4, 2);
      const fwd = built(make, { returnSequences: true }, 4, 2);
      const rev = new Float64Array(x.size);
      for (let t = 0; t < 4; t++) rev.set(x.data.subarray((3 - t) * 2, (4 - t) * 2), t * 2);
      close(back.forward(x, ctx()).data, fwd.forward(new Tensor(rev, x.shape), ctx()).data);
    });

    it('pre-padding: masked steps keep the zero state; outputs there are zeros', () => {
      const x = randomTensor([2, 5, 2], new Rng(2));
      // Sample 0 has two leading pad steps, sample 1 none.
      const mask = { data: Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]), batch: 2, steps: 5 };
      const seq = built(make, { returnSequences: true }, 5, 2);
      const y = seq.forward(x, ctx(mask));
      close(y.data.subarray(0, 6), new Float64Array(6), 0, 'padded outputs');
      const short = seq.forward(steps(x, 2, 5), ctx());
      close(y.data.subarray(6, 15), short.data.subarray(0, 9), 1e-12, 'real steps of sample 0');
      const last = built(make, {}, 5, 2);
      close(
        last.forward(x, ctx(mask)).data.subarray(0, 3),
        short.data.subarray(6, 9),
        1e-12,
        'final state',
      );
    });

    it('post-padding: the final state is the state at the last real step', () => {
      const x = randomTensor([1, 5, 2], new Rng(3));
      const mask = { data: Uint8Array.from([1, 1, 1, 0, 0]), batch: 1, steps: 5 };
      const layer = built(make, {}, 5, 2);
      close(layer.forward(x, ctx(mask)).data, layer.forward(steps(x, 0, 3), ctx()).data);
    });

    it('computeMask: the input mask with returnSequences (reversed when goBackwards), else null', () => {
      const mask = { data: Uint8Array.from([0, 1, 1]), batch: 1, steps: 3 };
      const x = randomTensor([1, 3, 2], new Rng(1));
      assert.equal(make({ units: 2 }).computeMask(x, mask), null);
      assert.equal(make({ units: 2, returnSequences: true }).computeMask(x, mask), mask);
      const back = make({ units: 2, returnSequences: true, goBackwards: true }).computeMask(
        x,
        mask,
      );
      assert.deepEqual([...back!.data], [1, 1, 0]);
    });
  });
}

describe('recurrent layers: buffers, dropout, state gradients, float32', () => {
  it('reuses buffers across batch shapes without stale results', () => {
    const layer = built((o) => new LSTM(o), { returnSequences: true }, 4, 3);
    const a = randomTensor([3, 4, 3], new Rng(1));
    const b = randomTensor([2, 4, 3], new Rng(2));
    const dy = randomTensor([3, 4, 3], new Rng(3));
    const y1 = Float64Array.from(layer.forward(a, ctx()).data);
    const dx1 = Float64Array.from(layer.backward(dy).data);
    layer.forward(b, ctx());
    layer.backward(randomTensor([2, 4, 3], new Rng(4)));
    layer.forward(a, ctx());
    layer.forward(a, ctx());
    close(layer.forward(a, ctx()).data, y1, 0);
    close(layer.backward(dy).data, dx1, 0);
  });

  it('dropout acts only in training, is seeded, and changes the output', () => {
    const x = randomTensor([2, 3, 4], new Rng(1));
    const plain = built((o) => new GRU(o), {}, 3, 4);
    const dropped = built((o) => new GRU(o), { dropout: 0.5, recurrentDropout: 0.5 }, 3, 4);
    close(dropped.forward(x, ctx()).data, plain.forward(x, ctx()).data, 0);
    const t1 = dropped.forward(x, ctx(null, true)).data;
    const t2 = dropped.forward(x, ctx(null, true)).data;
    close(t1, t2, 0);
    assert.ok(t1.some((v, i) => Math.abs(v - plain.forward(x, ctx()).data[i]) > 1e-6));
  });

  it('records ‖∂L/∂h_t‖ per step; padded steps pass the gradient through unchanged', () => {
    const layer = built((o) => new LSTM(o), {}, 5, 2);
    const norms: number[] = [];
    layer.observer = { stateGradients: (n) => norms.push(...n) };
    const mask = { data: Uint8Array.from([0, 0, 1, 1, 1]), batch: 1, steps: 5 };
    layer.forward(randomTensor([1, 5, 2], new Rng(5)), ctx(mask, true));
    const dy = new Tensor(Float64Array.from([0.3, -0.4, 1.2]), [1, 3]);
    layer.backward(dy);
    assert.equal(norms.length, 5);
    assert.ok(Math.abs(norms[4] - Math.hypot(0.3, -0.4, 1.2)) < 1e-12, 'last step sees dy');
    assert.ok(norms[1] > 0);
    assert.equal(norms[0], norms[1]);
  });

  it('float32 agrees with float64', () => {
    const f32 = createReferenceBackend('float32');
    for (const make of CELLS.map((c) => c[1])) {
      const a = make({ units: 4, returnSequences: true });
      const b = make({ units: 4, returnSequences: true });
      a.build([6, 3], f64, new Rng(1));
      b.build([6, 3], f32, new Rng(1));
      const x = randomTensor([2, 6, 3], new Rng(2));
      const x32 = new Tensor(Float32Array.from(x.data), x.shape);
      close(b.forward(x32, ctx()).data, a.forward(x, ctx()).data, 1e-5);
      const dy = randomTensor([2, 6, 4], new Rng(3));
      close(
        b.backward(new Tensor(Float32Array.from(dy.data), dy.shape)).data,
        a.backward(dy).data,
        1e-5,
      );
    }
  });
});

describe('recurrent option and shape validation', () => {
  it('rejects bad options with clear messages', () => {
    assert.throws(() => new LSTM({ units: 0 }), /LSTM: units must be a positive integer, got 0/);
    assert.throws(() => new GRU({ units: 2.5 }), /GRU: units must be a positive integer/);
    assert.throws(
      () => new LSTM({ units: 2, dropout: 1 }),
      /dropout must be a number in \[0, 1\), got 1/,
    );
    assert.throws(
      () => new SimpleRNN({ units: 2, recurrentDropout: -0.1 }),
      /recurrentDropout must be/,
    );
    assert.throws(
      () => new LSTM({ units: 2, return_sequences: true } as never),
      /unknown option 'return_sequences'/,
    );
    assert.throws(
      () => new LSTM({ units: 2, goBackwards: 1 } as never),
      /goBackwards must be a boolean/,
    );
    assert.throws(
      () => new GRU({ units: 2, resetAfter: 'yes' } as never),
      /resetAfter must be a boolean/,
    );
  });

  it('rejects inputs that are not [batch, steps, features]', () => {
    const layer = new LSTM({ units: 2, name: 'enc' });
    assert.throws(() => layer.build([3], f64, new Rng(1)), /LSTM 'enc': expected input of rank 3/);
    layer.build([3, 4], f64, new Rng(1));
    assert.throws(
      () => layer.forward(randomTensor([2, 4], new Rng(1)), ctx()),
      /expected input \[batch, steps, 4\]/,
    );
    assert.throws(
      () => layer.forward(randomTensor([2, 3, 5], new Rng(1)), ctx()),
      /got \[2, 3, 5\]/,
    );
    const badMask = { data: new Uint8Array(6), batch: 2, steps: 3 };
    assert.throws(
      () => layer.forward(randomTensor([2, 4, 4], new Rng(1)), ctx(badMask)),
      /mask is \[2, 3\]/,
    );
    assert.throws(
      () => new LSTM({ units: 2 }).backward(randomTensor([1, 2], new Rng(1))),
      /backward before forward/,
    );
  });
});
