import assert from 'node:assert/strict';
import { matrix, type ActivationKind } from '../../../src/backend/core-ops.js';
import { Rng } from '../../../src/random/rng.js';
import {
  activated,
  check,
  EXACT,
  GUARD,
  preActivations,
  rel,
  sigmoid,
  span,
  strided,
  uniform,
  type Bound,
  type SuiteContext,
} from './harness.js';

/** Lengths that are not multiples of any vector width, plus one longer run. */
const LENGTHS = [1, 3, 17, 63, 65, 1000];
/** rows × cols pairs with odd sizes on both axes. */
const MATRICES = [
  [1, 1],
  [3, 17],
  [17, 3],
  [65, 63],
  [7, 130],
] as const;

interface GemmSpec {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  beta: 0 | 1;
  lda: number;
  ldb: number;
  ldc: number;
  aOffset: number;
  bOffset: number;
  cOffset: number;
}

/** A tight layout (no offsets, leading dim = width) or a padded one with offsets. */
function layout(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  beta: 0 | 1,
  padded: boolean,
): GemmSpec {
  const pad = padded ? 3 : 0;
  return {
    transA,
    transB,
    m,
    n,
    k,
    beta,
    lda: (transA ? m : k) + pad,
    ldb: (transB ? k : n) + pad,
    ldc: n + pad,
    aOffset: 2 * pad,
    bOffset: pad,
    cOffset: 3 * pad,
  };
}

/** Euclidean norms of the m rows of op(X) stored with leading dim ld (op(X) is rows × cols). */
function rowNorms(
  x: Float64Array,
  offset: number,
  ld: number,
  trans: boolean,
  rows: number,
  cols: number,
) {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let p = 0; p < cols; p++) {
      const v = x[offset + (trans ? p * ld + i : i * ld + p)];
      s += v * v;
    }
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

function gemmCase(ctx: SuiteContext, rng: Rng, s: GemmSpec): void {
  const { transA, transB, m, n, k, beta, lda, ldb, ldc, aOffset, bOffset, cOffset } = s;
  const a = uniform(rng, aOffset + (transA ? k : m) * lda + GUARD);
  const b = uniform(rng, bOffset + (transB ? n : k) * ldb + GUARD);
  const c = uniform(rng, cOffset + m * ldc + GUARD);
  const aNorm = rowNorms(a, aOffset, lda, transA, m, k);
  // Columns of op(B) are the rows of op(B)ᵀ.
  const bNorm = rowNorms(b, bOffset, ldb, !transB, n, k);
  const gamma = 4 * Math.sqrt(k);
  const bound: Bound = (_want, idx, u) => {
    const i = Math.floor((idx - cOffset) / ldc);
    const j = (idx - cOffset) % ldc;
    return gamma * u * (aNorm[i] * bNorm[j] + beta * Math.abs(c[idx]));
  };
  const name = `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} m=${m} n=${n} k=${k} β=${beta} lda=${lda} ldb=${ldb} ldc=${ldc}`;
  check(ctx, name, (run) => {
    const cOut = run.out('C', c, strided(cOffset, m, n, ldc), bound);
    run.backend.gemm(
      matrix(run.in('A', a), transA ? k : m, transA ? m : k, {
        offset: aOffset,
        stride: lda,
        transposed: transA,
      }),
      matrix(run.in('B', b), transB ? n : k, transB ? k : n, {
        offset: bOffset,
        stride: ldb,
        transposed: transB,
      }),
      matrix(cOut, m, n, { offset: cOffset, stride: ldc }),
      beta,
    );
  });
}

