import type { RecurrentActivation, RecurrentOps } from '../recurrent-ops.js';
import { Args } from './args.js';
import type { Checks } from './types.js';

const CELL_ACTIVATIONS: readonly RecurrentActivation[] = ['linear', 'sigmoid', 'tanh', 'relu'];

/** batch and units of a cell step, and their product (the width of one state block). */
function cellShape(c: Args, batch: unknown, units: unknown): [number, number, number] {
  const B = c.size('batch', batch);
  const H = c.size('units', units);
  return [B, H, B * H];
}

/** A step slice: `extent` values of `a` from its offset argument. */
function slice(c: Args, name: string, a: unknown, offset: unknown, extent: number): void {
  c.floatSpan(name, a, c.offset(`${name}Offset`, offset), extent);
}

/** A null-able step slice (dhPrev, dRec). */
function optionalSlice(c: Args, name: string, a: unknown, offset: unknown, extent: number): void {
  if (a !== null) slice(c, name, a, offset, extent);
}

function stepMask(c: Args, mask: unknown, offset: unknown, batch: number): void {
  if (mask !== null) c.maskSpan('mask', mask, c.offset('maskOffset', offset), batch);
}

function transpose(
  op: string,
  batchMajor: unknown,
  timeMajor: unknown,
  ...[batch, steps, features, reverse, scale]: unknown[]
): boolean {
  const c = new Args(op);
  const [B, T, F] = [c.size('batch', batch), c.size('steps', steps), c.size('features', features)];
  c.floatSpan('batchMajor', batchMajor, 0, B * T * F);
  c.floatSpan('timeMajor', timeMajor, 0, B * T * F);
  c.flag('reverse', reverse);
  c.floatSpanOrNull('scale', scale, 0, B * F);
  return B * T * F > 0;
}

/** batch, steps, units of a whole-sequence LSTM op. */
function sequenceShape(c: Args, batch: unknown, steps: unknown, units: unknown) {
  const [B, H, BH] = cellShape(c, batch, units);
  return { B, H, BH, T: c.size('steps', steps) };
}

