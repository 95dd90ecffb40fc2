import {
  gateCount,
  type RecurrentActivation,
  type SequenceCell,
} from '../../../src/backend/recurrent-ops.js';
import { Rng } from '../../../src/random/rng.js';
import type { FloatArray } from '../../../src/tensor/tensor.js';
import {
  activated,
  check,
  EXACT,
  GUARD,
  maskValues,
  preActivations,
  rel,
  sigmoid,
  span,
  uniform,
  type Bound,
  type Range,
  type SuiteContext,
} from './harness.js';

/** [batch, units] of the one-step cases: odd sizes, and the seed LSTM(64) step on batch 64. */
function cellShapes(ctx: SuiteContext): [number, number][] {
  const odd: [number, number][] = [
    [1, 1],
    [3, 17],
    [5, 63],
    [2, 65],
  ];
  return ctx.seedShapes ? [...odd, [64, 64]] : odd;
}

const RNN_ACTIVATIONS: readonly RecurrentActivation[] = ['tanh', 'sigmoid', 'relu', 'linear'];
const ACTIVATE: Record<RecurrentActivation, (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => Math.max(x, 0),
  linear: (x) => x,
};

/** Every cell, SimpleRNN with each of its activations. */
const CELLS: readonly SequenceCell[] = [
  ...RNN_ACTIVATIONS.map((activation) => ({ kind: 'simpleRnn', activation }) as const),
  { kind: 'lstm' },
  { kind: 'gru', resetAfter: true },
  { kind: 'gru', resetAfter: false },
];

/** Where each buffer's data starts: the ops get views from here, so offsets are exercised. */
const AT = 3;

/** A buffer of `AT` guard values, then n values (given or random), then a guard tail. */
function buffer(rng: Rng, n: number, values?: ArrayLike<number>): Float64Array {
  const buf = uniform(rng, AT + n + GUARD);
  if (values) buf.set(values, AT);
  return buf;
}

/** The view an op gets of a buffer: from its data on, guard tail included (never to be written). */
function view<A extends FloatArray | Uint8Array>(a: A): A;
function view<A extends FloatArray | Uint8Array>(a: A | null): A | null;
function view<A extends FloatArray | Uint8Array>(a: A | null): A | null {
  return a && (a.subarray(AT) as A);
}

/** The data region of a buffer from value `from` on, `n` values. */
const data = (n: number, from = 0): Range[] => span(AT + from, n);

/** Scratch the contract leaves unspecified: any value inside its extent. */
const ANY: Bound = () => Infinity;

/** x on a grid of 1/64: products of two such values and their sums stay exact in float32. */
const onGrid = (values: Float64Array): Float64Array => values.map((x) => Math.round(x * 64) / 64);

/** Kept gate activations, row by row: every gate in (0, 1) from a sigmoid but the third (tanh). */
function gateActivations(rng: Rng, batch: number, units: number, gates: number): Float64Array {
  const out = new Float64Array(batch * gates * units);
  for (let b = 0; b < batch; b++) {
    for (let gate = 0; gate < gates; gate++) {
      const f = gate === 2 ? Math.tanh : sigmoid;
      out.set(activated(rng, units, f), (b * gates + gate) * units);
    }
  }
  return out;
}

/**
 * `bound` plus extra[r·width + j]·u at value j of the [from, from + width) columns of row r, for
 * rows `rowWidth` values wide from value `start` of a buffer's data.
 */
function plusAt(
  bound: Bound,
  extra: Float64Array,
  [start, rowWidth, from, width]: [number, number, number, number],
): Bound {
  return (want, i, u) => {
    const k = i - AT - start;
    const [row, col] = [Math.floor(k / rowWidth), k % rowWidth];
    const inside = col >= from && col < from + width;
    return bound(want, i, u) + (inside ? extra[row * width + col - from] * u : 0);
  };
}

