import type { RecurrentActivation } from '../../../src/backend/recurrent-ops.js';
import { Rng } from '../../../src/random/rng.js';
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
  type Range,
  type SuiteContext,
} from './harness.js';

/** [batch, units] of one step: odd sizes, and the seed LSTM(64) step on batch 64. */
function cellShapes(ctx: SuiteContext): [number, number][] {
  const odd: [number, number][] = [
    [1, 1],
    [3, 17],
    [5, 63],
    [2, 65],
  ];
  return ctx.seedShapes ? [...odd, [64, 64]] : odd;
}

/** Mask variants: none, or some rows padding at this step. */
const MASKED = [false, true];

/**
 * Buffer offsets of one step inside time-major sequences (step 2 of gate, state and mask
 * buffers), so kernels are checked reading and writing at an offset.
 */
function offsets(batch: number, units: number, gateCount: number) {
  return {
    gates: 2 * batch * gateCount * units + 1,
    state: 2 * batch * units + 2,
    prev: batch * units + 3,
    mask: 2 * batch,
  };
}

/** The block of `data` from `offset` on: a step op's View. */
function at<A>(data: A, offset: number): { data: A; offset: number } {
  return { data, offset };
}

/** A step's buffer: `offset` guard values, then batch·width values, then a guard tail. */
function stepBuffer(rng: Rng, offset: number, n: number, values?: Float64Array): Float64Array {
  const buf = uniform(rng, offset + n + GUARD);
  if (values) buf.set(values, offset);
  return buf;
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

function multiplyAt(ctx: SuiteContext): void {
  const rng = new Rng(302);
  for (const n of [1, 3, 17, 63, 65]) {
    for (const beta of [0, 1] as const) {
      const a = uniform(rng, n + 5);
      const b = uniform(rng, n + 2);
      const out = uniform(rng, n + 4 + GUARD);
      check(ctx, `multiplyAt n=${n} β=${beta}`, (run) => {
        const o = run.out('out', out, span(4, n), beta === 0 ? EXACT : rel(4));
        run.backend.multiplyAt(n, run.in('a', a), 5, run.in('b', b), 2, o, 4, beta);
      });
    }
  }
}

const RNN_ACTIVATIONS: readonly RecurrentActivation[] = ['tanh', 'sigmoid', 'relu', 'linear'];
const ACTIVATE: Record<RecurrentActivation, (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => Math.max(x, 0),
  linear: (x) => x,
};

function rnnCellForward(ctx: SuiteContext): void {
  const rng = new Rng(303);
  for (const activation of RNN_ACTIVATIONS) {
    for (const [batch, units] of cellShapes(ctx)) {
      for (const masked of MASKED) {
        const o = offsets(batch, units, 1);
        const n = batch * units;
        const gates = stepBuffer(rng, o.gates, n, preActivations(rng, n));
        const hPrev = stepBuffer(rng, o.prev, n);
        const h = stepBuffer(rng, o.state, n);
        const mask = masked ? maskValues(rng, o.mask, batch) : null;
        check(ctx, `rnnCellForward ${activation} ${batch}×${units} masked=${masked}`, (run) => {
          run.backend.rnnCellForward({
            activation,
            batch,
            units,
            gates: at(run.out('gates', gates, span(o.gates, n), rel(8)), o.gates),
            hPrev: at(run.in('hPrev', hPrev), o.prev),
            h: at(run.out('h', h, span(o.state, n), rel(8)), o.state),
            mask: mask && at(run.mask('mask', mask), o.mask),
          });
        });
      }
    }
  }
}

/** dhPrev variants: absent (first step) or accumulated into. */
const WITH_DH_PREV = [false, true];

function rnnCellBackward(ctx: SuiteContext): void {
  const rng = new Rng(304);
  for (const activation of RNN_ACTIVATIONS) {
    for (const [batch, units] of cellShapes(ctx)) {
      for (const masked of MASKED) {
        for (const withPrev of WITH_DH_PREV) {
          const o = offsets(batch, units, 1);
          const n = batch * units;
          const gates = stepBuffer(rng, o.gates, n, activated(rng, n, ACTIVATE[activation]));
          const dh = stepBuffer(rng, o.state, n);
          const dGates = stepBuffer(rng, o.gates, n);
          const dhPrev = stepBuffer(rng, o.prev, n);
          const mask = masked ? maskValues(rng, o.mask, batch) : null;
          const name = `rnnCellBackward ${activation} ${batch}×${units} masked=${masked} dhPrev=${withPrev}`;
          check(ctx, name, (run) => {
            run.backend.rnnCellBackward({
              activation,
              batch,
              units,
              gates: at(run.in('gates', gates), o.gates),
              dh: at(run.in('dh', dh), o.state),
              dGates: at(run.out('dGates', dGates, span(o.gates, n), rel(4)), o.gates),
              dhPrev: withPrev
                ? at(run.out('dhPrev', dhPrev, span(o.prev, n), rel(4)), o.prev)
                : null,
              mask: mask && at(run.mask('mask', mask), o.mask),
            });
          });
        }
      }
    }
  }
}

/**
 * Kept gate activations, row by row in Keras order: LSTM i, f, g, o or GRU z, r, hh — each gate in
 * (0, 1) from a sigmoid except the third (g / hh), in (−1, 1) from tanh, in both cells.
 */
function gateActivations(rng: Rng, batch: number, units: number, gates: 3 | 4): Float64Array {
  const out = new Float64Array(batch * gates * units);
  for (let b = 0; b < batch; b++) {
    for (let gate = 0; gate < gates; gate++) {
      const f = gate === 2 ? Math.tanh : sigmoid;
      out.set(activated(rng, units, f), (b * gates + gate) * units);
    }
  }
  return out;
}

function lstmCellForward(ctx: SuiteContext): void {
  const rng = new Rng(305);
  for (const [batch, units] of cellShapes(ctx)) {
    for (const masked of MASKED) {
      const o = offsets(batch, units, 4);
      const n = batch * units;
      const gates = stepBuffer(rng, o.gates, 4 * n, preActivations(rng, 4 * n));
      const cPrev = stepBuffer(rng, o.prev, n, uniform(rng, n, -3, 3));
      const hPrev = stepBuffer(rng, o.prev, n);
      const c = stepBuffer(rng, o.state, n);
      const h = stepBuffer(rng, o.state, n);
      const mask = masked ? maskValues(rng, o.mask, batch) : null;
      check(ctx, `lstmCellForward ${batch}×${units} masked=${masked}`, (run) => {
        run.backend.lstmCellForward({
          batch,
          units,
          gates: at(run.out('gates', gates, span(o.gates, 4 * n), rel(16)), o.gates),
          cPrev: at(run.in('cPrev', cPrev), o.prev),
          c: at(run.out('c', c, span(o.state, n), rel(16)), o.state),
          hPrev: at(run.in('hPrev', hPrev), o.prev),
          h: at(run.out('h', h, span(o.state, n), rel(16)), o.state),
          mask: mask && at(run.mask('mask', mask), o.mask),
        });
      });
    }
  }
}

function lstmCellBackward(ctx: SuiteContext): void {
  const rng = new Rng(306);
  for (const [batch, units] of cellShapes(ctx)) {
    for (const masked of MASKED) {
      for (const withPrev of WITH_DH_PREV) {
        const o = offsets(batch, units, 4);
        const n = batch * units;
        const gates = stepBuffer(rng, o.gates, 4 * n, gateActivations(rng, batch, units, 4));
        const cPrev = stepBuffer(rng, o.prev, n, uniform(rng, n, -3, 3));
        const c = stepBuffer(rng, o.state, n, uniform(rng, n, -3, 3));
        const dh = stepBuffer(rng, o.state, n);
        const dc = stepBuffer(rng, o.state, n);
        const dGates = stepBuffer(rng, o.gates, 4 * n);
        const dhPrev = stepBuffer(rng, o.prev, n);
        const mask = masked ? maskValues(rng, o.mask, batch) : null;
        const name = `lstmCellBackward ${batch}×${units} masked=${masked} dhPrev=${withPrev}`;
        check(ctx, name, (run) => {
          run.backend.lstmCellBackward({
            batch,
            units,
            gates: at(run.in('gates', gates), o.gates),
            cPrev: at(run.in('cPrev', cPrev), o.prev),
            c: at(run.in('c', c), o.state),
            dh: at(run.in('dh', dh), o.state),
            dc: at(run.out('dc', dc, span(o.state, n), rel(32)), o.state),
            dGates: at(run.out('dGates', dGates, span(o.gates, 4 * n), rel(32)), o.gates),
            dhPrev: withPrev
              ? at(run.out('dhPrev', dhPrev, span(o.prev, n), rel(32)), o.prev)
              : null,
            mask: mask && at(run.mask('mask', mask), o.mask),
          });
        });
      }
    }
  }
}

function gruCellForward(ctx: SuiteContext): void {
  const rng = new Rng(307);
  for (const resetAfter of [true, false]) {
    for (const [batch, units] of cellShapes(ctx)) {
      for (const masked of MASKED) {
        const o = offsets(batch, units, 3);
        const n = batch * units;
        const gates = stepBuffer(rng, o.gates, 3 * n, preActivations(rng, 3 * n));
        const rec = stepBuffer(rng, o.gates, 3 * n, uniform(rng, 3 * n, -2, 2));
        const hPrev = stepBuffer(rng, o.prev, n);
        const h = stepBuffer(rng, o.state, n);
        const mask = masked ? maskValues(rng, o.mask, batch) : null;
        const name = `gruCellForward resetAfter=${resetAfter} ${batch}×${units} masked=${masked}`;
        check(ctx, name, (run) => {
          run.backend.gruCellForward({
            resetAfter,
            batch,
            units,
            gates: at(run.out('gates', gates, span(o.gates, 3 * n), rel(16)), o.gates),
            rec: at(run.in('rec', rec), o.gates),
            hPrev: at(run.in('hPrev', hPrev), o.prev),
            h: at(run.out('h', h, span(o.state, n), rel(16)), o.state),
            mask: mask && at(run.mask('mask', mask), o.mask),
          });
        });
      }
    }
  }
}

function gruResetForward(ctx: SuiteContext): void {
  const rng = new Rng(308);
  for (const [batch, units] of cellShapes(ctx)) {
    const o = offsets(batch, units, 3);
    const n = batch * units;
    const gates = stepBuffer(rng, o.gates, 3 * n, preActivations(rng, 3 * n));
    const rec = stepBuffer(rng, o.gates, 3 * n, uniform(rng, 3 * n, -2, 2));
    const hPrev = stepBuffer(rng, o.prev, n);
    const rh = stepBuffer(rng, o.state, n);
    check(ctx, `gruResetForward ${batch}×${units}`, (run) => {
      run.backend.gruResetForward({
        batch,
        units,
        gates: at(run.in('gates', gates), o.gates),
        rec: at(run.in('rec', rec), o.gates),
        hPrev: at(run.in('hPrev', hPrev), o.prev),
        rh: at(run.out('rh', rh, span(o.state, n), rel(8)), o.state),
      });
    });
  }
}

function gruCellBackward(ctx: SuiteContext): void {
  const rng = new Rng(309);
  for (const resetAfter of [true, false]) {
    for (const [batch, units] of cellShapes(ctx)) {
      for (const masked of MASKED) {
        for (const withPrev of WITH_DH_PREV) {
          const o = offsets(batch, units, 3);
          const n = batch * units;
          const gates = stepBuffer(rng, o.gates, 3 * n, gateActivations(rng, batch, units, 3));
          const rec = stepBuffer(rng, o.gates, 3 * n, uniform(rng, 3 * n, -2, 2));
          const hPrev = stepBuffer(rng, o.prev, n);
          const dh = stepBuffer(rng, o.state, n);
          const dGates = stepBuffer(rng, o.gates, 3 * n);
          const dRec = stepBuffer(rng, o.gates, 3 * n);
          const dhPrev = stepBuffer(rng, o.prev, n);
          const mask = masked ? maskValues(rng, o.mask, batch) : null;
          // Without resetAfter, dRec is unused: passed anyway, it must come back untouched.
          const dRecRegion: Range[] = resetAfter ? span(o.gates, 3 * n) : [];
          const name = `gruCellBackward resetAfter=${resetAfter} ${batch}×${units} masked=${masked} dhPrev=${withPrev}`;
          check(ctx, name, (run) => {
            run.backend.gruCellBackward({
              resetAfter,
              batch,
              units,
              gates: at(run.in('gates', gates), o.gates),
              rec: at(run.in('rec', rec), o.gates),
              hPrev: at(run.in('hPrev', hPrev), o.prev),
              dh: at(run.in('dh', dh), o.state),
              dGates: at(run.out('dGates', dGates, span(o.gates, 3 * n), rel(32)), o.gates),
              dRec: at(run.out('dRec', dRec, dRecRegion, rel(32)), o.gates),
              dhPrev: withPrev
                ? at(run.out('dhPrev', dhPrev, span(o.prev, n), rel(32)), o.prev)
                : null,
              mask: mask && at(run.mask('mask', mask), o.mask),
            });
          });
        }
      }
    }
  }
}

function gruResetBackward(ctx: SuiteContext): void {
  const rng = new Rng(310);
  for (const [batch, units] of cellShapes(ctx)) {
    for (const withPrev of WITH_DH_PREV) {
      const o = offsets(batch, units, 3);
      const n = batch * units;
      const gates = stepBuffer(rng, o.gates, 3 * n, gateActivations(rng, batch, units, 3));
      const hPrev = stepBuffer(rng, o.prev, n);
      const dRh = stepBuffer(rng, o.state, n);
      const dGates = stepBuffer(rng, o.gates, 3 * n);
      const dhPrev = stepBuffer(rng, o.prev, n);
      // Only the r block (units..2·units) of each row of dGates is written.
      const rBlocks: Range[] = Array.from({ length: batch }, (_, b) => [
        o.gates + (3 * b + 1) * units,
        o.gates + (3 * b + 2) * units,
      ]);
      check(ctx, `gruResetBackward ${batch}×${units} dhPrev=${withPrev}`, (run) => {
        run.backend.gruResetBackward({
          batch,
          units,
          gates: at(run.in('gates', gates), o.gates),
          hPrev: at(run.in('hPrev', hPrev), o.prev),
          dRh: at(run.in('dRh', dRh), o.state),
          dGates: at(run.out('dGates', dGates, rBlocks, rel(8)), o.gates),
          dhPrev: withPrev ? at(run.out('dhPrev', dhPrev, span(o.prev, n), rel(8)), o.prev) : null,
        });
      });
    }
  }
}

export const recurrentCases = {
  'sequenceToTimeMajor / timeMajorToSequence': transposes,
  multiplyAt,
  rnnCellForward,
  rnnCellBackward,
  lstmCellForward,
  lstmCellBackward,
  gruCellForward,
  gruResetForward,
  gruCellBackward,
  gruResetBackward,
};
