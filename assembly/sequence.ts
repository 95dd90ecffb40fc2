// Whole sequences in one task (RecurrentOps.sequenceForward/Backward/Last), one loop over time
// for every cell: a thread takes batch rows [r0, r1) for every step. Rows are independent through
// time, so threads meet once per pass instead of at every step, and a row's values do not depend
// on the rows beside it (gemmPart gives the same bits for any row range): any thread count, and
// one call per step, give the same bits.
// Arguments are read from the task record (layouts in src/backend/wasm/backend.ts).
import { CELL_GRU, CELL_LSTM, CELL_SIMPLE_RNN } from './codes';
import { addRowVector, multiplyAt } from './core';
import { gemmPart } from './gemm';
import {
  gruBackward, gruForward, gruResetBackward, gruResetForward, lstmBackward, lstmForward, rnnBackward,
  rnnForward,
} from './recurrent';

@inline function arg(task: usize, i: i32): i32 {
  return load<i32>(task + (<usize>i << 2));
}

@inline function block(base: usize, s: i32, width: i32): usize {
  return base == 0 ? 0 : base + (<usize>s * <usize>width << 2);
}

/** Rows [r0, r1) of C (+)= A·B, A [·, k] and B [k, n] row-major, leading dimensions in floats. */
@inline function rowsGemm(
  r0: i32, r1: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  beta: i32, scratch: usize,
): void {
  gemmPart(r0, r1, 0, n, k, a, <usize>lda << 2, 4, b, <usize>ldb << 2, 4, c, <usize>ldc << 2, beta, scratch);
}

/** Gate blocks per unit of a cell kind. */
@inline function gateCount(kind: i32): i32 {
  return kind == CELL_SIMPLE_RNN ? 1 : kind == CELL_LSTM ? 4 : 3;
}

/**
 * Rows [r0, r1) of the input projection (+ bias) of times [t0, t0 + n) into blocks 0…n−1 of
 * `gates` ([n, B, G]), x [B, T, D] read in place: the values the training path's transpose, GEMM
 * and bias give. One time: one GEMM over the rows; a chunk of times (a batch of less than one row
 * tile, whose GEMM per step would pad it to a whole tile and reread W at every step): one GEMM
 * per row over its n times.
 */
function projectChunk(
  gates: usize, r0: i32, r1: i32, B: i32, T: i32, G: i32, D: i32, x: usize, t0: i32, n: i32,
  W: usize, bias: usize, scratch: usize,
): void {
  const ldW = <usize>G << 2;
  if (n == 1) {
    const xt = x + (<usize>t0 * <usize>D << 2);
    gemmPart(r0, r1, 0, G, D, xt, <usize>(T * D) << 2, 4, W, ldW, 4, gates, ldW, 0, scratch);
  } else {
    for (let b = r0; b < r1; b++) {
      const xb = x + (<usize>(b * T + t0) * <usize>D << 2);
      const cb = gates + (<usize>(b * G) << 2);
      gemmPart(0, n, 0, G, D, xb, <usize>D << 2, 4, W, ldW, 4, cb, <usize>(B * G) << 2, 0, scratch);
    }
  }
  if (bias == 0) return;
  for (let r = 0; r < n; r++) addRowVector(gates + <usize>(r * B + r0) * <usize>G * 4, r1 - r0, G, bias);
}

/**
 * Forward steps 0…T−1 of rows [r0, r1). Task: B, T, H, kind, option (activation or
 * resetAfter), gates, U, h, hIn, scale, mask, c, rec, rh, then x: 0 for training, followed by
 * gateRows (table, rows and bias, or 0: the gates hold the input projections) and GRU's
 * recurrent bias (or 0), or for inference x, D, reverse, W, bias, out, chunk; inference keeps up
 * to `chunk` steps of gates (see projectChunk), one step of rec and rh, and two blocks of h and c.
 */
