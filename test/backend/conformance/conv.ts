import { window1d, type Padding, type Window1d } from '../../../src/backend/conv-ops.js';
import { createReferenceBackend } from '../../../src/backend/reference/index.js';
import { Rng } from '../../../src/random/rng.js';
import {
  check,
  dyadic,
  EXACT,
  GUARD,
  maskValues,
  rel,
  span,
  uniform,
  type SuiteContext,
} from './harness.js';

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
  globalAvgPool1d,
  globalAvgPool1dBackward,
};
