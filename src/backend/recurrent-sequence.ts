import type { FloatArray } from '../tensor/tensor.js';
import type { Backend } from './backend.js';
import {
  gateCount,
  type CellOpName,
  type RecurrentOps,
  type SequenceCell,
  type View,
} from './recurrent-ops.js';

type SequenceOps = Required<Pick<RecurrentOps, 'sequenceForward' | 'sequenceBackward'>>;
type Forward = Parameters<SequenceOps['sequenceForward']>;
type Backward = Parameters<SequenceOps['sequenceBackward']>;

/** The per-step ops the whole-sequence loops are made of. */
export type StepOps = Pick<Backend, 'gemm' | 'multiplyAt' | CellOpName>;

const sequenceOpsOf = new WeakMap<Backend, SequenceOps>();

/** The backend's fused whole-sequence ops, or else the loops over its per-step ops. */
export function sequenceOps(be: Backend): SequenceOps {
  let ops = sequenceOpsOf.get(be);
  if (ops === undefined) {
    const { sequenceForward: fwd, sequenceBackward: bwd } = be;
    ops = {
      sequenceForward: fwd ? fwd.bind(be) : (...a) => sequenceForwardBySteps(be, ...a),
      sequenceBackward: bwd ? bwd.bind(be) : (...a) => sequenceBackwardBySteps(be, ...a),
    };
    sequenceOpsOf.set(be, ops);
  }
  return ops;
}

function needed(op: string, cell: SequenceCell, name: string, a: FloatArray | null): FloatArray {
  if (a === null) throw new Error(`${op}: ${cell.kind} needs ${name}`);
  return a;
}

/** The block of `data` from `offset` on, as a step op takes it. */
function at<A extends FloatArray | Uint8Array>(data: A, offset: number): View<A> {
  return { data, offset };
}

/**
 * RecurrentOps.sequenceForward as the loop over the per-step ops: its definition, and the
 * implementation of every backend without a fused one (the reference backend).
 */
export function sequenceForwardBySteps(
  ops: StepOps,
  ...[cell, B, steps, H, gates, U, h, hIn, recurrentScale, mask, c, rec, rh]: Forward
): void {
  const op = 'sequenceForward';
  const BH = B * H;
  const G = gateCount(cell) * H;
  const scaled = recurrentScale === null ? null : needed(op, cell, 'hIn', hIn);
  for (let s = 0; s < steps; s++) {
    const [sH, sG] = [s * BH, s * B * G];
    if (recurrentScale !== null && scaled !== null) {
      ops.multiplyAt(BH, h, sH, recurrentScale, 0, scaled, sH, 0);
    }
    const rin = scaled ?? h;
    const shape = { batch: B, units: H, gates: at(gates, sG) };
    const step = { ...shape, mask: mask && at(mask, s * B), hPrev: at(h, sH), h: at(h, sH + BH) };
    if (cell.kind === 'gru') {
      const r = needed(op, cell, 'rec', rec);
      if (cell.resetAfter) {
        ops.gemm(false, false, B, G, H, rin, sH, H, U, 0, G, r, sG, G, 1);
      } else {
        const rhs = needed(op, cell, 'rh', rh);
        ops.gemm(false, false, B, 2 * H, H, rin, sH, H, U, 0, G, r, sG, G, 0);
        ops.gruResetForward({ ...shape, rec: at(r, sG), hPrev: at(rin, sH), rh: at(rhs, sH) });
        ops.gemm(false, false, B, H, H, rhs, sH, H, U, 2 * H, G, r, sG + 2 * H, G, 0);
      }
      ops.gruCellForward({ ...step, resetAfter: cell.resetAfter, rec: at(r, sG) });
    } else {
      ops.gemm(false, false, B, G, H, rin, sH, H, U, 0, G, gates, sG, G, 1);
      if (cell.kind === 'lstm') {
        const cs = needed(op, cell, 'c', c);
        ops.lstmCellForward({ ...step, cPrev: at(cs, sH), c: at(cs, sH + BH) });
      } else {
        ops.rnnCellForward({ ...step, activation: cell.activation });
      }
    }
  }
}