export function sequenceForwardRows(task: usize, r0: i32, r1: i32, scratch: usize): void {
  const B = arg(task, 1), T = arg(task, 2), H = arg(task, 3), kind = arg(task, 4), opt = arg(task, 5);
  const G = gateCount(kind) * H, BH = B * H;
  const U = <usize>arg(task, 7), hs = <usize>arg(task, 8), hIn = <usize>arg(task, 9);
  const scale = <usize>arg(task, 10), mask = <usize>arg(task, 11), cs = <usize>arg(task, 12);
  const x = <usize>arg(task, 15), D = arg(task, 16), reverse = arg(task, 17);
  const W = <usize>arg(task, 18), bias = <usize>arg(task, 19), chunk = arg(task, 21);
  const rowOff = <usize>(r0 * H) << 2, rows = r1 - r0;
  for (let s = 0; s < T; s++) {
    // Training: step s's blocks. Inference: scratch, states in blocks s % 2.
    const at = x == 0 ? s : 0, from = x == 0 ? s : s & 1, to = x == 0 ? s + 1 : (s + 1) & 1;
    let gates = block(<usize>arg(task, 6), at, B * G);
    const rec = block(<usize>arg(task, 13), at, B * G);
    const rh = block(<usize>arg(task, 14), at, BH);
    const hPrev = block(hs, from, BH), h = block(hs, to, BH);
    const m: usize = mask == 0 ? 0 : mask + <usize>(s * B);
    let rin = hPrev;
    if (x != 0) {
      // The chunk of steps [s0, s0 + n) covers times [t0, t0 + n), held in time order.
      const s0 = s - s % chunk, n = min(chunk, T - s0);
      const t0 = reverse != 0 ? T - s0 - n : s0;
      if (s == s0) projectChunk(gates, r0, r1, B, T, G, D, x, t0, n, W, bias, scratch);
      gates = block(gates, (reverse != 0 ? T - 1 - s : s) - t0, B * G);
    } else {
      const gateTable = <usize>arg(task, 16);
      if (gateTable != 0) {
        const rowIds = <usize>arg(task, 17) + (<usize>(s * B) << 2), rowBytes = <usize>G << 2;
        const gateBias = <usize>arg(task, 18);
        for (let b = r0; b < r1; b++) {
          const id = <usize>load<i32>(rowIds + (<usize>b << 2));
          memory.copy(gates + <usize>b * rowBytes, gateTable + id * rowBytes, rowBytes);
        }
        if (gateBias != 0) addRowVector(gates + <usize>r0 * rowBytes, rows, G, gateBias);
      }
      if (scale != 0) {
        rin = block(hIn, s, BH);
        multiplyAt(rows * H, hPrev + rowOff, scale + rowOff, rin + rowOff, 0);
      }
    }
    if (kind == CELL_GRU) {
      if (opt != 0) {
        // rec starts as zeros plus the recurrent bias (inference: row 1 of the bias).
        const rRows = rec + (<usize>(r0 * G) << 2);
        const recBias: usize = x == 0 ? <usize>arg(task, 19) : bias == 0 ? 0 : bias + (<usize>G << 2);
        memory.fill(rRows, 0, <usize>(rows * G) << 2);
        if (recBias != 0) addRowVector(rRows, rows, G, recBias);
        rowsGemm(r0, r1, G, H, rin, H, U, G, rec, G, 1, scratch);
      } else {
        rowsGemm(r0, r1, 2 * H, H, rin, H, U, G, rec, G, 0, scratch);
        gruResetForward(r0, r1, H, gates, rec, rin, rh);
        rowsGemm(r0, r1, H, H, rh, H, U + (<usize>(2 * H) << 2), G, rec + (<usize>(2 * H) << 2), G, 0, scratch);
      }
      gruForward(opt, r0, r1, H, gates, rec, hPrev, h, m);
      continue;
    }
    rowsGemm(r0, r1, G, H, rin, H, U, G, gates, G, 1, scratch);
    if (kind == CELL_LSTM) lstmForward(r0, r1, H, gates, block(cs, from, BH), block(cs, to, BH), hPrev, h, m);
    else rnnForward(opt, r0, r1, H, gates, hPrev, h, m);
  }
  if (x != 0) memory.copy(<usize>arg(task, 20) + rowOff, block(hs, T & 1, BH) + rowOff, <usize>(rows * H) << 2);
}

