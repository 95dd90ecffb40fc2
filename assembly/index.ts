// The kernel module's exports. The host owns all memory above heapBase(); work that threads share
// is described by a task record in memory and run by runTask on each thread for its part.
import {
  TASK_ADAM, TASK_ADAM_ROWS, TASK_CONV_SPARSE_INPUT, TASK_CONV_SPARSE_WEIGHTS, TASK_FMA_CHAINS,
  TASK_ADD_ROW_VECTOR, TASK_EMBEDDING_BAG, TASK_GATHER, TASK_GEMM, TASK_SEQUENCE_FORWARD,
  TASK_SEQUENCE_PAIR,
} from './codes';
import { gemmPart } from './gemm';
import { sequenceBackwardRows, sequenceForwardRows } from './sequence';

export { gemmPart, gemmScratchBytes } from './gemm';
export {
  activation, activationBackward, axpy, expArray, maddLane0, multiplyAt, scale, sumRows,
  sumSquares, transposeSequence,
} from './core';
import { addRowVector } from './core';
export { embeddingBagBackward, scatterAdd } from './embedding';
import { embeddingBag, gather } from './embedding';
export {
  col2im, globalAvgPool, globalAvgPoolBackward, im2col, maxPool, maxPoolBackward,
} from './conv';
export { rmsprop, sgd } from './optimizer';
import { adam } from './optimizer';
import { conv1dSparsePart } from './conv';
import { fmaChains } from './peak';

/** First byte the host may use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

@inline function arg(task: usize, i: i32): i32 {
  return load<i32>(task + (<usize>i << 2));
}

@inline function argf(task: usize, i: i32): f32 {
  return load<f32>(task + (<usize>i << 2));
}

/** [start, end) of `part` when `count` units of `unit` items are dealt out in equal runs. */
@inline function share(count: i32, unit: i32, part: i32, parts: i32): i64 {
  const units = (count + unit - 1) / unit;
  const per = (units + parts - 1) / parts;
  const start = min(count, part * per * unit);
  const end = min(count, start + per * unit);
  return (<i64>start << 32) | <i64>end;
}

/** Adam on values [i0, i1) with the task's arguments 1–11 (w, grad, n, clip, step, m, v). */
@inline function adamPart(task: usize, i0: i32, i1: i32): void {
  adam(
    i0, i1, arg(task, 1), arg(task, 2), argf(task, 4), argf(task, 5), argf(task, 6),
    argf(task, 7), argf(task, 8), argf(task, 9), arg(task, 10), arg(task, 11),
  );
}

/**
 * Runs this thread's part of the task at `task`: [op, args…]. GEMM splits C by 8-column panels
 * (or 6-row tiles when arg 3 says so); the sequence tasks split batch rows; gather splits output
 * rows, embeddingBag bags, addRowVector rows; the sequence pair deals its parts out between
 * its two layers. `scratch` is this thread's gemmScratchBytes() area.
 */
