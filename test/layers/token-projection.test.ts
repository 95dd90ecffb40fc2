/**
 * A recurrent layer fed by an Embedding projects the batch's distinct tokens itself in training
 * (RecurrentLayer.forwardTokens, Sequential.trainOnBatch), and so do a Bidirectional's two
 * directions in one call (Bidirectional.forwardTokens): the same outputs and gradients as
 * Embedding.forward → forward → backward → Embedding.backward, checked on the float64 backend
 * against that path and against finite differences of the embedding table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackend } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/backend.js';
import { Bidirectional } from '../../src/layers/bidirectional.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GRU } from '../../src/layers/gru.js';
import { zeroGrad, type Param } from '../../src/layers/layer.js';
import { LSTM } from '../../src/layers/lstm.js';
import { getLoss } from '../../src/losses/index.js';
import type { RecurrentLayer, RecurrentOptions } from '../../src/layers/recurrent.js';
import { SimpleRNN } from '../../src/layers/simple-rnn.js';
import { Sequential } from '../../src/models/sequential.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64, randomTensor } from '../helpers/gradcheck.js';

type Make = (o: RecurrentOptions) => RecurrentLayer | Bidirectional;
const CELLS: [string, Make][] = [
  ['SimpleRNN', (o) => new SimpleRNN(o)],
  ['LSTM', (o) => new LSTM(o)],
  ['GRU resetAfter', (o) => new GRU(o)],
  ['GRU resetBefore', (o) => new GRU({ ...o, resetAfter: false })],
  // 'sum' keeps the output [B, H] / [B, T, H].
  ['Bidirectional LSTM', (o) => new Bidirectional({ layer: new LSTM(o), mergeMode: 'sum' })],
  ['Bidirectional GRU', (o) => new Bidirectional({ layer: new GRU(o), mergeMode: 'mul' })],
];
const VOCAB = 7;
const [B, T, D, H] = [3, 5, 4, 3];

/** Ids [B, T] from a small vocabulary: repeats within and across rows, and padding (0). */
function tokenIds(backend: Backend, seed: number): Tensor {
  const rng = new Rng(seed);
  const x = new Tensor(backend.alloc(B * T), [B, T]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.int(VOCAB);
  x.data[0] = 0;
  x.data[1] = 0;
  return x;
}

/** Embedding → recurrent layer built on `backend` with every weight random (biases too). */
function pair(backend: Backend, make: Make, options: Omit<RecurrentOptions, 'units'>) {
  const embedding = new Embedding({ inputDim: VOCAB, outputDim: D, maskZero: true });
  const layer = make({ ...options, units: H });
  embedding.build([T], backend, new Rng(1));
  layer.build([T, D], backend, new Rng(2));
  const rng = new Rng(3);
  for (const p of [...embedding.params(), ...layer.params()]) {
    for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniform(-0.6, 0.6);
  }
  return { embedding, layer, params: [...embedding.params(), ...layer.params()] };
}

const ctx = (mask: ReturnType<Embedding['computeMask']>) => ({
  training: true,
  mask,
  rng: new Rng(0),
});

/** Output and every parameter's gradient of L = Σ y ⊙ R, through the embedded input. */
function viaEmbedded(p: ReturnType<typeof pair>, x: Tensor, r: Tensor) {
  for (const param of p.params) zeroGrad(param);
  const e = p.embedding.forward(x, ctx(null));
  const y = p.layer.forward(e, ctx(p.embedding.computeMask(x)));
  const out = Float64Array.from(y.data);
  p.embedding.backward(p.layer.backward(new Tensor(r.data, y.shape)));
  return { y: out, grads: p.params.map((q) => Float64Array.from(q.grad.data)) };
}

/** The same through forwardTokens / backwardTokens. */
function viaTokens(p: ReturnType<typeof pair>, x: Tensor, r: Tensor) {
  for (const param of p.params) zeroGrad(param);
  const y = p.layer.forwardTokens(p.embedding, x, ctx(p.embedding.computeMask(x)));
  assert.equal(p.layer.projectedTokens, true);
  const out = Float64Array.from(y.data);
  assert.equal(p.layer.backwardTokens(new Tensor(r.data, y.shape)), null);
  return { y: out, grads: p.params.map((q) => Float64Array.from(q.grad.data)) };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    assert.ok(err <= tol * Math.max(scale, 1e-3), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

function outputShape(options: { returnSequences?: boolean }) {
  return options.returnSequences ? [B, T, H] : [B, H];
}

for (const [label, make] of CELLS) {
  describe(`${label} projecting an Embedding's tokens`, () => {
    for (const options of [
      {},
      { goBackwards: true },
      { returnSequences: true },
      { returnSequences: true, goBackwards: true, useBias: false },
      { recurrentDropout: 0.3 },
    ]) {
      it(`${JSON.stringify(options)}: outputs and gradients of the embedded path`, () => {
        const p = pair(f64, make, options);
        const x = tokenIds(f64, 5);
        const r = randomTensor(outputShape(options), new Rng(6));
        const want = viaEmbedded(p, x, r);
        const got = viaTokens(p, x, r);
        assertClose(got.y, want.y, 1e-12, 'y');
        p.params.forEach((q, i) => assertClose(got.grads[i], want.grads[i], 1e-12, q.name));
        // The token ids seen are the embedding rows listed as touched, as its own backward lists.
        const touched = [...new Set(Array.from(x.data))].sort((a, b) => a - b);
        const table = p.embedding.params()[0] as Param & { touchedRows: { ids: Int32Array } };
        assert.deepEqual(Array.from(table.touchedRows.ids), touched);
      });
    }

    it('the embedding gradient matches finite differences', () => {
      const p = pair(f64, make, { goBackwards: true });
      const x = tokenIds(f64, 8);
      const r = randomTensor(outputShape({}), new Rng(9));
      const { grads } = viaTokens(p, x, r);
      const table = p.embedding.params()[0].value.data;
      const loss = () => {
        const y = p.layer.forwardTokens(p.embedding, x, ctx(p.embedding.computeMask(x)));
        let s = 0;
        for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
        return s;
      };
      const eps = 1e-6;
      for (let i = 0; i < table.length; i++) {
        const v = table[i];
        table[i] = v + eps;
        const up = loss();
        table[i] = v - eps;
        const down = loss();
        table[i] = v;
        const numeric = (up - down) / (2 * eps);
        assert.ok(
          Math.abs(grads[0][i] - numeric) <= 1e-7,
          `dE[${i}]: ${grads[0][i]} vs ${numeric}`,
        );
      }
    });
  });
}

describe('Sequential.trainOnBatch projects tokens', () => {
  function model(backend: Backend, dropout: number, bidirectional = false) {
    const m = new Sequential({ seed: 4, backend });
    m.add(new Embedding({ inputDim: VOCAB, outputDim: D }));
    const lstm = new LSTM({ units: H, dropout });
    m.add(bidirectional ? new Bidirectional({ layer: lstm }) : lstm);
    m.add(new Dense({ units: 1, activation: 'sigmoid' }));
    m.build([T]);
    m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    return m;
  }

  /** One SGD step taken by hand through the embedded path, as trainOnBatch did before. */
  function embeddedStep(m: Sequential, x: Tensor, y: Tensor): void {
    for (const p of m.params()) zeroGrad(p);
    const yPred = m.forward(x, true);
    const dy = new Tensor(m.backend.alloc(yPred.size), yPred.shape);
    getLoss(m.lossName).compute(yPred, y, dy);
    m.backward(dy);
    m.optimizer.apply(m.params(), m.backend);
  }

  const labels = (backend: Backend) => new Tensor(backend.alloc(B).fill(1), [B, 1]);

  for (const bidirectional of [false, true]) {
    const what = bidirectional ? 'a Bidirectional LSTM' : 'an LSTM';
    const projected = (m: Sequential) =>
      (m.layers[1] as RecurrentLayer | Bidirectional).projectedTokens;

    it(`${what} without input dropout: the weights of a step through the embedded path`, () => {
      const [a, b] = [model(f64, 0, bidirectional), model(f64, 0, bidirectional)];
      const x = tokenIds(f64, 10);
      a.trainOnBatch(x, labels(f64));
      assert.equal(projected(a), true);
      embeddedStep(b, x, labels(f64));
      assert.equal(projected(b), false);
      a.weights().forEach((w, i) =>
        assertClose(w.value.data, b.weights()[i].value.data, 1e-12, w.name),
      );
    });

    it(`${what} with input dropout runs the embedded path (the dropout needs the vectors)`, () => {
      const m = model(f64, 0.5, bidirectional);
      m.trainOnBatch(tokenIds(f64, 11), labels(f64));
      assert.equal(projected(m), false);
    });
  }

  for (const name of ['native', 'wasm']) {
    it(`on ${name}: gradients of the embedded path to float32 rounding`, () => {
      const backend = createBackend(name);
      for (const [label, make] of CELLS) {
        const p = pair(backend, make, { returnSequences: true });
        const x = tokenIds(backend, 12);
        const r = new Tensor(backend.alloc(B * T * H), [B, T, H]);
        r.data.set(randomTensor([B, T, H], new Rng(13)).data);
        const want = viaEmbedded(p, x, r);
        const got = viaTokens(p, x, r);
        assertClose(got.y, want.y, 1e-6, `${label} y`);
        p.params.forEach((q, i) =>
          assertClose(got.grads[i], want.grads[i], 1e-5, `${label} ${q.name}`),
        );
      }
    });
  }
});
