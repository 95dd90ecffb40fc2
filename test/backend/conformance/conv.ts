import { window1d, type Padding, type Window1d } from '../../../src/backend/conv-ops.js';
import { createReferenceBackend } from '../../../src/backend/reference/index.js';
import { Rng } from '../../../src/random/rng.js';
import type { FloatArray } from '../../../src/tensor/tensor.js';
import {
  activated,
  check,
  dyadic,
  EXACT,
  GUARD,
  maskValues,
  rel,
  span,
  uniform,
  sigmoid,
  type Bound,
  type SuiteContext,
} from './harness.js';
import { matrix } from '../../../src/backend/core-ops.js';

/** [batch, steps, channels, size, stride, dilation, padding]: strides, dilations, both paddings. */
const WINDOWS: [number, number, number, number, number, number, Padding][] = [
  [1, 1, 1, 1, 1, 1, 'valid'],
  [2, 17, 3, 3, 1, 1, 'same'],
  [3, 17, 5, 3, 2, 2, 'same'],
  [2, 65, 17, 5, 3, 1, 'valid'],
  [1, 63, 1, 4, 2, 3, 'same'],
  [2, 5, 3, 5, 1, 1, 'same'],
  [3, 20, 8, 2, 2, 1, 'valid'],
  [1, 9, 65, 3, 1, 4, 'valid'],
];

function windows(): Window1d[] {
  return WINDOWS.map(([b, t, c, size, stride, dilation, padding]) =>
    window1d('conformance', b, t, c, size, stride, dilation, padding),
  );
}

function describeWindow(w: Window1d): string {
  return `B${w.batch} T${w.steps} C${w.channels} size ${w.size} stride ${w.stride} dilation ${w.dilation} padLeft ${w.padLeft}`;
}

const inputSize = (w: Window1d) => w.batch * w.steps * w.channels;
const colsSize = (w: Window1d) => w.batch * w.outSteps * w.size * w.channels;
const pooledSize = (w: Window1d) => w.batch * w.outSteps * w.channels;

function im2col1d(ctx: SuiteContext): void {
  const rng = new Rng(401);
  for (const w of windows()) {
    const x = uniform(rng, inputSize(w));
    const cols = uniform(rng, colsSize(w) + GUARD);
    check(ctx, `im2col1d ${describeWindow(w)}`, (run) => {
      run.backend.im2col1d(run.in('x', x), w, run.out('cols', cols, span(0, colsSize(w)), EXACT));
    });
  }
}

function col2im1d(ctx: SuiteContext): void {
  const rng = new Rng(402);
  for (const w of windows()) {
    const dCols = dyadic(rng, colsSize(w));
    const dx = uniform(rng, inputSize(w) + GUARD);
    check(ctx, `col2im1d ${describeWindow(w)}`, (run) => {
      const out = run.out('dx', dx, span(0, inputSize(w)), EXACT);
      run.backend.col2im1d(run.in('dCols', dCols), w, out);
    });
  }
}

/** Half-integers in [−2, 2]: windows hold ties, so "the first maximum" is exercised. */
function tiedValues(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.int(9) - 4) / 2);
}

function maxPool1d(ctx: SuiteContext): void {
  const rng = new Rng(403);
  for (const w of windows()) {
    const x = tiedValues(rng, inputSize(w));
    const y = uniform(rng, pooledSize(w) + GUARD);
    const argmax = Array.from({ length: pooledSize(w) + GUARD }, () => rng.int(1000));
    check(ctx, `maxPool1d ${describeWindow(w)}`, (run) => {
      run.backend.maxPool1d(
        run.in('x', x),
        w,
        run.out('y', y, span(0, pooledSize(w)), EXACT),
        run.intOut('argmax', argmax, span(0, pooledSize(w))),
      );
    });
  }
}

function maxPool1dBackward(ctx: SuiteContext): void {
  const rng = new Rng(404);
  const reference = createReferenceBackend('float64');
  for (const w of windows()) {
    // A real argmax (overlapping windows share winners, so dx accumulates).
    const argmax = new Int32Array(pooledSize(w));
    reference.maxPool1d(tiedValues(rng, inputSize(w)), w, reference.alloc(argmax.length), argmax);
    const dy = dyadic(rng, pooledSize(w));
    const dx = uniform(rng, inputSize(w) + GUARD);
    check(ctx, `maxPool1dBackward ${describeWindow(w)}`, (run) => {
      const out = run.out('dx', dx, span(0, inputSize(w)), EXACT);
      run.backend.maxPool1dBackward(run.in('dy', dy), run.ints('argmax', argmax), w, out);
    });
  }
}

