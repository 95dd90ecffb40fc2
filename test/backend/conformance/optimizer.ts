import type { GradientClip } from '../../../src/backend/optimizer-ops.js';
import { Rng } from '../../../src/random/rng.js';
import { check, GUARD, rel, span, uniform, type Run, type SuiteContext } from './harness.js';

/** Odd lengths, and the seed Embedding(10000, 128) table with Adam. */
function lengths(ctx: SuiteContext, seed: boolean): number[] {
  const odd = [1, 3, 17, 63, 65];
  return seed && ctx.seedShapes ? [...odd, 10000 * 128] : odd;
}

/** No clipping, clipnorm (a scale), clipvalue (a clamp that the [−2, 2] gradients do hit). */
const CLIPS: GradientClip[] = [
  { scale: 1, clipValue: Infinity },
  { scale: 0.37, clipValue: Infinity },
  { scale: 1, clipValue: 0.25 },
];

const BOUND = rel(16);

function describeClip(clip: GradientClip): string {
  return `clip scale ${clip.scale} value ${clip.clipValue}`;
}

function sgdUpdate(ctx: SuiteContext): void {
  const rng = new Rng(501);
  const variants = [
    { momentum: 0, nesterov: false },
    { momentum: 0.9, nesterov: false },
    { momentum: 0.9, nesterov: true },
  ];
  for (const n of lengths(ctx, false)) {
    for (const clip of CLIPS) {
      for (const { momentum, nesterov } of variants) {
        const w = uniform(rng, n + GUARD);
        const grad = uniform(rng, n + GUARD, -2, 2);
        const slot = uniform(rng, n + GUARD, -0.1, 0.1);
        const step = { learningRate: 0.01, momentum, nesterov };
        const name = `sgdUpdate n=${n} momentum=${momentum} nesterov=${nesterov} ${describeClip(clip)}`;
        check(ctx, name, (run) => {
          run.backend.sgdUpdate(
            run.out('w', w, span(0, n), BOUND),
            run.in('grad', grad),
            n,
            clip,
            step,
            momentum === 0 ? null : run.out('momentum', slot, span(0, n), BOUND),
          );
        });
      }
    }
  }
}

function rmspropUpdate(ctx: SuiteContext): void {
  const rng = new Rng(502);
  for (const n of lengths(ctx, false)) {
    for (const clip of CLIPS) {
      for (const centered of [false, true]) {
        for (const momentum of [0, 0.9]) {
          const w = uniform(rng, n + GUARD);
          const grad = uniform(rng, n + GUARD, -2, 2);
          // v − a² stays ≥ 0.4, as in a real run, so the centered form does not cancel.
          const velocity = uniform(rng, n + GUARD, 0.5, 1);
          const average = uniform(rng, n + GUARD, -0.3, 0.3);
          const slot = uniform(rng, n + GUARD, -0.1, 0.1);
          const step = { learningRate: 0.001, rho: 0.9, momentum, epsilon: 1e-7 };
          const name = `rmspropUpdate n=${n} centered=${centered} momentum=${momentum} ${describeClip(clip)}`;
          check(ctx, name, (run) => {
            run.backend.rmspropUpdate(
              run.out('w', w, span(0, n), BOUND),
              run.in('grad', grad),
              n,
              clip,
              step,
              run.out('velocity', velocity, span(0, n), BOUND),
              momentum === 0 ? null : run.out('momentum', slot, span(0, n), BOUND),
              centered ? run.out('averageGrad', average, span(0, n), BOUND) : null,
            );
          });
        }
      }
    }
  }
}

/** Step 3 of lr 1e-3: alpha carries the bias corrections. */
const ADAM_STEP = {
  alpha: (1e-3 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3),
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
};

/** Adam's w, grad, m and v of n values (and a guard), drawn from rng. */
function adamArrays(rng: Rng, n: number) {
  return {
    w: uniform(rng, n + GUARD),
    grad: uniform(rng, n + GUARD, -2, 2),
    m: uniform(rng, n + GUARD, -0.5, 0.5),
    v: uniform(rng, n + GUARD, 0, 1),
  };
}

/** The arguments of adamUpdate over those arrays: w, m and v are outputs over [0, n). */
function adamArgs(run: Run, a: ReturnType<typeof adamArrays>, n: number, clip: GradientClip) {
  const out = (name: string, values: Float64Array) => run.out(name, values, span(0, n), BOUND);
  return [
    out('w', a.w),
    run.in('grad', a.grad),
    n,
    clip,
    ADAM_STEP,
    out('m', a.m),
    out('v', a.v),
  ] as const;
}

function adamUpdate(ctx: SuiteContext): void {
  const rng = new Rng(503);
  for (const n of lengths(ctx, true)) {
    // The seed table is checked once, without clipping: the clip paths are the same code.
    for (const clip of n > 65 ? CLIPS.slice(0, 1) : CLIPS) {
      const arrays = adamArrays(rng, n);
      check(ctx, `adamUpdate n=${n} ${describeClip(clip)}`, (run) => {
        run.backend.adamUpdate(...adamArgs(run, arrays, n, clip));
      });
    }
  }
}

/** [rows, rowSize, rows listed]: odd widths, one row, all rows, the seed table with a batch's. */
function rowShapes(ctx: SuiteContext): [number, number, number][] {
  const odd: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 2],
    [9, 17, 9],
    [65, 63, 20],
    [40, 128, 0],
  ];
  // 64 × 200 uniform ids of 10,000 touch about 7,200 distinct rows.
  return ctx.seedShapes ? [...odd, [10000, 128, 7200]] : odd;
}

function adamUpdateRows(ctx: SuiteContext): void {
  const rng = new Rng(504);
  for (const [rows, rowSize, listed] of rowShapes(ctx)) {
    const n = rows * rowSize;
    for (const clip of n > 10000 ? CLIPS.slice(0, 1) : CLIPS) {
      const arrays = adamArrays(rng, n);
      // Distinct rows in a random order: the first `listed` of a shuffle.
      const order = Array.from({ length: rows }, (_, i) => i);
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const list = order.slice(0, listed);
      const name = `adamUpdateRows ${listed} of ${rows}×${rowSize} ${describeClip(clip)}`;
      check(ctx, name, (run) => {
        // The rows not listed are part of the outputs: they must come back unchanged.
        const args = adamArgs(run, arrays, n, clip);
        run.backend.adamUpdateRows(...args, rowSize, run.ints('rows', list));
      });
    }
  }
}

export const optimizerCases = { sgdUpdate, rmspropUpdate, adamUpdate, adamUpdateRows };
