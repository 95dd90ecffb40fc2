import {
  gateCount,
  type RecurrentActivation,
  type RecurrentOps,
  type SequenceCell,
} from '../recurrent-ops.js';
import { Args } from './args.js';
import type { Checks } from './types.js';

const CELL_ACTIVATIONS: readonly RecurrentActivation[] = ['linear', 'sigmoid', 'tanh', 'relu'];

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
  const { kind, activation, resetAfter } = c.record('cell', cell);
  const k = c.choice('cell.kind', kind, CELL_KINDS);
  const checked: SequenceCell =
    k === 'simpleRnn'
      ? { kind: k, activation: c.choice('cell.activation', activation, CELL_ACTIVATIONS) }
      : k === 'gru'
        ? { kind: k, resetAfter: c.flag('cell.resetAfter', resetAfter) }
        : { kind: k };
  const [B, H] = [c.size('batch', batch), c.size('units', units)];
  return { cell: checked, B, H, BH: B * H, T: c.size('steps', steps), G: gateCount(checked) };
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

  sequenceForward(cell, batch, steps, units, gates, U, h, hIn, scale, mask, cc, rec, rh, gr) {
    const c = new Args('sequenceForward');
    const q = sequenceShape(c, cell, batch, steps, units);
    const { T, BH, G } = q;
    c.floatSpan('gates', gates, 0, T * BH * G);
    if (gr !== undefined && gr !== null) {
      const { table, rows, bias } = c.record('gateRows', gr);
      const width = G * q.H;
      const t = c.floats('gateRows.table', table);
      const list = c.ints('gateRows.rows', rows);
      c.span('gateRows.rows', list, 0, T * q.B);
      c.ids('gateRows.rows', list, width === 0 ? 0 : Math.floor(t.length / width));
      if (bias !== undefined && bias !== null) c.floatSpan('gateRows.bias', bias, 0, width);
    }
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
  sequenceLast(cell, batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out, second) {
    const c = new Args('sequenceLast');
    const q = sequenceShape(c, cell, batch, steps, units);
    const { B, H, T, G } = q;
    const D = c.size('inputDim', inputDim);
    c.floatSpan('x', x, 0, B * T * D);
    const twoRows = q.cell.kind === 'gru' && q.cell.resetAfter;
    const layer = (name: string, l: Record<string, unknown>) => {
      c.flag(`${name}reverse`, l.reverse);
      c.floatSpan(`${name}W`, l.W, 0, D * G * H);
      c.floatSpanOrNull(`${name}bias`, l.bias, 0, (twoRows ? 2 : 1) * G * H);
      c.floatSpan(`${name}U`, l.U, 0, G * H * H);
      c.maskSpan(`${name}mask`, l.mask, 0, T * B);
      c.floatSpan(`${name}out`, l.out, 0, q.BH);
    };
    layer('', { reverse, W, bias, U, mask, out });
    if (second !== undefined && second !== null) layer('second.', c.record('second', second));
    return q.BH > 0;
  },
};