/** `count` distinct indices below n in random order (a partial Fisher–Yates shuffle). */
function distinctIndices(rng: Rng, n: number, count: number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/** One max per (sample, filter) over the steps, as GlobalMaxPooling1D's argmax lists them. */
function globalWinners(rng: Rng, batch: number, outSteps: number, filters: number): Int32Array {
  const at = new Int32Array(batch * filters);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      at[b * filters + f] = (b * outSteps + rng.int(outSteps)) * filters + f;
    }
  }
  return at;
}

const SPARSE_KINDS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

/** Activation outputs y of `kind` (relu's include zeros and negatives' zeros). */
function activationOutputs(rng: Rng, kind: (typeof SPARSE_KINDS)[number], n: number) {
  if (kind === 'sigmoid') return activated(rng, n, sigmoid);
  if (kind === 'tanh') return activated(rng, n, Math.tanh);
  if (kind === 'relu') return activated(rng, n, (v) => Math.max(v, 0));
  return uniform(rng, n);
}

/**
 * The summation bound of a list-ordered sum of at most `count` terms (as gemm's, with count for k):
 * (4 + 4·√count)·u·(Σ|terms| + |initial|), Σ|terms| from the op run on absolute values.
 */
function listSumBound(abs: FloatArray, initial: ArrayLike<number>, count: number): Bound {
  const c = 4 + 4 * Math.sqrt(count);
  return (_want, i, u) => c * u * (abs[i] + Math.abs(initial[i] ?? 0));
}

/**
 * Conv1D's sparse backward: every window geometry, each activation, with and without a bias,
 * random distinct entries (a third of the outputs) and global-max winners; dy is nonzero off
 * the list too, which the op must not read. Seed shape: 64×200×128, width 5, 128 filters.
 */
function conv1dBackwardSparse(ctx: SuiteContext): void {
  const rng = new Rng(407);
  const reference = createReferenceBackend('float64');
  const shapes: [Window1d, number][] = windows().map((w, i) => [w, i % 2 === 0 ? 5 : 17]);
  if (ctx.seedShapes) shapes.push([window1d('conformance', 64, 200, 128, 5, 1, 1, 'valid'), 128]);
  shapes.forEach(([w, filters], i) => {
    const kind = SPARSE_KINDS[i % SPARSE_KINDS.length];
    const outputs = w.batch * w.outSteps * filters;
    const weights = w.size * w.channels * filters;
    const lists = [globalWinners(rng, w.batch, w.outSteps, filters)];
    if (w.batch * w.steps < 10_000)
      lists.push(distinctIndices(rng, outputs, Math.ceil(outputs / 3)));
    for (const [l, at] of lists.entries()) {
      const useBias = (i + l) % 2 === 0;
      const y = activationOutputs(rng, kind, outputs);
      const dy = uniform(rng, outputs);
      const x = uniform(rng, inputSize(w));
      const kernel = uniform(rng, weights);
      const dKernel = uniform(rng, weights + GUARD);
      const dBias = uniform(rng, filters + GUARD);
      const dx = uniform(rng, inputSize(w) + GUARD);
      // Σ|terms| of every output with |f'| ≤ 1 taken as 1 (the op on |dy|, |x|, |kernel| with
      // 'linear', from 0): g = dy·f'(y) is accurate to u·|dy| only (tanh's 1 − y² cancels).
      const abs = (v: Float64Array) => reference.alloc(v.length).map((_, j) => Math.abs(v[j]));
      const absKernel = reference.alloc(weights);
      const absBias = reference.alloc(filters);
      const absDx = reference.alloc(inputSize(w));
      const absOut = { kind: 'linear' as const, y, dy: abs(dy), at, count: at.length };
      const absGrads = { dKernel: absKernel, dBias: absBias, dx: absDx };
      reference.conv1dBackwardSparse(absOut, abs(x), w, abs(kernel), filters, absGrads);
      const name = `conv1dBackwardSparse ${kind} ${describeWindow(w)} F${filters} entries ${at.length} bias=${useBias}`;
      check(ctx, name, (run) => {
        const dK = run.out(
          'dKernel',
          dKernel,
          span(0, weights),
          listSumBound(absKernel, dKernel, at.length),
        );
        const dB = useBias
          ? run.out('dBias', dBias, span(0, filters), listSumBound(absBias, dBias, at.length))
          : null;
        const dX = run.out('dx', dx, span(0, inputSize(w)), listSumBound(absDx, [], at.length));
        const out = {
          kind,
          y: run.in('y', y),
          dy: run.in('dy', dy),
          at: run.ints('at', at),
          count: at.length,
        };
        const x1 = run.in('x', x);
        const k1 = run.in('kernel', kernel);
        run.backend.conv1dBackwardSparse(out, x1, w, k1, filters, {
          dKernel: dK,
          dBias: dB,
          dx: dX,
        });
      });
    }
  });
}

