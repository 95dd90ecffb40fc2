import type { FloatArray } from '../../tensor/tensor.js';
import { matrix } from '../core-ops.js';
import type { Backend } from '../backend.js';
import {
  gateCount,
  type GateRows,
  type SequenceBuffers,
  type SequenceCell,
  type SequenceGradients,
  type SequenceInput,
  type SequenceLastLayer,
} from '../recurrent-ops.js';
import {
  gruCellBackward,
  gruCellForward,
  gruResetBackward,
  gruResetForward,
  lstmCellBackward,
  lstmCellForward,
  rnnCellBackward,
  rnnCellForward,
  type View,
} from './cells.js';
import { referenceCoreOps } from './core.js';
import { gemm } from './gemm.js';

const { addRowVector } = referenceCoreOps;

// The whole-sequence ops as loops over the per-step cell kernels (./cells.ts) and gemm: the
// definition every fast backend's fused version is tested against, and what the reference
// backend runs. Arguments were checked by the backend's op (../checks/recurrent.ts).

function needed(op: string, cell: SequenceCell, name: string, a: FloatArray | null): FloatArray {
  if (a === null) throw new Error(`${op}: ${cell.kind} needs ${name}`);
  return a;
}

/** The block of `data` from `offset` on, as a cell kernel takes it. */
function at<A extends FloatArray | Uint8Array>(data: A, offset: number): View<A> {
  return { data, offset };
}

/** out[outOffset + i] = beta·out[outOffset + i] + a[aOffset + i]·b[i] for i < n. */
function multiplyAt(
  n: number,
  a: FloatArray,
  aOffset: number,
  b: FloatArray,
  out: FloatArray,
  outOffset: number,
  beta: 0 | 1,
): void {
  for (let i = 0; i < n; i++) {
    const v = a[aOffset + i] * b[i];
    out[outOffset + i] = beta === 0 ? v : out[outOffset + i] + v;
  }
}

/** RecurrentOps.sequenceForward: per step the recurrent projection, then the cell's kernel. */
export function sequenceForward(
  seq: SequenceBuffers,
  U: FloatArray,
  gateRows?: GateRows | null,
): void {
  const op = 'sequenceForward';
  const { cell, batch: B, steps, units: H, gates, h, hIn, recurrentScale, mask, c, rec, rh } = seq;
  const BH = B * H;
  const G = gateCount(cell) * H;
  const scaled = recurrentScale === null ? null : needed(op, cell, 'hIn', hIn);
  for (let s = 0; s < steps; s++) {
    const [sH, sG] = [s * BH, s * B * G];
    if (gateRows) {
      const { table, rows, bias } = gateRows;
      for (let b = 0; b < B; b++) {
        const row = rows[s * B + b] * G;
        gates.set(table.subarray(row, row + G), sG + b * G);
      }
      if (bias) addRowVector(gates.subarray(sG, sG + B * G), B, G, bias);
    }
    if (recurrentScale !== null && scaled !== null) {
      multiplyAt(BH, h, sH, recurrentScale, scaled, sH, 0);
    }
    const rin = scaled ?? h;
    const shape = { batch: B, units: H, gates: at(gates, sG) };
    const step = { ...shape, mask: mask && at(mask, s * B), hPrev: at(h, sH), h: at(h, sH + BH) };
    if (cell.kind === 'gru') {
      const r = needed(op, cell, 'rec', rec);
      if (cell.resetAfter) {
        // Zeros plus the recurrent bias, then hIn·U added.
        r.fill(0, sG, sG + B * G);
        if (seq.recurrentBias) addRowVector(r.subarray(sG, sG + B * G), B, G, seq.recurrentBias);
        gemm(
          matrix(rin, B, H, { offset: sH }),
          matrix(U, H, G),
          matrix(r, B, G, { offset: sG }),
          1,
        );
      } else {
        const rhs = needed(op, cell, 'rh', rh);
        gemm(
          matrix(rin, B, H, { offset: sH }),
          matrix(U, H, 2 * H, { stride: G }),
          matrix(r, B, 2 * H, { offset: sG, stride: G }),
          0,
        );
        gruResetForward({ ...shape, rec: at(r, sG), hPrev: at(rin, sH), rh: at(rhs, sH) });
        gemm(
          matrix(rhs, B, H, { offset: sH }),
          matrix(U, H, H, { offset: 2 * H, stride: G }),
          matrix(r, B, H, { offset: sG + 2 * H, stride: G }),
          0,
        );
      }
      gruCellForward({ ...step, resetAfter: cell.resetAfter, rec: at(r, sG) });
    } else {
      gemm(
        matrix(rin, B, H, { offset: sH }),
        matrix(U, H, G),
        matrix(gates, B, G, { offset: sG }),
        1,
      );
      if (cell.kind === 'lstm') {
        const cs = needed(op, cell, 'c', c);
        lstmCellForward({ ...step, cPrev: at(cs, sH), c: at(cs, sH + BH) });
      } else {
        rnnCellForward({ ...step, activation: cell.activation });
      }
    }
  }
}

