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

/** A SequenceBuffers record (`${at}seq`): its shape, and the record for its buffers' checks. */
function sequenceOf(c: Args, at: string, seq: unknown) {
  const r = c.record(`${at}seq`, seq);
  return { ...sequenceShape(c, r.cell, r.batch, r.steps, r.units), seq: r, at: `${at}seq.` };
}

type Sequence = ReturnType<typeof sequenceOf>;

/** The buffers both sequence ops read: gates, h, the dropout pair, the mask, LSTM c and GRU rec. */
function states(c: Args, q: Sequence): void {
  const { T, BH, G, seq, at } = q;
  c.floatSpan(`${at}gates`, seq.gates, 0, T * BH * G);
  c.floatSpan(`${at}h`, seq.h, 0, (T + 1) * BH);
  if (seq.recurrentScale !== null) {
    c.floatSpan(`${at}recurrentScale`, seq.recurrentScale, 0, BH);
    c.floatSpan(`${at}hIn`, seq.hIn, 0, T * BH);
  }
  c.maskSpan(`${at}mask`, seq.mask, 0, T * q.B);
  if (q.cell.kind === 'lstm') c.floatSpan(`${at}c`, seq.c, 0, (T + 1) * BH);
  if (q.cell.kind === 'gru') c.floatSpan(`${at}rec`, seq.rec, 0, T * BH * G);
}

/** sequenceForward's arguments of one layer, names prefixed by `at` ('' or 'second.'). */
function forwardLayer(c: Args, at: string, seq: unknown, U: unknown, gr: unknown): Sequence {
  const q = sequenceOf(c, at, seq);
  const { T, BH, G } = q;
  if (gr !== undefined && gr !== null) {
    const { table, rows, bias } = c.record(`${at}gateRows`, gr);
    const width = G * q.H;
    const t = c.floats(`${at}gateRows.table`, table);
    const list = c.ints(`${at}gateRows.rows`, rows);
    c.span(`${at}gateRows.rows`, list, 0, T * q.B);
    c.ids(`${at}gateRows.rows`, list, width === 0 ? 0 : Math.floor(t.length / width));
    if (bias !== undefined && bias !== null) c.floatSpan(`${at}gateRows.bias`, bias, 0, width);
  }
  c.floatSpan(`${at}U`, U, 0, q.H * q.H * G);
  states(c, q);
  if (q.cell.kind === 'gru' && !q.cell.resetAfter) c.floatSpan(`${q.at}rh`, q.seq.rh, 0, T * BH);
  const recBias = q.seq.recurrentBias;
  if (q.cell.kind === 'gru' && q.cell.resetAfter && recBias !== undefined && recBias !== null) {
    c.floatSpan(`${q.at}recurrentBias`, recBias, 0, G * q.H);
  }
  return q;
}

/** sequenceBackward's arguments of one layer, names prefixed by `at`. */
function backwardLayer(c: Args, at: string, seq: unknown, Ut: unknown, grads: unknown): Sequence {
  const q = sequenceOf(c, at, seq);
  const { T, BH, G } = q;
  const g = c.record(`${at}grads`, grads);
  c.floatSpan(`${at}Ut`, Ut, 0, q.H * q.H * G);
  states(c, q);
  c.floatSpan(`${at}grads.dH`, g.dH, 0, T * BH);
  c.floatSpan(`${at}grads.dGates`, g.dGates, 0, T * BH * G);
  if (q.seq.recurrentScale !== null) c.floatSpan(`${at}grads.dHIn`, g.dHIn, 0, BH);
  if (q.cell.kind === 'lstm') c.floatSpan(`${at}grads.dc`, g.dc, 0, BH);
  if (q.cell.kind === 'gru' && q.cell.resetAfter)
    c.floatSpan(`${at}grads.dRec`, g.dRec, 0, T * BH * G);
  if (q.cell.kind === 'gru' && !q.cell.resetAfter) c.floatSpan(`${at}grads.dRh`, g.dRh, 0, BH);
  if (g.lastStepOnly !== undefined) c.flag(`${at}grads.lastStepOnly`, g.lastStepOnly);
  return q;
}

/**
 * The second layer of a pair (its record's fields read by `layer`), which must have the first's
 * cell and sizes: one call runs both over the same row blocks.
 */
function secondLayer(
  c: Args,
  first: Sequence,
  second: unknown,
  layer: (c: Args, at: string, r: Record<string, unknown>) => Sequence,
): void {
  if (second === undefined || second === null) return;
  const q = layer(c, 'second.', c.record('second', second));
  const shape = (s: Sequence) =>
    `${JSON.stringify(s.cell)}, batch ${s.B}, steps ${s.T}, units ${s.H}`;
  if (shape(q) !== shape(first)) {
    c.fail(`second.seq has ${shape(q)}; it must match seq: ${shape(first)}`);
  }
}

export const recurrentChecks: Checks<keyof RecurrentOps> = {
  sequenceToTimeMajor: (x, y, ...rest) => transpose('sequenceToTimeMajor', x, y, ...rest),
  timeMajorToSequence: (y, x, ...rest) => transpose('timeMajorToSequence', x, y, ...rest),

  sequenceForward(seq, U, gr, second) {
    const c = new Args('sequenceForward');
    const q = forwardLayer(c, '', seq, U, gr);
    secondLayer(c, q, second, (c, at, r) => forwardLayer(c, at, r.seq, r.U, r.gateRows));
    return q.BH > 0;
  },
  sequenceBackward(seq, Ut, grads, second) {
    const c = new Args('sequenceBackward');
    const q = backwardLayer(c, '', seq, Ut, grads);
    secondLayer(c, q, second, (c, at, r) => backwardLayer(c, at, r.seq, r.Ut, r.grads));
    return q.BH > 0;
  },
  sequenceLast(input, first, second) {
    const c = new Args('sequenceLast');
    const i = c.record('input', input);
    const q = sequenceShape(c, i.cell, i.batch, i.steps, i.units);
    const { B, H, T, G } = q;
    const D = c.size('input.inputDim', i.inputDim);
    c.floatSpan('input.x', i.x, 0, B * T * D);
    const twoRows = q.cell.kind === 'gru' && q.cell.resetAfter;
    const layer = (name: string, l: Record<string, unknown>) => {
      c.flag(`${name}reverse`, l.reverse);
      c.floatSpan(`${name}W`, l.W, 0, D * G * H);
      c.floatSpanOrNull(`${name}bias`, l.bias, 0, (twoRows ? 2 : 1) * G * H);
      c.floatSpan(`${name}U`, l.U, 0, G * H * H);
      c.maskSpan(`${name}mask`, l.mask, 0, T * B);
      c.floatSpan(`${name}out`, l.out, 0, q.BH);
    };
    layer('layer.', c.record('layer', first));
    if (second !== undefined && second !== null) layer('second.', c.record('second', second));
    return q.BH > 0;
  },
};
