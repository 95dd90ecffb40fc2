/**
 * The whole-sequence ops against themselves on the tested backend, bit for bit (their values
 * against the reference are the recurrent group's): sequenceForward of T steps against T calls
 * of one step on views, gate rows against the gates gathered first, the same ops on one thread,
 * two layers in one call against a call each, backward with lastStepOnly against dH's earlier
 * blocks zeroed, sequenceLast against the training path's ops and two layers in one call against
 * two calls. Then the recurrent layers: with a step observer (forward one call per step) against without
 * (one call per pass): outputs, final states, every gradient; and inference's last state (a
 * Bidirectional's two in one call) against the training forward.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../../src/backend/backend.js';
import {
  gateCount,
  sequenceStep,
  type GateRows,
  type SequenceBuffers,
  type SequenceCell,
  type SequenceGradients,
} from '../../../src/backend/recurrent-ops.js';
import { sequenceLastByTrainingPath } from '../../../src/backend/reference/sequence.js';
import { Bidirectional } from '../../../src/layers/bidirectional.js';
import { GRU } from '../../../src/layers/gru.js';
import type { Layer } from '../../../src/layers/layer.js';
import { LSTM } from '../../../src/layers/lstm.js';
import type { RecurrentLayer, RecurrentOptions } from '../../../src/layers/recurrent.js';
import { SimpleRNN } from '../../../src/layers/simple-rnn.js';
import { Rng } from '../../../src/random/rng.js';
import { floatArray, Tensor, type FloatArray } from '../../../src/tensor/tensor.js';
import type { SuiteContext } from './harness.js';

const CELLS: SequenceCell[] = [
  { kind: 'simpleRnn', activation: 'tanh' },
  { kind: 'simpleRnn', activation: 'relu' },
  { kind: 'lstm' },
  { kind: 'gru', resetAfter: true },
  { kind: 'gru', resetAfter: false },
];

/** [batch, steps, units, inputDim]: odd sizes, a full and a partial GEMM tile of rows. */
const SHAPES = [
  [1, 1, 3, 2],
  [3, 5, 17, 9],
  [17, 4, 8, 33],
  [65, 3, 63, 20],
];

function random(be: Backend, rng: Rng, n: number, scale = 1): FloatArray {
  const a = be.alloc(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
  return a;
}

function firstDifference(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) return i;
  return -1;
}

function assertSameBits(got: FloatArray[], want: FloatArray[], what: string): void {
  got.forEach((a, i) => {
    const at = firstDifference(a, want[i]);
    assert.equal(at, -1, `${what}: output ${i} differs at ${at} (${a[at]} vs ${want[i][at]})`);
  });
}

/** Zero-filled arrays of n values: the backend's own, or ordinary ones of its dtype. */
type Alloc = (n: number) => FloatArray;

/** A sequenceForward over whole buffers: the sequence and U. */
interface ForwardArgs {
  readonly seq: SequenceBuffers;
  readonly U: FloatArray;
}

/** The arguments of a sequenceForward over whole buffers, drawn from `rng`. */
function forwardArgs(
  alloc: Alloc,
  rng: Rng,
  cell: SequenceCell,
  [B, T, H]: number[],
  masked: boolean,
  dropout: boolean,
): ForwardArgs {
  const G = gateCount(cell) * H;
  const BH = B * H;
  const random = (n: number, scale = 1) => {
    const a = alloc(n);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
    return a;
  };
  const gates = random(T * B * G, 2);
  const U = random(H * G, 0.5);
  const h = random((T + 1) * BH);
  const gru = cell.kind === 'gru';
  const c = cell.kind === 'lstm' ? random((T + 1) * BH) : null;
  const rec = gru ? random(T * B * G) : null;
  const rh = gru && !cell.resetAfter ? alloc(T * BH) : null;
  const recurrentBias = gru && cell.resetAfter ? random(G) : null;
  const scale = dropout ? alloc(BH) : null;
  for (let i = 0; scale !== null && i < BH; i++) scale[i] = rng.next() < 0.3 ? 0 : 1 / 0.7;
  const hIn = dropout ? alloc(T * BH) : null;
  const mask = masked ? Uint8Array.from({ length: T * B }, () => (rng.next() < 0.3 ? 0 : 1)) : null;
  const shape = { cell, batch: B, steps: T, units: H };
  const states = { h, hIn, recurrentScale: scale, mask, c, rec, rh, recurrentBias };
  return { seq: { ...shape, gates, ...states }, U };
}