export function runTask(task: usize, part: i32, parts: i32, scratch: usize): void {
  const op = arg(task, 0);
  if (op == TASK_GEMM) {
    const m = arg(task, 1), n = arg(task, 2), byRows = arg(task, 3);
    let i0 = 0, i1 = m, j0 = 0, j1 = n;
    if (byRows != 0) {
      const r = share(m, 6, part, parts);
      i0 = <i32>(r >> 32);
      i1 = <i32>r;
    } else {
      const r = share(n, 8, part, parts);
      j0 = <i32>(r >> 32);
      j1 = <i32>r;
    }
    if (i0 >= i1 || j0 >= j1) return;
    gemmPart(
      i0, i1, j0, j1, arg(task, 4),
      arg(task, 5), arg(task, 6), arg(task, 7),
      arg(task, 8), arg(task, 9), arg(task, 10),
      arg(task, 11), arg(task, 12), arg(task, 13), scratch,
    );
    return;
  }
  if (op == TASK_FMA_CHAINS) {
    // Each part runs its share of the steps; the sum goes to this thread's scratch.
    const r = share(arg(task, 1), 1, part, parts);
    fmaChains(<i32>r - <i32>(r >> 32), scratch);
    return;
  }
  if (op == TASK_CONV_SPARSE_WEIGHTS || op == TASK_CONV_SPARSE_INPUT) {
    conv1dSparsePart(task, op == TASK_CONV_SPARSE_INPUT, part, parts);
    return;
  }
  if (op == TASK_ADAM) {
    // Runs of 16 values (64 bytes): no two threads write one cache line.
    const r = share(arg(task, 3), 16, part, parts);
    adamPart(task, <i32>(r >> 32), <i32>r);
    return;
  }
  if (op == TASK_ADAM_ROWS) {
    // Whole rows of the distinct list at arg 12 (arg 14 of them, arg 13 values each).
    const r = share(arg(task, 14), 1, part, parts);
    const rows = <usize>arg(task, 12), size = arg(task, 13);
    for (let i = <i32>(r >> 32); i < <i32>r; i++) {
      const row = load<i32>(rows + (<usize>i << 2));
      adamPart(task, row * size, (row + 1) * size);
    }
    return;
  }
  if (op == TASK_GATHER) {
    // Output rows: [table, dim, ids, count, out].
    const r = share(arg(task, 4), 1, part, parts);
    gather(arg(task, 1), arg(task, 2), arg(task, 3), arg(task, 5), <i32>(r >> 32), <i32>r);
    return;
  }
  if (op == TASK_ADD_ROW_VECTOR) {
    // Rows: [x, rows, cols, v].
    const r = share(arg(task, 2), 1, part, parts), cols = arg(task, 3);
    const r0 = <i32>(r >> 32);
    const x = <usize>arg(task, 1) + (<usize>(r0 * cols) << 2);
    addRowVector(x, <i32>r - r0, cols, <usize>arg(task, 4));
    return;
  }
  if (op == TASK_EMBEDDING_BAG) {
    // Bags: [table, dim, ids, offsets, bags, weights, mean, out].
    const r = share(arg(task, 5), 1, part, parts);
    embeddingBag(
      arg(task, 1), arg(task, 2), arg(task, 3), arg(task, 4), arg(task, 6), arg(task, 7),
      arg(task, 8), <i32>(r >> 32), <i32>r,
    );
    return;
  }
  if (op == TASK_SEQUENCE_PAIR) {
    // Two records of one sequence task (a Bidirectional layer's two directions): part p takes
    // rows of layer p % 2, so each thread of two runs whole blocks of one layer's steps and a
    // batch of one review still gives each thread a layer; one part runs both.
    const B = load<i32>(<usize>arg(task, 1) + 4);
    for (let layer = 0; layer < 2; layer++) {
      if (parts > 1 && part % 2 != layer) continue;
      const r = parts > 1 ? share(B, 6, part / 2, (parts - layer + 1) / 2) : share(B, 6, 0, 1);
      if (<i32>(r >> 32) < <i32>r) sequenceRows(arg(task, 1 + layer), <i32>(r >> 32), <i32>r, scratch);
    }
    return;
  }
  // The sequence tasks: whole 6-row tiles per part, so every step's GEMM runs full tiles.
  const r = share(arg(task, 1), 6, part, parts);
  if (<i32>(r >> 32) < <i32>r) sequenceRows(task, <i32>(r >> 32), <i32>r, scratch);
}

/** Rows [r0, r1) of the sequence task at `task` (forward or backward). */
function sequenceRows(task: usize, r0: i32, r1: i32, scratch: usize): void {
  if (arg(task, 0) == TASK_SEQUENCE_FORWARD) sequenceForwardRows(task, r0, r1, scratch);
  else sequenceBackwardRows(task, r0, r1, scratch);
}