function gemm(ctx: SuiteContext): void {
  const rng = new Rng(101);
  const sizes = [
    [1, 1, 1],
    [3, 17, 5],
    [17, 3, 63],
    [63, 65, 17],
    [65, 63, 3],
    [16, 32, 8],
    [1, 65, 63],
    [33, 1, 129],
    [1, 300, 70],
    [3, 260, 9],
  ];
  for (const [m, n, k] of sizes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1] as const) {
          for (const padded of [false, true]) {
            gemmCase(ctx, rng, layout(transA, transB, m, n, k, beta, padded));
          }
        }
      }
    }
  }
  if (!ctx.seedShapes) return;
  // LSTM(64) on [64, 200, 128]: the input projection of all steps, X[B·T, D]·W[D, 4H].
  gemmCase(ctx, rng, layout(false, false, 64 * 200, 256, 128, 0, false));
  // One recurrent step at step 7: gates[s] += h[s]·U, both slices of time-major buffers.
  gemmCase(ctx, rng, {
    ...layout(false, false, 64, 256, 64, 1, false),
    aOffset: 7 * 64 * 64,
    cOffset: 7 * 64 * 256,
  });
  // Backward through one step: dh += dG[s]·Uᵀ.
  gemmCase(ctx, rng, {
    ...layout(false, true, 64, 64, 256, 1, false),
    aOffset: 7 * 64 * 256,
    cOffset: 7 * 64 * 64,
  });
}

/**
 * A row of C has the same bits whichever rows are computed with it: each row alone (the lone-row
 * kernel, no packing) against all rows in one call (full row tiles, packed panels of B), at sizes
 * with two k blocks and a partial column tile. The sequence ops rely on it.
 */
function gemmRowBlocks(ctx: SuiteContext): void {
  const be = ctx.tested();
  const rng = new Rng(109);
  const [m, n, k] = [131, 200, 300];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const beta of [0, 1] as const) {
        const lda = transA ? m : k;
        const ldb = transB ? k : n;
        const a = be.alloc(m * k);
        const b = be.alloc(n * k);
        a.set(uniform(rng, m * k));
        b.set(uniform(rng, n * k));
        const start = uniform(rng, m * n);
        const all = be.alloc(m * n);
        const rows = be.alloc(m * n);
        all.set(start);
        rows.set(start);
        be.gemm(
          matrix(a, transA ? k : m, transA ? m : k, { stride: lda, transposed: transA }),
          matrix(b, transB ? n : k, transB ? k : n, { stride: ldb, transposed: transB }),
          matrix(all, m, n),
          beta,
        );
        for (let i = 0; i < m; i++) {
          be.gemm(
            matrix(a, transA ? k : 1, transA ? 1 : k, {
              offset: transA ? i : i * k,
              stride: lda,
              transposed: transA,
            }),
            matrix(b, transB ? n : k, transB ? k : n, { stride: ldb, transposed: transB }),
            matrix(rows, 1, n, { offset: i * n }),
            beta,
          );
        }
        const at = all.findIndex((v, i) => !Object.is(v, rows[i]));
        const what = `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} β=${beta}`;
        assert.equal(at, -1, `${what}: C[${at}] = ${all[at]} in one call, ${rows[at]} row by row`);
      }
    }
  }
}

function addRowVector(ctx: SuiteContext): void {
  const rng = new Rng(102);
  for (const [rows, cols] of MATRICES) {
    const x = uniform(rng, rows * cols + GUARD);
    const v = uniform(rng, cols);
    check(ctx, `addRowVector ${rows}×${cols}`, (run) => {
      const out = run.out('x', x, span(0, rows * cols), EXACT);
      run.backend.addRowVector(out, rows, cols, run.in('v', v));
    });
  }
}

function sumRows(ctx: SuiteContext): void {
  const rng = new Rng(103);
  for (const [rows, cols] of [...MATRICES, [12800, 3]]) {
    for (const beta of [0, 1] as const) {
      const x = uniform(rng, rows * cols);
      const out = uniform(rng, cols + GUARD);
      const absSum = new Float64Array(cols);
      for (let i = 0; i < rows * cols; i++) absSum[i % cols] += Math.abs(x[i]);
      const bound: Bound = (_w, j, u) =>
        4 * Math.sqrt(rows) * u * (absSum[j] + beta * Math.abs(out[j]));
      check(ctx, `sumRows ${rows}×${cols} β=${beta}`, (run) => {
        const o = run.out('out', out, span(0, cols), bound);
        run.backend.sumRows(run.in('x', x), rows, cols, o, beta);
      });
    }
  }
}