/** The arrays a sequenceForward writes. */
function forwardOutputs({ seq }: ForwardArgs): FloatArray[] {
  const { gates, h, hIn, c, rec, rh } = seq;
  return [gates, h, hIn, c, rec, rh].filter((a): a is FloatArray => a !== null);
}

/** sequenceForward as T calls of one step on views from block s of each buffer. */
function forwardInSteps(be: Backend, { seq, U }: ForwardArgs, gateRows: GateRows | null): void {
  for (let s = 0; s < seq.steps; s++) {
    const [step, rows] = sequenceStep(seq, s, gateRows);
    be.sequenceForward(step, U, rows);
  }
}

/**
 * sequenceForward with gateRows against the same rows gathered into the gates first (and the
 * bias added after, when there is one): the same bits, in one call and in calls of one step on
 * views, on the tested backend and on one thread. The gates hold NaN on entry: the op must copy
 * every row in before it reads one.
 */
function gateRowsAgainstGathered(ctx: SuiteContext): void {
  const backends = [ctx.tested(), ...(ctx.oneThread ? [ctx.oneThread()] : [])];
  const be = backends[0];
  for (const cell of CELLS) {
    for (const shape of SHAPES) {
      const [B, T, H] = shape;
      const G = gateCount(cell) * H;
      const seed = shape[0] * 31 + shape[1];
      const draw = new Rng(seed + 1);
      const count = Math.floor((T * B) / 2) + 1; // fewer rows than steps × batch: repeats
      const table = random(be, draw, count * G, 2);
      const rows = Int32Array.from({ length: T * B }, () => draw.int(count));
      // Rows with a bias on three of the four shapes (the even seeds), without on the other.
      const bias = seed % 2 === 0 ? random(be, draw, G, 1) : null;
      const want = forwardArgs((n) => be.alloc(n), new Rng(seed), cell, shape, true, true);
      be.gather(table, G, rows, want.seq.gates);
      if (bias !== null) be.addRowVector(want.seq.gates, T * B, G, bias);
      be.sequenceForward(want.seq, want.U);
      for (const [i, tested] of backends.entries()) {
        for (const stepwise of [false, true]) {
          const got = forwardArgs((n) => tested.alloc(n), new Rng(seed), cell, shape, true, true);
          got.seq.gates.fill(NaN);
          if (stepwise) forwardInSteps(tested, got, { table, rows, bias });
          else tested.sequenceForward(got.seq, got.U, { table, rows, bias });
          const what = JSON.stringify({ cell, shape, stepwise, bias: !!bias, oneThread: i === 1 });
          assertSameBits(forwardOutputs(got), forwardOutputs(want), what);
        }
      }
    }
  }
}

/**
 * sequenceForward of T steps against T calls of one step on views from block s of each buffer
 * (the path of a layer whose observer sees every step): the same bits. Views into the backend's
 * own memory, and into ordinary arrays (which a wasm backend copies in and out).
 */
function forwardStepByStep(ctx: SuiteContext): void {
  const be = ctx.tested();
  const allocs: Alloc[] = [(n) => be.alloc(n), (n) => floatArray(be.dtype, n)];
  for (const cell of CELLS) {
    for (const shape of SHAPES) {
      for (const masked of [false, true]) {
        for (const dropout of [false, true]) {
          for (const alloc of allocs) {
            const seed = shape[0] * 31 + shape[1];
            const want = forwardArgs(allocs[0], new Rng(seed), cell, shape, masked, dropout);
            const got = forwardArgs(alloc, new Rng(seed), cell, shape, masked, dropout);
            be.sequenceForward(want.seq, want.U);
            forwardInSteps(be, got, null);
            const what = JSON.stringify({
              cell,
              shape,
              masked,
              dropout,
              plain: alloc !== allocs[0],
            });
            assertSameBits(forwardOutputs(got), forwardOutputs(want), what);
          }
        }
      }
    }
  }
}

/** A sequence's forward arguments and its backward's (Uᵀ, the gradients), drawn from `seed`. */
interface PassArgs extends ForwardArgs {
  readonly Ut: FloatArray;
  readonly grads: SequenceGradients;
}