/**
 * gemm reading overlapping rows of A (lda below the row length), as Conv1D reads its input's
 * windows in place: row r of A is the size·channels values from x + r·channels. Also with
 * transA (A stored k×m, its rows overlapping) and beta 1. Bound: gemm's, 4·√k·u·(|A|·|B| + |C|).
 */
function gemmOverlappingRows(ctx: SuiteContext): void {
  const rng = new Rng(408);
  const reference = createReferenceBackend('float64');
  const shapes: [number, number, number, number][] = [
    [3, 17, 5, 3],
    [2, 9, 65, 4],
    [1, 6, 1, 6],
  ];
  if (ctx.seedShapes) shapes.push([64, 200, 128, 5]);
  shapes.forEach(([batch, steps, channels, size], i) => {
    const transA = i % 2 === 1;
    const beta = transA ? 1 : 0;
    const filters = 7 + i * 40;
    const m = batch * steps - size + 1;
    const k = size * channels;
    const x = uniform(rng, batch * steps * channels);
    const kernel = uniform(rng, k * filters);
    const c = uniform(rng, m * filters + GUARD);
    // transA: A(i, p) = a[p·lda + i], so lda = 1 makes rows of A the same overlapping windows.
    const [lda, rowsA] = transA ? [1, k] : [channels, m];
    const need = (rowsA - 1) * lda + (transA ? m : k);
    const a = transA ? uniform(rng, need) : x;
    const abs = (v: ArrayLike<number>) => Float64Array.from(v, Math.abs);
    const absC = reference.alloc(m * filters);
    absC.set(abs(c.subarray(0, m * filters)));
    reference.gemm(
      matrix(abs(a), transA ? k : m, transA ? m : k, { stride: lda, transposed: transA }),
      matrix(abs(kernel), k, filters),
      matrix(absC, m, filters),
      beta,
    );
    const bound: Bound = (_want, j, u) => 4 * Math.sqrt(k) * u * absC[j];
    const name = `gemm ${transA ? 'TN' : 'NN'} ${m}×${filters}×${k}, lda ${lda}, beta ${beta}`;
    check(ctx, name, (run) => {
      const out = run.out('c', c, span(0, m * filters), bound);
      run.backend.gemm(
        matrix(run.in('a', a), transA ? k : m, transA ? m : k, { stride: lda, transposed: transA }),
        matrix(run.in('b', kernel), k, filters),
        matrix(out, m, filters),
        beta,
      );
    });
  });
}

/** [batch, steps, channels] of the global pooling cases. */
const GLOBAL: [number, number, number][] = [
  [1, 1, 1],
  [3, 17, 5],
  [4, 63, 17],
  [2, 65, 3],
];

/** A [batch, steps] mask with one row fully masked (its mean is defined as 0). */
function poolMask(rng: Rng, batch: number, steps: number): Uint8Array {
  const mask = maskValues(rng, 0, batch * steps).subarray(0, batch * steps);
  if (batch > 1) mask.fill(0, 0, steps);
  return mask;
}

function globalAvgPool1d(ctx: SuiteContext): void {
  const rng = new Rng(405);
  for (const [batch, steps, channels] of GLOBAL) {
    for (const masked of [false, true]) {
      const x = uniform(rng, batch * steps * channels);
      const y = uniform(rng, batch * channels + GUARD);
      const mask = masked ? poolMask(rng, batch, steps) : null;
      check(ctx, `globalAvgPool1d ${batch}×${steps}×${channels} masked=${masked}`, (run) => {
        const out = run.out('y', y, span(0, batch * channels), rel(4 + 4 * Math.sqrt(steps)));
        const m = mask && run.mask('mask', mask);
        run.backend.globalAvgPool1d(run.in('x', x), batch, steps, channels, m, out);
      });
    }
  }
}

function globalAvgPool1dBackward(ctx: SuiteContext): void {
  const rng = new Rng(406);
  for (const [batch, steps, channels] of GLOBAL) {
    for (const masked of [false, true]) {
      const dy = uniform(rng, batch * channels);
      const dx = uniform(rng, batch * steps * channels + GUARD);
      const mask = masked ? poolMask(rng, batch, steps) : null;
      const name = `globalAvgPool1dBackward ${batch}×${steps}×${channels} masked=${masked}`;
      check(ctx, name, (run) => {
        const out = run.out('dx', dx, span(0, batch * steps * channels), rel(2));
        const m = mask && run.mask('mask', mask);
        run.backend.globalAvgPool1dBackward(run.in('dy', dy), batch, steps, channels, m, out);
      });
    }
  }
}

export const convCases = {
  im2col1d,
  col2im1d,
  maxPool1d,
  maxPool1dBackward,
  conv1dBackwardSparse,
  gemmOverlappingRows,
  globalAvgPool1d,
  globalAvgPool1dBackward,
};