/**
 * The error of a GEMM row·column in u's: the summation bound 4·√k·‖a_b‖·‖w_j‖ plus the carried
 * error `carried`·Σ|w_j| of a's values, for rows a_b of a [rows, k] and columns w_j (column j of
 * `w`, `k` values `stride` apart from `w0 + j`).
 */
function gemmError(
  a: Float64Array,
  rows: number,
  k: number,
  w: Float64Array,
  w0: number,
  stride: number,
  cols: number,
  carried: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let [norm, sum] = [0, 0];
    for (let p = 0; p < k; p++) {
      const v = w[w0 + p * stride + j];
      norm += v * v;
      sum += Math.abs(v);
    }
    for (let b = 0; b < rows; b++) {
      let rowNorm = 0;
      for (let p = 0; p < k; p++) rowNorm += a[b * k + p] ** 2;
      out[b * cols + j] = 4 * Math.sqrt(k) * Math.sqrt(rowNorm * norm) + carried * sum;
    }
  }
  return out;
}

/** Per-sample recurrent-dropout scales of rate 0.5 (0 or 2: products stay exact). */
function dropoutScale(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 2));
}

function cellName(cell: SequenceCell): string {
  if (cell.kind === 'simpleRnn') return `simpleRnn ${cell.activation}`;
  return cell.kind === 'gru' ? `gru resetAfter=${cell.resetAfter}` : 'lstm';
}

/**
 * sequenceForward of one step: the per-step cell kernel after the recurrent projection. Inputs
 * on a grid make that projection exact on every backend (gates + hIn·U: sums of products of
 * 1/64-grid values below 2^12), so the cell is held to its own bound: SimpleRNN 8, LSTM and GRU
 * 16 u's. The exception, GRU resetAfter=false, projects r ⊙ hIn, which is off the grid: its
 * candidate gate, h and rec_h also get the GEMM bound of that product and of rh's 8 u's.
 */
function forwardOneStep(
  ctx: SuiteContext,
  rng: Rng,
  cell: SequenceCell,
  [B, H]: [number, number],
  masked: boolean,
  dropout: boolean,
): void {
  const G = gateCount(cell) * H;
  const [BH, BG] = [B * H, B * G];
  const gates = buffer(rng, BG, onGrid(preActivations(rng, BG)));
  const U = buffer(rng, H * G, onGrid(uniform(rng, H * G, -0.5, 0.5)));
  const h0 = onGrid(uniform(rng, BH));
  const h = buffer(rng, 2 * BH, h0);
  const scale = dropout ? dropoutScale(rng, BH) : null;
  const hIn = buffer(rng, BH);
  const c = buffer(rng, 2 * BH, uniform(rng, BH, -3, 3));
  const gru = cell.kind === 'gru';
  const rec = buffer(rng, BG);
  const recBias = buffer(rng, G, onGrid(uniform(rng, G, -2, 2)));
  const rh = buffer(rng, BH);
  const mask = masked ? maskValues(rng, AT, B) : null;
  const ulps = cell.kind === 'simpleRnn' ? 8 : 16;
  let [gateBound, hBound, recBound]: Bound[] = [rel(ulps), rel(ulps), EXACT];
  if (gru && !cell.resetAfter) {
    const recurrentInput = h0.map((v, i) => (scale === null ? v : v * scale[i]));
    const error = gemmError(recurrentInput, B, H, U, AT + 2 * H, G, H, 16);
    const candidate: [number, number, number, number] = [0, G, 2 * H, H];
    gateBound = plusAt(rel(ulps), error, candidate);
    recBound = plusAt(EXACT, error, candidate);
    hBound = plusAt(rel(ulps), error, [BH, H, 0, H]);
  }
  const name = `sequenceForward one step ${cellName(cell)} ${B}×${H} masked=${masked} dropout=${dropout}`;
  check(ctx, name, (run) => {
    const s = scale && run.in('recurrentScale', scale);
    const seq = {
      cell,
      batch: B,
      steps: 1,
      units: H,
      gates: view(run.out('gates', gates, data(BG), gateBound)),
      h: view(run.out('h', h, data(BH, BH), hBound)),
      hIn: s && view(run.out('hIn', hIn, data(BH), EXACT)),
      recurrentScale: s,
      mask: mask && view(run.mask('mask', mask)),
      c: cell.kind === 'lstm' ? view(run.out('c', c, data(BH, BH), rel(ulps))) : null,
      rec: gru ? view(run.out('rec', rec, data(BG), recBound)) : null,
      rh: gru && !cell.resetAfter ? view(run.out('rh', rh, data(BH), rel(8))) : null,
      recurrentBias: gru && cell.resetAfter ? view(run.in('recurrentBias', recBias)) : null,
    };
    run.backend.sequenceForward(seq, view(run.in('U', U)));
  });
}