function passArgs(
  be: Backend,
  cell: SequenceCell,
  shape: number[],
  masked: boolean,
  dropout: boolean,
  seed = shape[0] * 31 + shape[1],
): PassArgs {
  const rng = new Rng(seed);
  const fwd = forwardArgs((n) => be.alloc(n), rng, cell, shape, masked, dropout);
  const { batch: B, steps: T, units: H, c } = fwd.seq;
  const G = gateCount(cell) * H;
  const BH = B * H;
  const Ut = be.alloc(G * H);
  be.sequenceToTimeMajor(fwd.U, Ut, H, G, 1, false, null);
  const dH = random(be, rng, T * BH);
  const dGates = be.alloc(T * B * G);
  const dHIn = dropout ? be.alloc(BH) : null;
  const dc = c === null ? null : be.alloc(BH);
  const gru = cell.kind === 'gru';
  const dRec = gru && cell.resetAfter ? be.alloc(T * B * G) : null;
  const dRh = gru && !cell.resetAfter ? be.alloc(BH) : null;
  return { ...fwd, Ut, grads: { dH, dGates, dHIn, dc, dRec, dRh } };
}

/** Every array a forward and backward over `a` write. */
function passOutputs(a: PassArgs): FloatArray[] {
  const { dH, dGates, dc, dRec } = a.grads;
  return [...forwardOutputs(a), dH, dGates, dc, dRec].filter((x): x is FloatArray => x !== null);
}

/** Forward then backward over a sequence on `be`; returns every array written. */
function forwardBackward(
  be: Backend,
  cell: SequenceCell,
  shape: number[],
  masked: boolean,
  dropout: boolean,
): FloatArray[] {
  const a = passArgs(be, cell, shape, masked, dropout);
  be.sequenceForward(a.seq, a.U);
  be.sequenceBackward(a.seq, a.Ut, a.grads);
  return passOutputs(a);
}

/**
 * sequenceBackward with lastStepOnly against dH's earlier blocks zeroed by the caller: the same
 * bits. Those blocks hold NaN on entry, so the op must write each before it adds to it.
 */
function lastStepOnly(ctx: SuiteContext): void {
  const be = ctx.tested();
  eachCase((cell, shape, masked, dropout) => {
    const [B, T, H] = shape;
    const [want, got] = [0, 1].map(() => passArgs(be, cell, shape, masked, dropout));
    want.grads.dH.fill(0, 0, (T - 1) * B * H);
    got.grads.dH.fill(NaN, 0, (T - 1) * B * H);
    for (const a of [want, got]) be.sequenceForward(a.seq, a.U);
    be.sequenceBackward(want.seq, want.Ut, want.grads);
    be.sequenceBackward(got.seq, got.Ut, { ...got.grads, lastStepOnly: true });
    const what = JSON.stringify({ cell, shape, masked, dropout });
    assertSameBits(passOutputs(got), passOutputs(want), what);
  });
}

/** Every cell and shape, with neither a mask nor dropout and with both. */
function eachCase(
  visit: (cell: SequenceCell, shape: number[], masked: boolean, dropout: boolean) => void,
): void {
  for (const cell of CELLS) {
    for (const shape of SHAPES) for (const both of [false, true]) visit(cell, shape, both, both);
  }
}

/**
 * sequenceForward and sequenceBackward of two layers in one call (a Bidirectional layer's two
 * directions: their own buffers, weights, masks and dropout, the second's gates as rows of a
 * table) against a call per layer: each layer's bits, on the tested backend and on one thread.
 */
function twoLayers(ctx: SuiteContext): void {
  const backends = [ctx.tested(), ...(ctx.oneThread ? [ctx.oneThread()] : [])];
  const be = backends[0];
  eachCase((cell, shape, masked, dropout) => {
    const [B, T, H] = shape;
    const G = gateCount(cell) * H;
    const draw = new Rng(shape[0] * 13 + shape[1]);
    const table = random(be, draw, (B + 1) * G, 2);
    const rows = Int32Array.from({ length: T * B }, () => draw.int(B + 1));
    const gateRows = { table, rows, bias: random(be, draw, G) };
    const layers = (on: Backend) => {
      const first = passArgs(on, cell, shape, masked, dropout);
      return [first, passArgs(on, cell, shape, !masked, dropout, shape[0] * 31 + 7)];
    };
    const want = layers(be);
    be.sequenceForward(want[0].seq, want[0].U);
    be.sequenceForward(want[1].seq, want[1].U, gateRows);
    for (const a of want) be.sequenceBackward(a.seq, a.Ut, a.grads);
    for (const [i, tested] of backends.entries()) {
      const [first, second] = layers(tested);
      tested.sequenceForward(first.seq, first.U, null, { ...second, gateRows });
      tested.sequenceBackward(first.seq, first.Ut, first.grads, second);
      const what = JSON.stringify({ cell, shape, masked, dropout, oneThread: i === 1 });
      assertSameBits(passOutputs(first), passOutputs(want[0]), `${what} first`);
      assertSameBits(passOutputs(second), passOutputs(want[1]), `${what} second`);
    }
  });
}