/**
 * RecurrentOps.sequenceBackward: per step, last first, the cell's backward kernel, then dL/dh of
 * the step before through U (and the recurrent-dropout scale).
 */
export function sequenceBackward(
  seq: SequenceBuffers,
  Ut: FloatArray,
  grads: SequenceGradients,
): void {
  const op = 'sequenceBackward';
  const { cell, batch: B, steps, units: H, gates, h, hIn, recurrentScale: scale, mask } = seq;
  const { c, rec } = seq;
  const { dH, dGates, dHIn, dc, dRec, dRh } = grads;
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
    if (grads.lastStepOnly === true && s > 0) dH.fill(0, sH - BH, sH);
    const dhPrev = s > 0 ? at(dH, sH - BH) : null;
    const stepGrads = { dh: at(dH, sH), dGates: at(dGates, sG), dhPrev };
    const step = {
      batch: B,
      units: H,
      gates: at(gates, sG),
      mask: mask && at(mask, m),
      ...stepGrads,
    };
    let dRecurrent = dGates;
    if (cell.kind === 'gru') {
      const r = needed(op, cell, 'rec', rec);
      const dr = cell.resetAfter ? needed(op, cell, 'dRec', dRec) : null;
      const gru = { resetAfter: cell.resetAfter, rec: at(r, sG), hPrev: at(h, sH) };
      gruCellBackward({ ...step, ...gru, dRec: dr && at(dr, sG) });
      if (dr !== null) dRecurrent = dr;
      else {
        // The r gradient needs dL/d(r⊙hIn) = dG_h·U_hᵀ first, even at s = 0.
        const drh = needed(op, cell, 'dRh', dRh);
        gemm(
          matrix(dGates, B, H, { offset: sG + 2 * H, stride: G }),
          matrix(Ut, H, H, { offset: 2 * H * H }),
          matrix(drh, B, H),
          0,
        );
        const hPrev = at(rin, sH);
        gruResetBackward({ ...step, hPrev, dRh: at(drh, 0), dhPrev: into && at(into, intoAt) });
        if (into !== null) {
          gemm(
            matrix(dGates, B, 2 * H, { offset: sG, stride: G }),
            matrix(Ut, 2 * H, H),
            matrix(into, B, H, { offset: intoAt }),
            1,
          );
        }
      }
    } else if (cell.kind === 'lstm') {
      const [cs, dcs] = [needed(op, cell, 'c', c), needed(op, cell, 'dc', dc)];
      lstmCellBackward({ ...step, cPrev: at(cs, sH), c: at(cs, sH + BH), dc: at(dcs, 0) });
    } else {
      rnnCellBackward({ ...step, activation: cell.activation });
    }
    if (into === null) continue;
    if (cell.kind !== 'gru' || cell.resetAfter) {
      gemm(
        matrix(dRecurrent, B, G, { offset: sG }),
        matrix(Ut, G, H),
        matrix(into, B, H, { offset: intoAt }),
        1,
      );
    }
    if (scale !== null) multiplyAt(BH, into, 0, scale, dH, sH - BH, 1);
  }
}

/** The ops sequenceLast is written over: any backend's, so a fast one can be checked by it. */
export type TrainingPathOps = Pick<
  Backend,
  'alloc' | 'sequenceToTimeMajor' | 'gemm' | 'addRowVector' | 'sequenceForward'
>;

/**
 * RecurrentOps.sequenceLast as the training path's ops (its definition): the input projection
 * over all steps, then sequenceForward, keeping only the last state; a second layer the same way.
 */
export function sequenceLastByTrainingPath(
  ops: TrainingPathOps,
  input: SequenceInput,
  layer: SequenceLastLayer,
  second?: SequenceLastLayer | null,
): void {
  if (second) sequenceLastByTrainingPath(ops, input, second);
  const { cell, batch, steps, units, inputDim, x } = input;
  const { reverse, W, bias, U, mask, out } = layer;
  const BH = batch * units;
  const G = gateCount(cell) * units;
  const rows = steps * batch;
  const xt = ops.alloc(rows * inputDim);
  ops.sequenceToTimeMajor(x, xt, batch, steps, inputDim, reverse, null);
  const gates = ops.alloc(rows * G);
  ops.gemm(matrix(xt, rows, inputDim), matrix(W, inputDim, G), matrix(gates, rows, G), 0);
  if (bias !== null) ops.addRowVector(gates, rows, G, bias.subarray(0, G));
  const gru = cell.kind === 'gru';
  const rec = gru ? ops.alloc(rows * G) : null;
  const recurrentBias = bias !== null && gru && cell.resetAfter ? bias.subarray(G, 2 * G) : null;
  const rh = gru && !cell.resetAfter ? ops.alloc(rows * units) : null;
  const c = cell.kind === 'lstm' ? ops.alloc((steps + 1) * BH) : null;
  const h = ops.alloc((steps + 1) * BH);
  const states = { h, hIn: null, recurrentScale: null, mask, c, rec, rh, recurrentBias };
  ops.sequenceForward({ cell, batch, steps, units, gates, ...states }, U);
  out.set(h.subarray(steps * BH, (steps + 1) * BH));
}