/**
 * sequenceBackward of one step: the cell kernel's backward, with no previous step to pass
 * anything to (dH is left alone). SimpleRNN within 4 u's, LSTM and GRU 32, the kernels' own
 * roundings. GRU resetAfter=false's r gradient goes through dRh = dG_h·U_hᵀ (scratch) first: it
 * also gets that GEMM's bound and dG_h's 32 u's carried through it, times |hIn|·r(1−r) ≤ ½.
 */
function backwardOneStep(
  ctx: SuiteContext,
  rng: Rng,
  cell: SequenceCell,
  [B, H]: [number, number],
  masked: boolean,
  dropout: boolean,
): void {
  const G = gateCount(cell) * H;
  const [BH, BG] = [B * H, B * G];
  const kept =
    cell.kind === 'simpleRnn'
      ? activated(rng, BG, ACTIVATE[cell.activation])
      : gateActivations(rng, B, H, gateCount(cell));
  const gates = buffer(rng, BG, kept);
  const h0 = uniform(rng, BH);
  const h = buffer(rng, 2 * BH, h0);
  const scale = dropout ? dropoutScale(rng, BH) : null;
  const hIn = buffer(rng, BH, scale === null ? h0 : h0.map((v, i) => v * scale[i]));
  const Ut = buffer(rng, G * H);
  const dhValues = uniform(rng, BH);
  const dH = buffer(rng, BH, dhValues);
  const dGates = buffer(rng, BG);
  const dHIn = buffer(rng, BH);
  const c = buffer(rng, 2 * BH, uniform(rng, 2 * BH, -3, 3));
  const dc = buffer(rng, BH);
  const rec = buffer(rng, BG, uniform(rng, BG, -2, 2));
  const dRec = buffer(rng, BG);
  const dRh = buffer(rng, BH);
  const mask = masked ? maskValues(rng, AT, B) : null;
  const ulps = cell.kind === 'simpleRnn' ? 4 : 32;
  const [lstm, gru] = [cell.kind === 'lstm', cell.kind === 'gru'];
  const resetBefore = cell.kind === 'gru' && !cell.resetAfter;
  let dGatesBound = rel(ulps);
  if (resetBefore) {
    const error = gemmError(dhValues, B, H, Ut, AT + 2 * H * H, H, H, 32).map((e) => e / 2);
    dGatesBound = plusAt(rel(ulps), error, [0, G, H, H]);
  }
  const name = `sequenceBackward one step ${cellName(cell)} ${B}×${H} masked=${masked} dropout=${dropout}`;
  check(ctx, name, (run) => {
    const s = scale && run.in('recurrentScale', scale);
    const seq = {
      cell,
      batch: B,
      steps: 1,
      units: H,
      gates: view(run.in('gates', gates)),
      h: view(run.in('h', h)),
      hIn: s && view(run.in('hIn', hIn)),
      recurrentScale: s,
      mask: mask && view(run.mask('mask', mask)),
      c: lstm ? view(run.in('c', c)) : null,
      rec: gru ? view(run.in('rec', rec)) : null,
      rh: null,
    };
    run.backend.sequenceBackward(seq, view(run.in('Ut', Ut)), {
      dH: view(run.in('dH', dH)),
      dGates: view(run.out('dGates', dGates, data(BG), dGatesBound)),
      dHIn: s && view(run.out('dHIn', dHIn, data(BH), ANY)),
      dc: lstm ? view(run.out('dc', dc, data(BH), rel(ulps))) : null,
      dRec: gru && !resetBefore ? view(run.out('dRec', dRec, data(BG), rel(ulps))) : null,
      dRh: resetBefore ? view(run.out('dRh', dRh, data(BH), ANY)) : null,
    });
  });
}