export const recurrentChecks: Checks<keyof RecurrentOps> = {
  sequenceToTimeMajor: (x, y, ...rest) => transpose('sequenceToTimeMajor', x, y, ...rest),
  timeMajorToSequence: (y, x, ...rest) => transpose('timeMajorToSequence', x, y, ...rest),
  multiplyAt(n, a, aOffset, b, bOffset, out, outOffset, beta) {
    const c = new Args('multiplyAt');
    const count = c.size('n', n);
    slice(c, 'a', a, aOffset, count);
    slice(c, 'b', b, bOffset, count);
    slice(c, 'out', out, outOffset, count);
    c.flag('beta', beta);
    return count > 0;
  },

  rnnCellForward(activation, batch, units, gates, gOff, hPrev, hpOff, h, hOff, mask, mOff) {
    const c = new Args('rnnCellForward');
    c.choice('activation', activation, CELL_ACTIVATIONS);
    const [B, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'h', h, hOff, BH);
    stepMask(c, mask, mOff, B);
    return BH > 0;
  },
  rnnCellBackward(act, batch, units, gates, gOff, dh, dhOff, dG, dgOff, dhPrev, dpOff, m, mOff) {
    const c = new Args('rnnCellBackward');
    c.choice('activation', act, CELL_ACTIVATIONS);
    const [B, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, BH);
    slice(c, 'dh', dh, dhOff, BH);
    slice(c, 'dGates', dG, dgOff, BH);
    optionalSlice(c, 'dhPrev', dhPrev, dpOff, BH);
    stepMask(c, m, mOff, B);
    return BH > 0;
  },
  lstmCellForward(batch, units, gates, gOff, cPrev, cpOff, cc, cOff, hPrev, hpOff, h, hOff, m, mo) {
    const c = new Args('lstmCellForward');
    const [B, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, 4 * BH);
    slice(c, 'cPrev', cPrev, cpOff, BH);
    slice(c, 'c', cc, cOff, BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'h', h, hOff, BH);
    stepMask(c, m, mo, B);
    return BH > 0;
  },
  lstmCellBackward(batch, units, ...a) {
    const c = new Args('lstmCellBackward');
    const [B, , BH] = cellShape(c, batch, units);
    const [gates, gOff, cPrev, cpOff, cc, cOff, dh, dhOff, dc, dcOff, dG, dgOff] = a;
    slice(c, 'gates', gates, gOff, 4 * BH);
    slice(c, 'cPrev', cPrev, cpOff, BH);
    slice(c, 'c', cc, cOff, BH);
    slice(c, 'dh', dh, dhOff, BH);
    slice(c, 'dc', dc, dcOff, BH);
    slice(c, 'dGates', dG, dgOff, 4 * BH);
    const [dhPrev, dpOff, mask, mOff] = a.slice(12);
    optionalSlice(c, 'dhPrev', dhPrev, dpOff, BH);
    stepMask(c, mask, mOff, B);
    return BH > 0;
  },
  lstmSequenceForward(batch, steps, units, gates, U, cc, h, hIn, recurrentScale, mask) {
    const c = new Args('lstmSequenceForward');
    const { B, H, BH, T } = sequenceShape(c, batch, steps, units);
    c.floatSpan('gates', gates, 0, T * 4 * BH);
    c.floatSpan('U', U, 0, 4 * H * H);
    c.floatSpan('c', cc, 0, (T + 1) * BH);
    c.floatSpan('h', h, 0, (T + 1) * BH);
    if (recurrentScale !== null) {
      c.floatSpan('recurrentScale', recurrentScale, 0, BH);
      c.floatSpan('hIn', hIn, 0, T * BH);
    }
    c.maskSpan('mask', mask, 0, T * B);
    return BH > 0;
  },
  lstmSequenceBackward(batch, steps, units, gates, cc, Ut, dH, dc, dG, dHIn, recurrentScale, m) {
    const c = new Args('lstmSequenceBackward');
    const { B, H, BH, T } = sequenceShape(c, batch, steps, units);
    c.floatSpan('gates', gates, 0, T * 4 * BH);
    c.floatSpan('c', cc, 0, (T + 1) * BH);
    c.floatSpan('Ut', Ut, 0, 4 * H * H);
    c.floatSpan('dH', dH, 0, T * BH);
    c.floatSpan('dc', dc, 0, BH);
    c.floatSpan('dGates', dG, 0, T * 4 * BH);
    if (recurrentScale !== null) {
      c.floatSpan('recurrentScale', recurrentScale, 0, BH);
      c.floatSpan('dHIn', dHIn, 0, BH);
    }
    c.maskSpan('mask', m, 0, T * B);
    return BH > 0;
  },
  lstmSequenceLast(batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out) {
    const c = new Args('lstmSequenceLast');
    const { B, H, BH, T } = sequenceShape(c, batch, steps, units);
    const D = c.size('inputDim', inputDim);
    c.floatSpan('x', x, 0, B * T * D);
    c.flag('reverse', reverse);
    c.floatSpan('W', W, 0, D * 4 * H);
    c.floatSpanOrNull('bias', bias, 0, 4 * H);
    c.floatSpan('U', U, 0, 4 * H * H);
    c.maskSpan('mask', mask, 0, T * B);
    c.floatSpan('out', out, 0, BH);
    return BH > 0;
  },

  gruCellForward(resetAfter, batch, units, gates, gOff, rec, rOff, hPrev, hpOff, h, hOff, m, mo) {
    const c = new Args('gruCellForward');
    c.flag('resetAfter', resetAfter);
    const [B, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, 3 * BH);
    slice(c, 'rec', rec, rOff, 3 * BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'h', h, hOff, BH);
    stepMask(c, m, mo, B);
    return BH > 0;
  },
  gruResetForward(batch, units, gates, gOff, rec, rOff, hPrev, hpOff, rh, rhOff) {
    const c = new Args('gruResetForward');
    const [, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, 3 * BH);
    slice(c, 'rec', rec, rOff, 3 * BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'rh', rh, rhOff, BH);
    return BH > 0;
  },
  gruCellBackward(resetAfter, batch, units, ...a) {
    const c = new Args('gruCellBackward');
    const after = c.flag('resetAfter', resetAfter);
    const [B, , BH] = cellShape(c, batch, units);
    const [gates, gOff, rec, rOff, hPrev, hpOff, dh, dhOff, dG, dgOff, dRec, drOff] = a;
    slice(c, 'gates', gates, gOff, 3 * BH);
    slice(c, 'rec', rec, rOff, 3 * BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'dh', dh, dhOff, BH);
    slice(c, 'dGates', dG, dgOff, 3 * BH);
    if (after && dRec === null) c.fail('resetAfter needs dRec');
    optionalSlice(c, 'dRec', dRec, drOff, 3 * BH);
    const [dhPrev, dpOff, mask, mOff] = a.slice(12);
    optionalSlice(c, 'dhPrev', dhPrev, dpOff, BH);
    stepMask(c, mask, mOff, B);
    return BH > 0;
  },
  gruResetBackward(batch, units, gates, gOff, hPrev, hpOff, dRh, drhOff, dG, dgOff, dhPrev, dpOff) {
    const c = new Args('gruResetBackward');
    const [, , BH] = cellShape(c, batch, units);
    slice(c, 'gates', gates, gOff, 3 * BH);
    slice(c, 'hPrev', hPrev, hpOff, BH);
    slice(c, 'dRh', dRh, drhOff, BH);
    slice(c, 'dGates', dG, dgOff, 3 * BH);
    optionalSlice(c, 'dhPrev', dhPrev, dpOff, BH);
    return BH > 0;
  },
};