const KINDS: readonly ActivationKind[] = ['linear', 'sigmoid', 'tanh', 'relu', 'softmax'];

function activationBound(kind: ActivationKind, cols: number): Bound {
  if (kind === 'softmax') return rel(16 + 4 * Math.sqrt(cols));
  return kind === 'sigmoid' || kind === 'tanh' ? rel(8) : EXACT;
}

/** (n, cols) cases: softmax rows of odd widths; the other kinds ignore cols. */
function activationShapes(kind: ActivationKind): [number, number][] {
  if (kind !== 'softmax') return LENGTHS.map((n) => [n, 1]);
  return [
    [1, 1],
    [3, 3],
    [17 * 3, 17],
    [65 * 5, 65],
    [10 * 2, 2],
  ];
}

function activation(ctx: SuiteContext): void {
  const rng = new Rng(104);
  for (const kind of KINDS) {
    for (const [n, cols] of activationShapes(kind)) {
      const x = preActivations(rng, n + GUARD);
      const y = uniform(rng, n + GUARD);
      const bound = activationBound(kind, cols);
      check(ctx, `activation ${kind} n=${n} cols=${cols}`, (run) => {
        const out = run.out('y', y, span(0, n), bound);
        run.backend.activation(kind, run.in('x', x), out, n, cols);
      });
      check(ctx, `activation ${kind} n=${n} cols=${cols} in place`, (run) => {
        const xy = run.out('x', x, span(0, n), bound);
        run.backend.activation(kind, xy, xy, n, cols);
      });
    }
  }
}

/** What y = f(x) a forward pass would have kept, for each kind. */
function keptOutputs(rng: Rng, kind: ActivationKind, n: number, cols: number): Float64Array {
  switch (kind) {
    case 'sigmoid':
      return activated(rng, n, sigmoid);
    case 'tanh':
      return activated(rng, n, Math.tanh);
    case 'relu':
      return activated(rng, n, (x) => Math.max(x, 0));
    case 'linear':
      return preActivations(rng, n);
    case 'softmax': {
      const y = preActivations(rng, n);
      for (let r = 0; r < n; r += cols) {
        const row = y.subarray(r, r + cols);
        const max = Math.max(...row);
        const e = row.map((v) => Math.exp(v - max));
        const sum = e.reduce((s, v) => s + v, 0);
        row.set(e.map((v) => Math.fround(v / sum)));
      }
      return y;
    }
  }
}

function activationBackward(ctx: SuiteContext): void {
  const rng = new Rng(105);
  for (const kind of KINDS) {
    for (const [n, cols] of activationShapes(kind)) {
      const y = keptOutputs(rng, kind, n, cols);
      const dy = uniform(rng, n + GUARD, -2, 2);
      const dx = uniform(rng, n + GUARD);
      const bound =
        kind === 'softmax'
          ? rel(8 + 4 * Math.sqrt(cols))
          : kind === 'sigmoid' || kind === 'tanh'
            ? rel(4)
            : EXACT;
      check(ctx, `activationBackward ${kind} n=${n} cols=${cols}`, (run) => {
        const out = run.out('dx', dx, span(0, n), bound);
        run.backend.activationBackward(kind, run.in('y', y), run.in('dy', dy), out, n, cols);
      });
      check(ctx, `activationBackward ${kind} n=${n} cols=${cols} in place (dx = dy)`, (run) => {
        const d = run.out('dy', dy, span(0, n), bound);
        run.backend.activationBackward(kind, run.in('y', y), d, d, n, cols);
      });
    }
  }
}