/** Every one-step case of an op for one cell: shapes, with and without mask and dropout. */
function oneStep(cell: SequenceCell, seed: number, run: typeof forwardOneStep) {
  return (ctx: SuiteContext): void => {
    const rng = new Rng(seed);
    for (const shape of cellShapes(ctx)) {
      for (const masked of [false, true]) {
        for (const dropout of [false, true]) run(ctx, rng, cell, shape, masked, dropout);
      }
    }
  };
}

/** [batch, steps, units] of the whole-sequence cases: a lone row, odd sizes, full and partial tiles. */
const SEQUENCE_SHAPES = [
  [1, 1, 3],
  [3, 5, 17],
  [17, 4, 8],
  [65, 3, 63],
];

/** Uᵀ of U [rows, cols] (exact: values only move). */
function transposed(U: Float64Array, rows: number, cols: number): Float64Array {
  return Float64Array.from(
    { length: rows * cols },
    (_, i) => U[(i % rows) * cols + ((i / rows) | 0)],
  );
}

/**
 * sequenceForward then sequenceBackward over several steps, each reading the other's results
 * as a layer does: errors of a step are carried into the later ones (forward) and the earlier
 * ones (backward), through U. Each step alone is held to the cell bounds above; here every
 * value gets SEQUENCE_ULPS u's: the float32 states' rounding carried over these few steps
 * reaches about 250 (linear SimpleRNN, whose states grow; the same on every float32 backend),
 * and a wrong term is far more.
 */
function severalSteps(cell: SequenceCell, seed: number) {
  return (ctx: SuiteContext): void => {
    const rng = new Rng(seed);
    for (const [B, T, H] of SEQUENCE_SHAPES) {
      for (const masked of [false, true]) {
        for (const dropout of [false, true])
          sequenceCase(ctx, rng, cell, [B, T, H], masked, dropout);
      }
    }
  };
}

const SEQUENCE_ULPS = 1024;