/** RecurrentOps.sequenceBackward as the loop over the per-step ops (see above). */
export function sequenceBackwardBySteps(
  ops: StepOps,
  ...[cell, B, steps, H, gates, h, hIn, Ut, dH, dGates, dHIn, scale, mask, ...rest]: Backward
): void {
  const op = 'sequenceBackward';
  const [c, dc, rec, dRec, dRh] = rest;
  const BH = B * H;
  const G = gateCount(cell) * H;
  const scratch = scale === null ? null : needed(op, cell, 'dHIn', dHIn);
  const rin = scale === null ? h : needed(op, cell, 'hIn', hIn);
  for (let s = steps - 1; s >= 0; s--) {
    const [sH, sG, m] = [s * BH, s * B * G, s * B];
    // Where dL/dh_{s−1} through U goes: straight into dH, or via the scratch and the scale.
    const into = s === 0 ? null : (scratch ?? dH);
    const intoAt = scratch === null ? sH - BH : 0;
    if (scratch !== null && s > 0) scratch.fill(0, 0, BH);
    const dhPrev = s > 0 ? at(dH, sH - BH) : null;
    const grads = { dh: at(dH, sH), dGates: at(dGates, sG), dhPrev };
    const step = { batch: B, units: H, gates: at(gates, sG), mask: mask && at(mask, m), ...grads };
    let dRecurrent = dGates;
    if (cell.kind === 'gru') {
      const r = needed(op, cell, 'rec', rec);
      const dr = cell.resetAfter ? needed(op, cell, 'dRec', dRec) : null;
      const gru = { resetAfter: cell.resetAfter, rec: at(r, sG), hPrev: at(h, sH) };
      ops.gruCellBackward({ ...step, ...gru, dRec: dr && at(dr, sG) });
      if (dr !== null) dRecurrent = dr;
      else {
        // The r gradient needs dL/d(r⊙hIn) = dG_h·U_hᵀ first, even at s = 0.
        const drh = needed(op, cell, 'dRh', dRh);
        ops.gemm(false, false, B, H, H, dGates, sG + 2 * H, G, Ut, 2 * H * H, H, drh, 0, H, 0);
        const hPrev = at(rin, sH);
        ops.gruResetBackward({ ...step, hPrev, dRh: at(drh, 0), dhPrev: into && at(into, intoAt) });
        if (into !== null) {
          ops.gemm(false, false, B, H, 2 * H, dGates, sG, G, Ut, 0, H, into, intoAt, H, 1);
        }
      }
    } else if (cell.kind === 'lstm') {
      const [cs, dcs] = [needed(op, cell, 'c', c), needed(op, cell, 'dc', dc)];
      ops.lstmCellBackward({ ...step, cPrev: at(cs, sH), c: at(cs, sH + BH), dc: at(dcs, 0) });
    } else {
      ops.rnnCellBackward({ ...step, activation: cell.activation });
    }
    if (into === null) continue;
    if (cell.kind !== 'gru' || cell.resetAfter) {
      ops.gemm(false, false, B, H, G, dRecurrent, sG, G, Ut, 0, H, into, intoAt, H, 1);
    }
    if (scale !== null) ops.multiplyAt(BH, into, 0, scale, 0, dH, sH - BH, 1);
  }
}

/**
 * RecurrentOps.sequenceLast as the training path's ops (its definition): the input projection
 * over all steps, then sequenceForward, keeping only the last state.
 */
export function sequenceLastBySteps(
  ops: StepOps & Pick<Backend, 'alloc' | 'sequenceToTimeMajor' | 'addRowVector'>,
  ...[cell, batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out]: Parameters<
    Required<RecurrentOps>['sequenceLast']
  >
): void {
  const BH = batch * units;
  const G = gateCount(cell) * units;
  const rows = steps * batch;
  const xt = ops.alloc(rows * inputDim);
  ops.sequenceToTimeMajor(x, xt, batch, steps, inputDim, reverse, null);
  const gates = ops.alloc(rows * G);
  ops.gemm(false, false, rows, G, inputDim, xt, 0, inputDim, W, 0, G, gates, 0, G, 0);
  if (bias !== null) ops.addRowVector(gates, rows, G, bias.subarray(0, G));
  const gru = cell.kind === 'gru';
  const rec = gru ? ops.alloc(rows * G) : null;
  if (rec !== null && bias !== null && gru && cell.resetAfter) {
    ops.addRowVector(rec, rows, G, bias.subarray(G, 2 * G));
  }
  const rh = gru && !cell.resetAfter ? ops.alloc(rows * units) : null;
  const c = cell.kind === 'lstm' ? ops.alloc((steps + 1) * BH) : null;
  const h = ops.alloc((steps + 1) * BH);
  const fwd = [cell, batch, steps, units, gates, U, h, null, null, mask, c, rec, rh] as const;
  sequenceForwardBySteps(ops, ...fwd);
  out.set(h.subarray(steps * BH, (steps + 1) * BH));
}
