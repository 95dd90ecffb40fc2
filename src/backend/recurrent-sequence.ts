import type { Backend } from './backend.js';
import type { RecurrentOps } from './recurrent-ops.js';

type SequenceOps = Required<Pick<RecurrentOps, 'lstmSequenceForward' | 'lstmSequenceBackward'>>;

/** The per-step ops the whole-sequence loops are made of. */
export type StepOps = Pick<Backend, 'gemm' | 'multiplyAt' | 'lstmCellForward' | 'lstmCellBackward'>;

const sequenceOps = new WeakMap<Backend, SequenceOps>();

/** The backend's fused whole-sequence LSTM ops, or else the loops over its per-step ops. */
export function lstmSequenceOps(be: Backend): SequenceOps {
  let ops = sequenceOps.get(be);
  if (ops === undefined) {
    ops = sequenceOpsOf(be);
    sequenceOps.set(be, ops);
  }
  return ops;
}

function sequenceOpsOf(be: Backend): SequenceOps {
  return {
    lstmSequenceForward: be.lstmSequenceForward
      ? be.lstmSequenceForward.bind(be)
      : (...args) => lstmSequenceForwardBySteps(be, ...args),
    lstmSequenceBackward: be.lstmSequenceBackward
      ? be.lstmSequenceBackward.bind(be)
      : (...args) => lstmSequenceBackwardBySteps(be, ...args),
  };
}

/**
 * RecurrentOps.lstmSequenceForward as the loop over the per-step ops: its definition, and the
 * implementation of every backend without a fused one (the reference backend).
 */
export function lstmSequenceForwardBySteps(
  ops: StepOps,
  ...[batch, steps, units, gates, U, c, h, hIn, recurrentScale, mask]: Parameters<
    SequenceOps['lstmSequenceForward']
  >
): void {
  const BH = batch * units;
  const G = 4 * units;
  if (recurrentScale !== null && hIn === null) {
    throw new Error('lstmSequenceForward: recurrentScale needs hIn');
  }
  for (let s = 0; s < steps; s++) {
    let rin = h;
    if (recurrentScale !== null && hIn !== null) {
      ops.multiplyAt(BH, h, s * BH, recurrentScale, 0, hIn, s * BH, 0);
      rin = hIn;
    }
    ops.gemm(
      false,
      false,
      batch,
      G,
      units,
      rin,
      s * BH,
      units,
      U,
      0,
      G,
      gates,
      s * batch * G,
      G,
      1,
    );
    ops.lstmCellForward(
      batch,
      units,
      gates,
      s * batch * G,
      c,
      s * BH,
      c,
      (s + 1) * BH,
      h,
      s * BH,
      h,
      (s + 1) * BH,
      mask,
      s * batch,
    );
  }
}

/** RecurrentOps.lstmSequenceBackward as the loop over the per-step ops (see above). */
export function lstmSequenceBackwardBySteps(
  ops: StepOps,
  ...[batch, steps, units, gates, c, Ut, dH, dc, dGates, dHIn, recurrentScale, mask]: Parameters<
    SequenceOps['lstmSequenceBackward']
  >
): void {
  const BH = batch * units;
  const G = 4 * units;
  if (recurrentScale !== null && dHIn === null) {
    throw new Error('lstmSequenceBackward: recurrentScale needs dHIn');
  }
  for (let s = steps - 1; s >= 0; s--) {
    ops.lstmCellBackward(
      batch,
      units,
      gates,
      s * batch * G,
      c,
      s * BH,
      c,
      (s + 1) * BH,
      dH,
      s * BH,
      dc,
      0,
      dGates,
      s * batch * G,
      s > 0 ? dH : null,
      (s - 1) * BH,
      mask,
      s * batch,
    );
    if (s === 0) break;
    const scaled = recurrentScale !== null && dHIn !== null;
    if (scaled) dHIn.fill(0, 0, BH);
    const into = scaled ? dHIn : dH;
    const at = scaled ? 0 : (s - 1) * BH;
    ops.gemm(
      false,
      false,
      batch,
      units,
      G,
      dGates,
      s * batch * G,
      G,
      Ut,
      0,
      units,
      into,
      at,
      units,
      1,
    );
    if (scaled) ops.multiplyAt(BH, dHIn, 0, recurrentScale, 0, dH, (s - 1) * BH, 1);
  }
}

/**
 * RecurrentOps.lstmSequenceLast as the training path's ops (its definition): the input
 * projection over all steps, then lstmSequenceForward, keeping only the last state.
 */
export function lstmSequenceLastBySteps(
  ops: StepOps & Pick<Backend, 'alloc' | 'sequenceToTimeMajor' | 'addRowVector'>,
  ...[batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out]: Parameters<
    Required<RecurrentOps>['lstmSequenceLast']
  >
): void {
  const BH = batch * units;
  const G = 4 * units;
  const xt = ops.alloc(steps * batch * inputDim);
  ops.sequenceToTimeMajor(x, xt, batch, steps, inputDim, reverse, null);
  const gates = ops.alloc(steps * batch * G);
  ops.gemm(false, false, steps * batch, G, inputDim, xt, 0, inputDim, W, 0, G, gates, 0, G, 0);
  if (bias !== null) ops.addRowVector(gates, steps * batch, G, bias);
  const c = ops.alloc((steps + 1) * BH);
  const h = ops.alloc((steps + 1) * BH);
  c.fill(0, 0, BH);
  h.fill(0, 0, BH);
  lstmSequenceForwardBySteps(ops, batch, steps, units, gates, U, c, h, null, null, mask);
  out.set(h.subarray(steps * BH, (steps + 1) * BH));
}