function multiply(ctx: SuiteContext): void {
  const rng = new Rng(106);
  for (const n of LENGTHS) {
    const a = uniform(rng, n + GUARD, -3, 3);
    const b = uniform(rng, n + GUARD, -3, 3);
    const out = uniform(rng, n + GUARD);
    check(ctx, `multiply n=${n}`, (run) => {
      const o = run.out('out', out, span(0, n), EXACT);
      run.backend.multiply(run.in('a', a), run.in('b', b), o, n);
    });
    check(ctx, `multiply n=${n} in place (out = a)`, (run) => {
      const o = run.out('a', a, span(0, n), EXACT);
      run.backend.multiply(o, run.in('b', b), o, n);
    });
  }
}

function axpy(ctx: SuiteContext): void {
  const rng = new Rng(107);
  for (const n of LENGTHS) {
    for (const alpha of [0.37, -1, 1e-3]) {
      const x = uniform(rng, n + GUARD);
      const y = uniform(rng, n + GUARD);
      check(ctx, `axpy n=${n} α=${alpha}`, (run) => {
        const o = run.out('y', y, span(0, n), rel(4));
        run.backend.axpy(alpha, run.in('x', x), o, n);
      });
    }
  }
}

function scale(ctx: SuiteContext): void {
  const rng = new Rng(108);
  for (const n of LENGTHS) {
    for (const alpha of [0.37, -2, 0]) {
      const x = uniform(rng, n + GUARD, -3, 3);
      check(ctx, `scale n=${n} α=${alpha}`, (run) => {
        run.backend.scale(run.out('x', x, span(0, n), rel(2)), alpha, n);
      });
    }
  }
}

function sumSquares(ctx: SuiteContext): void {
  const rng = new Rng(109);
  for (const n of [...LENGTHS, 1_280_000]) {
    const x = uniform(rng, n + GUARD, -3, 3);
    // Products may round in the backend's dtype; the float64 sum must not grow the error with n.
    const bound: Bound = (want, _i, u) => 2 * u * want;
    check(ctx, `sumSquares n=${n}`, (run) => run.backend.sumSquares(run.in('x', x), n), bound);
  }
}

/**
 * The weight gradients' shape, a transposed A with a long k (a fast backend may sum k in parts):
 * values against the oracle, and the same bits on one thread.
 */
function gemmLongK(ctx: SuiteContext): void {
  const rng = new Rng(113);
  const shapes: [number, number, number][] = [
    [9, 40, 4500],
    [64, 33, 8191],
  ];
  for (const [m, n, k] of shapes) {
    for (const beta of [0, 1] as const) {
      gemmCase(ctx, rng, layout(true, false, m, n, k, beta, beta === 1));
      if (ctx.oneThread === undefined) continue;
      const [be, single] = [ctx.tested(), ctx.oneThread()];
      const [a, b, c] = [m * k, k * n, m * n].map((size) => uniform(rng, size));
      const results = [be, single].map((tested) => {
        const out = tested.alloc(m * n);
        out.set(c);
        const [A, B] = [tested.alloc(m * k), tested.alloc(k * n)];
        A.set(a);
        B.set(b);
        tested.gemm(
          matrix(A, k, m, { transposed: true }),
          matrix(B, k, n),
          matrix(out, m, n),
          beta,
        );
        return out;
      });
      assert.deepEqual(results[0], results[1], `TN ${m}×${n}×${k} β=${beta}: 2 threads vs 1`);
    }
  }
}

export const coreCases = {
  gemm,
  'gemm: a row has the same bits in any row block': gemmRowBlocks,
  'gemm: a transposed A with a long k, and its bits on one thread': gemmLongK,
  addRowVector,
  sumRows,
  activation,
  activationBackward,
  multiply,
  axpy,
  scale,
  sumSquares,
};
