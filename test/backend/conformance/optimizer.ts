import type { GradientClip } from '../../../src/backend/optimizer-ops.js';
import { Rng } from '../../../src/random/rng.js';
import { check, GUARD, rel, span, uniform, type SuiteContext } from './harness.js';

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

function adamUpdate(ctx: SuiteContext): void {
  const rng = new Rng(503);
  for (const n of lengths(ctx, true)) {
    // The seed table is checked once, without clipping: the clip paths are the same code.
    for (const clip of n > 65 ? CLIPS.slice(0, 1) : CLIPS) {
      const w = uniform(rng, n + GUARD);
      const grad = uniform(rng, n + GUARD, -2, 2);
      const m = uniform(rng, n + GUARD, -0.5, 0.5);
      const v = uniform(rng, n + GUARD, 0, 1);
      // Step 3 of lr 1e-3: alpha carries the bias corrections.
      const alpha = (1e-3 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3);
      const step = { alpha, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
      check(ctx, `adamUpdate n=${n} ${describeClip(clip)}`, (run) => {
        run.backend.adamUpdate(
          run.out('w', w, span(0, n), BOUND),
          run.in('grad', grad),
          n,
          clip,
          step,
          run.out('m', m, span(0, n), BOUND),
          run.out('v', v, span(0, n), BOUND),
        );
      });
    }
  }
}

export const optimizerCases = { sgdUpdate, rmspropUpdate, adamUpdate };