/**
 * Backward steps T−1…0 of rows [r0, r1): the cell's backward, then (s > 0) dL/dh_{s−1} through U
 * into dH block s−1, through the dropout scale via the dHIn rows when there is one; with
 * lastStepOnly, dH block s−1 starts as zeros. Task: B, T, H, kind, option, gates, h, hIn, Ut, dH,
 * dGates, dHIn, scale, mask, c, dc, rec, dRec, dRh, lastStepOnly.
 */
export function sequenceBackwardRows(task: usize, r0: i32, r1: i32, scratch: usize): void {
  const B = arg(task, 1), T = arg(task, 2), H = arg(task, 3), kind = arg(task, 4), opt = arg(task, 5);
  const G = gateCount(kind) * H, BH = B * H;
  const gates = <usize>arg(task, 6), hs = <usize>arg(task, 7), hIn = <usize>arg(task, 8);
  const Ut = <usize>arg(task, 9), dH = <usize>arg(task, 10), dGates = <usize>arg(task, 11);
  const dHIn = <usize>arg(task, 12), scale = <usize>arg(task, 13), mask = <usize>arg(task, 14);
  const cs = <usize>arg(task, 15), dc = <usize>arg(task, 16), recs = <usize>arg(task, 17);
  const dRecs = <usize>arg(task, 18), dRh = <usize>arg(task, 19), lastStepOnly = arg(task, 20);
  const rowOff = <usize>(r0 * H) << 2, rowBytes = <usize>((r1 - r0) * H) << 2;
  for (let s = T - 1; s >= 0; s--) {
    const g = block(gates, s, B * G), dg = block(dGates, s, B * G), dh = block(dH, s, BH);
    const prev = s > 0 ? block(dH, s - 1, BH) : 0;
    const into = scale != 0 && prev != 0 ? dHIn : prev;
    const m: usize = mask == 0 ? 0 : mask + <usize>(s * B);
    if (scale != 0 && prev != 0) memory.fill(dHIn + rowOff, 0, rowBytes);
    if (lastStepOnly != 0 && prev != 0) memory.fill(prev + rowOff, 0, rowBytes);
    let dRecurrent = dg;
    if (kind == CELL_GRU) {
      const rec = block(recs, s, B * G), dRec = opt != 0 ? block(dRecs, s, B * G) : 0;
      gruBackward(opt, r0, r1, H, g, rec, block(hs, s, BH), dh, dg, dRec, prev, m);
      if (opt != 0) dRecurrent = dRec;
      else {
        // The r gradient needs dL/d(r⊙hIn) = dG_h·U_hᵀ first, even at s = 0.
        const h2 = <usize>(2 * H) << 2;
        rowsGemm(r0, r1, H, H, dg + h2, G, Ut + <usize>H * h2, H, dRh, H, 0, scratch);
        gruResetBackward(r0, r1, H, g, block(scale != 0 ? hIn : hs, s, BH), dRh, dg, into);
        if (into != 0) rowsGemm(r0, r1, H, 2 * H, dg, G, Ut, H, into, H, 1, scratch);
      }
    } else if (kind == CELL_LSTM) {
      lstmBackward(r0, r1, H, g, block(cs, s, BH), block(cs, s + 1, BH), dh, dc, dg, prev, m);
    } else {
      rnnBackward(opt, r0, r1, H, g, dh, dg, prev, m);
    }
    if (into == 0) continue;
    if (kind != CELL_GRU || opt != 0) rowsGemm(r0, r1, H, G, dRecurrent, G, Ut, H, into, H, 1, scratch);
    if (scale != 0) multiplyAt((r1 - r0) * H, dHIn + rowOff, scale + rowOff, prev + rowOff, 1);
  }
}
