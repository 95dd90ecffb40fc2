// The whole LSTM recurrence of a batch in one task (RecurrentOps.lstmSequenceForward/Backward):
// a thread takes batch rows [r0, r1) for every step. Rows are independent through time, so
// threads meet once per pass instead of at every step, and each row is computed by exactly the
// kernels the per-step ops run (gemmPart gives the same bits for any row range).
import { multiplyAt } from './core';
import { gemmPart } from './gemm';
import { lstmBackward, lstmForward } from './recurrent';

@inline function block(base: usize, s: i32, width: i32): usize {
  return base + (<usize>s * <usize>width << 2);
}

/** Steps 0…T−1 of rows [r0, r1): hIn_s = h_s ⊙ scale (if scale), gates_s += hIn_s·U, cell. */
export function lstmSequenceForwardRows(
  r0: i32, r1: i32, B: i32, T: i32, H: i32, gates: usize, U: usize, c: usize, h: usize,
  hIn: usize, scale: usize, mask: usize, scratch: usize,
): void {
  const BH = B * H, G = 4 * H;
  const rowOff = <usize>(r0 * H) << 2;
  for (let s = 0; s < T; s++) {
    let rin = block(h, s, BH);
    if (scale != 0) {
      const hin = block(hIn, s, BH);
      multiplyAt((r1 - r0) * H, rin + rowOff, scale + rowOff, hin + rowOff, 0);
      rin = hin;
    }
    const g = block(gates, s, B * G);
    gemmPart(r0, r1, 0, G, H, rin, <usize>H << 2, 4, U, <usize>G << 2, 4, g, <usize>G << 2, 1, scratch);
    const m: usize = mask == 0 ? 0 : mask + <usize>(s * B);
    lstmForward(r0, r1, H, g, block(c, s, BH), block(c, s + 1, BH), block(h, s, BH), block(h, s + 1, BH), m);
  }
}

/**
 * Steps T−1…0 of rows [r0, r1): the cell's backward, then (s > 0) dH_{s−1} += dG_s·Uᵀ, through
 * the dropout scale via the dHIn rows when there is one.
 */
export function lstmSequenceBackwardRows(
  r0: i32, r1: i32, B: i32, T: i32, H: i32, gates: usize, c: usize, Ut: usize, dH: usize,
  dc: usize, dGates: usize, dHIn: usize, scale: usize, mask: usize, scratch: usize,
): void {
  const BH = B * H, G = 4 * H;
  const rowOff = <usize>(r0 * H) << 2, rowBytes = <usize>((r1 - r0) * H) << 2;
  for (let s = T - 1; s >= 0; s--) {
    const dg = block(dGates, s, B * G);
    const prev = s > 0 ? block(dH, s - 1, BH) : 0;
    const m: usize = mask == 0 ? 0 : mask + <usize>(s * B);
    lstmBackward(r0, r1, H, block(gates, s, B * G), block(c, s, BH), block(c, s + 1, BH), block(dH, s, BH), dc, dg, prev, m);
    if (s == 0) break;
    const into = scale != 0 ? dHIn : prev;
    if (scale != 0) memory.fill(dHIn + rowOff, 0, rowBytes);
    gemmPart(r0, r1, 0, H, G, dg, <usize>G << 2, 4, Ut, <usize>H << 2, 4, into, <usize>H << 2, 1, scratch);
    if (scale != 0) multiplyAt((r1 - r0) * H, dHIn + rowOff, scale + rowOff, prev + rowOff, 1);
  }
}