function sequenceCase(
  ctx: SuiteContext,
  rng: Rng,
  cell: SequenceCell,
  [B, T, H]: number[],
  masked: boolean,
  dropout: boolean,
): void {
  const G = gateCount(cell) * H;
  const [BH, BG] = [B * H, B * G];
  const [lstm, gru] = [cell.kind === 'lstm', cell.kind === 'gru'];
  const resetBefore = cell.kind === 'gru' && !cell.resetAfter;
  const gates = buffer(rng, T * BG, uniform(rng, T * BG, -2, 2));
  const Uvalues = uniform(rng, H * G, -0.5, 0.5);
  const U = buffer(rng, H * G, Uvalues);
  const Ut = buffer(rng, G * H, transposed(Uvalues, H, G));
  const h = buffer(rng, (T + 1) * BH);
  const scale = dropout ? dropoutScale(rng, BH) : null;
  const hIn = buffer(rng, T * BH);
  const mask = masked ? maskValues(rng, AT, T * B) : null;
  const c = buffer(rng, (T + 1) * BH);
  const rec = buffer(rng, T * BG);
  const recBias = buffer(rng, G, uniform(rng, G, -2, 2));
  const rh = buffer(rng, T * BH);
  const dH = buffer(rng, T * BH);
  const dGates = buffer(rng, T * BG);
  const dHIn = buffer(rng, BH);
  const dc = buffer(rng, BH, new Float64Array(BH));
  const dRec = buffer(rng, T * BG);
  const dRh = buffer(rng, BH);
  const bound = rel(SEQUENCE_ULPS);
  const name = `${cellName(cell)} ${B}×${T}×${H} masked=${masked} dropout=${dropout}`;
  check(ctx, name, (run) => {
    const s = scale && run.in('recurrentScale', scale);
    const seq = {
      cell,
      batch: B,
      steps: T,
      units: H,
      mask: mask && view(run.mask('mask', mask)),
      gates: view(run.out('gates', gates, data(T * BG), bound)),
      h: view(run.out('h', h, data(T * BH, BH), bound)),
      hIn: s && view(run.out('hIn', hIn, data(T * BH), bound)),
      recurrentScale: s,
      c: lstm ? view(run.out('c', c, data(T * BH, BH), bound)) : null,
      rec: gru ? view(run.out('rec', rec, data(T * BG), bound)) : null,
      rh: resetBefore ? view(run.out('rh', rh, data(T * BH), bound)) : null,
      recurrentBias: gru && !resetBefore ? view(run.in('recurrentBias', recBias)) : null,
    };
    const be = run.backend;
    be.sequenceForward(seq, view(run.in('U', U)));
    be.sequenceBackward(seq, view(run.in('Ut', Ut)), {
      dH: view(run.out('dH', dH, data(T * BH), bound)),
      dGates: view(run.out('dGates', dGates, data(T * BG), bound)),
      dHIn: s && view(run.out('dHIn', dHIn, data(BH), ANY)),
      dc: lstm ? view(run.out('dc', dc, data(BH), bound)) : null,
      dRec: gru && !resetBefore ? view(run.out('dRec', dRec, data(T * BG), bound)) : null,
      dRh: resetBefore ? view(run.out('dRh', dRh, data(BH), ANY)) : null,
    });
  });
}

function transposeCase(
  ctx: SuiteContext,
  rng: Rng,
  [batch, steps, features]: readonly number[],
  reverse: boolean,
  scaled: boolean,
): void {
  const n = batch * steps * features;
  const src = uniform(rng, n);
  const dst = uniform(rng, n + GUARD);
  const scale = scaled ? uniform(rng, batch * features, 0, 2) : null;
  const what = `${batch}×${steps}×${features} reverse=${reverse} scale=${scaled}`;
  for (const op of ['sequenceToTimeMajor', 'timeMajorToSequence'] as const) {
    check(ctx, `${op} ${what}`, (run) => {
      const s = run.in('src', src);
      const d = run.out('dst', dst, span(0, n), EXACT);
      const sc = scale && run.in('scale', scale);
      run.backend[op](s, d, batch, steps, features, reverse, sc);
    });
  }
}

function transposes(ctx: SuiteContext): void {
  const rng = new Rng(301);
  for (const shape of [
    [1, 1, 1],
    [3, 5, 17],
    [2, 17, 63],
    [65, 3, 1],
    [5, 2, 65],
  ]) {
    for (const reverse of [false, true]) {
      for (const scaled of [false, true]) transposeCase(ctx, rng, shape, reverse, scaled);
    }
  }
  if (!ctx.seedShapes) return;
  // The seed input [64, 200, 128]: a forward LSTM, and a goBackwards one with input dropout.
  transposeCase(ctx, rng, [64, 200, 128], false, false);
  transposeCase(ctx, rng, [64, 200, 128], true, true);
}

export const recurrentCases = {
  'sequenceToTimeMajor / timeMajorToSequence': transposes,
  ...Object.fromEntries(
    CELLS.flatMap((cell, k) => [
      [`sequenceForward, one step: ${cellName(cell)}`, oneStep(cell, 303 + k, forwardOneStep)],
      [`sequenceBackward, one step: ${cellName(cell)}`, oneStep(cell, 313 + k, backwardOneStep)],
      [
        `sequenceForward + sequenceBackward, several steps: ${cellName(cell)}`,
        severalSteps(cell, 323 + k),
      ],
    ]),
  ),
};
