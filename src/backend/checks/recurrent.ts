import {
  gateCount,
  type RecurrentActivation,
  type RecurrentOps,
  type SequenceCell,
} from '../recurrent-ops.js';
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

const CELL_KINDS: readonly SequenceCell['kind'][] = ['simpleRnn', 'lstm', 'gru'];

/** The cell, batch, steps and units of a whole-sequence op; G is the cell's gates per unit. */
function sequenceShape(c: Args, cell: unknown, batch: unknown, steps: unknown, units: unknown) {
  if (typeof cell !== 'object' || cell === null) c.fail('cell must be an object');
  const { kind, activation, resetAfter } = cell as Record<string, unknown>;
  const k = c.choice('cell.kind', kind, CELL_KINDS);
  const checked: SequenceCell =
    k === 'simpleRnn'
      ? { kind: k, activation: c.choice('cell.activation', activation, CELL_ACTIVATIONS) }
      : k === 'gru'
        ? { kind: k, resetAfter: c.flag('cell.resetAfter', resetAfter) }
        : { kind: k };
  const [B, H, BH] = cellShape(c, batch, units);
  return { cell: checked, B, H, BH, T: c.size('steps', steps), G: gateCount(checked) };
}

/** With a recurrent-dropout scale [batch, units], its scratch `name` of `extent` values. */
function dropout(c: Args, scale: unknown, name: string, a: unknown, extent: number, BH: number) {
  if (scale === null) return;
  c.floatSpan('recurrentScale', scale, 0, BH);
  c.floatSpan(name, a, 0, extent);
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
  sequenceForward(cell, batch, steps, units, gates, U, h, hIn, scale, mask, cc, rec, rh) {
    const c = new Args('sequenceForward');
    const q = sequenceShape(c, cell, batch, steps, units);
    const { T, BH, G } = q;
    c.floatSpan('gates', gates, 0, T * BH * G);
    c.floatSpan('U', U, 0, q.H * q.H * G);
    c.floatSpan('h', h, 0, (T + 1) * BH);
    dropout(c, scale, 'hIn', hIn, T * BH, BH);
    c.maskSpan('mask', mask, 0, T * q.B);
    if (q.cell.kind === 'lstm') c.floatSpan('c', cc, 0, (T + 1) * BH);
    if (q.cell.kind === 'gru') c.floatSpan('rec', rec, 0, T * BH * G);
    if (q.cell.kind === 'gru' && !q.cell.resetAfter) c.floatSpan('rh', rh, 0, T * BH);
    return BH > 0;
  },
  sequenceBackward(cell, batch, steps, units, gates, h, hIn, Ut, dH, dG, dHIn, scale, m, ...a) {
    const c = new Args('sequenceBackward');
    const q = sequenceShape(c, cell, batch, steps, units);
    const { T, BH, G } = q;
    const [cc, dc, rec, dRec, dRh] = a;
    c.floatSpan('gates', gates, 0, T * BH * G);
    c.floatSpan('h', h, 0, (T + 1) * BH);
    c.floatSpan('Ut', Ut, 0, q.H * q.H * G);
    c.floatSpan('dH', dH, 0, T * BH);
    c.floatSpan('dGates', dG, 0, T * BH * G);
    dropout(c, scale, 'dHIn', dHIn, BH, BH);
    if (scale !== null) c.floatSpan('hIn', hIn, 0, T * BH);
    c.maskSpan('mask', m, 0, T * q.B);
    if (q.cell.kind === 'lstm') {
      c.floatSpan('c', cc, 0, (T + 1) * BH);
      c.floatSpan('dc', dc, 0, BH);
    }
    if (q.cell.kind === 'gru') c.floatSpan('rec', rec, 0, T * BH * G);
    if (q.cell.kind === 'gru' && q.cell.resetAfter) c.floatSpan('dRec', dRec, 0, T * BH * G);
    if (q.cell.kind === 'gru' && !q.cell.resetAfter) c.floatSpan('dRh', dRh, 0, BH);
    return BH > 0;
  },
  sequenceLast(cell, batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out) {
    const c = new Args('sequenceLast');
    const q = sequenceShape(c, cell, batch, steps, units);
    const { B, H, BH, T, G } = q;
    const D = c.size('inputDim', inputDim);
    c.floatSpan('x', x, 0, B * T * D);
    c.flag('reverse', reverse);
    c.floatSpan('W', W, 0, D * G * H);
    const twoRows = q.cell.kind === 'gru' && q.cell.resetAfter;
    c.floatSpanOrNull('bias', bias, 0, (twoRows ? 2 : 1) * G * H);
    c.floatSpan('U', U, 0, G * H * H);
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