/**
 * sequenceForward and sequenceBackward on the tested backend and on the same backend on one
 * thread: the same bits (threads own whole batch rows for every step).
 */
function oneThread(ctx: SuiteContext): void {
  if (ctx.oneThread === undefined) return; // the backend has no threads
  const [be, single] = [ctx.tested(), ctx.oneThread()];
  for (const cell of CELLS) {
    for (const shape of SHAPES) {
      for (const masked of [false, true]) {
        for (const dropout of [false, true]) {
          const got = forwardBackward(be, cell, shape, masked, dropout);
          const want = forwardBackward(single, cell, shape, masked, dropout);
          assertSameBits(got, want, JSON.stringify({ cell, shape, masked, dropout }));
        }
      }
    }
  }
}

/**
 * sequenceLast's shapes: also sequences longer than the steps a fast backend projects per GEMM
 * (native: 32), and a lone row whose gates span several full column tiles.
 */
const LAST_SHAPES = [...SHAPES, [9, 70, 33, 11], [1, 40, 40, 12]];

function sequenceLast(ctx: SuiteContext): void {
  const be = ctx.tested();
  for (const cell of CELLS) {
    for (const [B, T, H, D] of LAST_SHAPES) {
      for (const [masked, reverse, withBias] of [
        [false, false, true],
        [true, true, true],
        [true, false, false],
      ]) {
        const rng = new Rng(B * 7 + T);
        const G = gateCount(cell) * H;
        const x = random(be, rng, B * T * D);
        const W = random(be, rng, D * G, 0.3);
        const rows = cell.kind === 'gru' && cell.resetAfter ? 2 : 1;
        const bias = withBias ? random(be, rng, rows * G) : null;
        const U = random(be, rng, H * G, 0.5);
        const mask = masked ? Uint8Array.from({ length: T * B }, () => +(rng.next() >= 0.3)) : null;
        const input = { cell, batch: B, steps: T, units: H, inputDim: D, x };
        const [want, got] = [be.alloc(B * H), be.alloc(B * H)];
        sequenceLastByTrainingPath(be, input, { reverse, W, bias, U, mask, out: want });
        be.sequenceLast(input, { reverse, W, bias, U, mask, out: got });
        assertSameBits([got], [want], JSON.stringify({ cell, B, T, H, D, masked, reverse }));
      }
    }
  }
}

/**
 * sequenceLast with a second layer (the other direction, its own weights, mask and output) in
 * the same call: each layer gets the bits of its own call, on the tested backend and on one
 * thread; the batch of 1 is where a fast backend gives each layer its own thread.
 */
function sequenceLastTwoLayers(ctx: SuiteContext): void {
  const backends = [ctx.tested(), ...(ctx.oneThread ? [ctx.oneThread()] : [])];
  const be = backends[0];
  for (const cell of CELLS) {
    for (const [B, T, H, D] of LAST_SHAPES) {
      const rng = new Rng(B * 11 + T);
      const G = gateCount(cell) * H;
      const rows = cell.kind === 'gru' && cell.resetAfter ? 2 : 1;
      const x = random(be, rng, B * T * D);
      const layer = (reverse: boolean, masked: boolean) => ({
        reverse,
        W: random(be, rng, D * G, 0.3),
        bias: random(be, rng, rows * G),
        U: random(be, rng, H * G, 0.5),
        mask: masked ? Uint8Array.from({ length: T * B }, () => +(rng.next() >= 0.3)) : null,
        out: be.alloc(B * H),
      });
      const [first, second] = [layer(false, true), layer(true, false)];
      const input = { cell, batch: B, steps: T, units: H, inputDim: D, x };
      const want = [first, second].map((l) => {
        const out = be.alloc(B * H);
        be.sequenceLast(input, { ...l, out });
        return out;
      });
      for (const [i, tested] of backends.entries()) {
        first.out.fill(NaN);
        second.out.fill(NaN);
        tested.sequenceLast(input, first, second);
        const what = JSON.stringify({ cell, B, T, H, D, oneThread: i === 1 });
        assertSameBits([first.out, second.out], want, what);
      }
    }
  }
}

/** A layer of each cell, options as given. */
function layersOf(options: RecurrentOptions): RecurrentLayer[] {
  return [
    new SimpleRNN(options),
    new LSTM(options),
    new GRU(options),
    new GRU({ ...options, resetAfter: false }),
  ];
}

/** Every recurrent layer inside `layer` (itself, or Bidirectional's two). */
function recurrentLayers(layer: Layer): RecurrentLayer[] {
  return layer instanceof Bidirectional
    ? [layer.forwardLayer, layer.backwardLayer]
    : [layer as RecurrentLayer];
}

/**
 * Forward (training, dropout included), then backward, of a built layer; with `observed`, a step
 * observer on every recurrent layer makes forward one backend call per step. Returns output,
 * final states (the output at the last step), dx and every parameter gradient.
 */
function layerPass(
  be: Backend,
  layer: Layer,
  x: Tensor,
  mask: Uint8Array | null,
  observed: boolean,
): FloatArray[] {
  const [B, T] = x.shape;
  for (const r of recurrentLayers(layer)) r.observer = observed ? { step: () => {} } : null;
  for (const p of layer.params()) p.grad.data.fill(0);
  const seqMask = mask === null ? null : { data: mask, batch: B, steps: T };
  const y = layer.forward(x, { training: true, mask: seqMask, rng: new Rng(9) });
  const out = Float64Array.from(y.data);
  const dy = new Tensor(random(be, new Rng(10), y.data.length), y.shape);
  const dx = Float64Array.from((layer.backward(dy) as Tensor).data);
  return [out, dx, ...layer.params().map((p) => Float64Array.from(p.grad.data))];
}

function layersObservedAgainstNot(ctx: SuiteContext): void {
  const be = ctx.tested();
  const [B, T, D, H] = [7, 6, 5, 9];
  const rng = new Rng(3);
  const x = new Tensor(random(be, rng, B * T * D), [B, T, D]);
  const mask = Uint8Array.from({ length: B * T }, (_, i) => +(i % T >= i % 3)); // leading padding
  for (const goBackwards of [false, true]) {
    for (const returnSequences of [false, true]) {
      const options = {
        units: H,
        goBackwards,
        returnSequences,
        dropout: 0.2,
        recurrentDropout: 0.3,
      };
      const layers: Layer[] = [
        ...layersOf(options),
        new Bidirectional({ layer: new GRU({ units: H, returnSequences }) }),
      ];
      for (const layer of layers) {
        layer.build([T, D], be, new Rng(4));
        for (const m of [null, mask]) {
          const what = `${layer.className} ${JSON.stringify({ goBackwards, returnSequences, masked: m !== null })}`;
          const want = layerPass(be, layer, x, m, true);
          const got = layerPass(be, layer, x, m, false);
          assertSameBits(got, want, what);
        }
      }
    }
  }
}

function inferenceAgainstTraining(ctx: SuiteContext): void {
  const be = ctx.tested();
  const [B, T, D] = [9, 7, 5];
  const rng = new Rng(5);
  const x = new Tensor(random(be, rng, B * T * D), [B, T, D]);
  const data = Uint8Array.from({ length: B * T }, () => +(rng.next() >= 0.3));
  const bidirectional = layersOf({ units: 11 }).map((layer) => new Bidirectional({ layer }));
  for (const goBackwards of [false, true]) {
    for (const layer of [...layersOf({ units: 11, goBackwards }), ...bidirectional]) {
      layer.build([T, D], be, new Rng(6));
      for (const mask of [null, { data, batch: B, steps: T }]) {
        const ctxBase = { mask, rng: new Rng(0) };
        const train = Float64Array.from(layer.forward(x, { ...ctxBase, training: true }).data);
        const infer = Float64Array.from(layer.forward(x, { ...ctxBase, training: false }).data);
        assertSameBits([infer], [train], `${layer.className} goBackwards ${goBackwards}`);
      }
    }
  }
}

export const sequenceCases = {
  'sequenceForward: one call per step on views, bit for bit': forwardStepByStep,
  'sequenceForward: gateRows equal the gathered gates, bit for bit': gateRowsAgainstGathered,
  'sequenceForward / sequenceBackward: the bits of one thread': oneThread,
  'sequenceForward / sequenceBackward: two layers in one call, each as by its own call': twoLayers,
  'sequenceBackward: lastStepOnly equals the earlier blocks zeroed, bit for bit': lastStepOnly,
  'sequenceLast: the training path, bit for bit': sequenceLast,
  'sequenceLast: two layers in one call, each as by its own call': sequenceLastTwoLayers,
  'layers: a step observer changes no bit (outputs, states, gradients)': layersObservedAgainstNot,
  'layers: inference equals the training forward': inferenceAgainstTraining,
};
