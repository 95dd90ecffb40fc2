import { flatGemm } from '../gemm-args.js';
import type { Backend } from '../backend.js';
import { withArgumentChecks } from '../checks/index.js';
import { ACTIVATION_CODES, cellCode, TASK } from '../kernel-codes.js';
import {
  gateCount,
  type GateRows,
  type SequenceBuffers,
  type SequenceGradients,
  type SequenceLastLayer,
} from '../recurrent-ops.js';
import type { FloatArray } from '../../tensor/tensor.js';
import { CTRL, TASK_SLOTS } from './codes.js';
import { WasmHeap } from './heap.js';
import type { Kernels } from './kernels.js';
import { ThreadPool, type SpawnHelper } from './pool.js';

export type WasmVariant = 'wasm-relaxed-simd' | 'wasm-simd';

/** The wasm backend: the Backend ops plus what `gated info` and the tests look at. */
export interface WasmBackend extends Backend {
  /** Which kernel build runs: with fused multiply-add (relaxed SIMD) or plain SIMD. */
  readonly variant: WasmVariant;
  /** Threads asked for (the caller included). */
  readonly threads: number;
  /** Whether the memory is shared (threads possible) or private to this thread. */
  readonly sharedMemory: boolean;
  readonly memory: WebAssembly.Memory;
  /** A float32 view into wasm memory (an ordinary array once a private memory is full). */
  alloc(length: number): Float32Array;
  /** y = e^x with the kernels' vectorised exp (for the error-bound tests). */
  exp(x: Float32Array, y: Float32Array, n: number): void;
  /**
   * Twelve independent f32x4 fused multiply-add chains of `steps` steps in all (96·steps flops),
   * split across the threads: the bench times it as the 128-bit ceiling of the GEMM.
   */
  fmaChains(steps: number): void;
  /** Blocks until all helper threads run (at most timeoutMs); returns the threads ready. */
  waitForThreads(timeoutMs?: number): number;
  /** Ends the helper threads; the backend keeps working on the caller alone. */
  close(): void;
}

/** Everything a loader has set up: the instantiated kernels on their memory. */
export interface WasmSetup {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  shared: boolean;
  variant: WasmVariant;
  threads: number;
  /** Starts helpers (null: none, e.g. no shared memory). */
  spawn: SpawnHelper | null;
  /** Whether this thread may sleep in Atomics.wait (not a browser window's main thread). */
  canBlock: boolean;
  /** Bytes of a non-shared memory that alloc may use; the rest is scratch. */
  allocLimit: number;
  /** See WasmOptions.parallelWork. */
  parallelWork?: number;
  /** See WasmOptions.stallMs. */
  stallMs?: number;
}

/** Helper and caller polls before sleeping: about 100 µs of spinning. */
const SPIN = 20000;
/**
 * Parts per thread of a pointwise task (Adam, gather, embeddingBag, bias add), so a late
 * thread's share is taken by the others. GEMMs and whole sequences take one part per thread (each
 * part rereads an operand).
 */
const POINTWISE_SPLIT = 4;
/**
 * Steps sequenceLast projects per GEMM for a lone partial row tile (a single review), which a GEMM
 * per step would pad to a whole tile and which would reread W at every step.
 */
const INFERENCE_CHUNK = 32;
/** Rows of the kernels' GEMM tile (MR in assembly/gemm.ts). */
const GEMM_TILE_ROWS = 6;

const bitsF32 = new Float32Array(1);
const bitsI32 = new Int32Array(bitsF32.buffer);
/** A float32 argument as the int32 task slot that holds its bits. */
function f32Bits(x: number): number {
  bitsF32[0] = x;
  return bitsI32[0];
}

/** Control block, task record and per-thread GEMM scratch, then the heap. */
function layout(kernels: Kernels, threads: number) {
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const ctrl = align(kernels.heapBase());
  const task = ctrl + align(CTRL.size * 4);
  const first = task + align(TASK_SLOTS * 4);
  const each = align(kernels.gemmScratchBytes());
  const scratch = Array.from({ length: threads }, (_, i) => first + i * each);
  return { ctrl, task, scratch, heap: first + threads * each };
}

/** Makes the Backend over instantiated kernels; the loaders (load-node.ts, load-web.ts) call it. */
export function createWasmBackendOn(setup: WasmSetup): WasmBackend {
  const { kernels: k, memory } = setup;
  const threads = setup.shared ? setup.threads : 1;
  const where = layout(k, threads);
  const needed = where.heap - memory.buffer.byteLength;
  if (needed > 0) memory.grow(Math.ceil(needed / 65536));
  const heap = new WasmHeap(memory, setup.shared, where.heap, setup.allocLimit);
  const pool = new ThreadPool(
    k,
    memory,
    where.ctrl,
    where.task,
    where.scratch,
    setup.canBlock,
    SPIN,
    setup.parallelWork ?? 64 * 1024,
    setup.shared && threads > 1 ? setup.spawn : null,
    setup.stallMs,
  );
  const f = (a: FloatArray, offset = 0) => heap.f32(a, offset);
  const w = (a: FloatArray, offset = 0) => heap.f32(a, offset, true);
  const opt = (a: FloatArray | null, offset = 0, written = true) =>
    a === null ? 0 : heap.f32(a, offset, written);
  const optMask = (a: Uint8Array | null) => (a === null ? 0 : heap.u8(a));
  const done = () => heap.done();
  /** An array the op uses only in some cases (checked non-null in those), else 0. */
  const when = (used: boolean, a: FloatArray | null, written = true) =>
    used ? heap.f32(a as FloatArray, 0, written) : 0;

  /** A scratch block of at least n floats, kept for the next call (grown when too small). */
  let scratchBlock: Float32Array | null = null;
  const sparseScratch = (n: number): Float32Array => {
    if (scratchBlock === null || scratchBlock.length < n) scratchBlock = heap.alloc(n);
    return scratchBlock;
  };

  /** Task arguments 1–11 of both Adam tasks: w, grad, n, the clip and step as f32 bits, m, v. */
  const adamArgs = (...[wt, grad, n, clip, step, m, v]: Parameters<Backend['adamUpdate']>) => {
    const { alpha, beta1, beta2, epsilon } = step;
    const s = [clip.scale, clip.clipValue, alpha, 1 - beta1, 1 - beta2, epsilon].map(f32Bits);
    return [w(wt), f(grad), n, ...s, w(m), w(v)];
  };

  /** A pool task: its op code and arguments. */
  type Task = [op: number, ...args: number[]];

  /** Multiply-adds of a sequence op's recurrent GEMMs: what the pool splits by. */
  const sequenceWork = (seq: SequenceBuffers) =>
    seq.steps * seq.batch * seq.units * gateCount(seq.cell) * seq.units;

  /** sequenceForward's task: [op, args…] as assembly/sequence.ts reads them. */
  const forwardTask = (seq: SequenceBuffers, U: FloatArray, gateRows?: GateRows | null): Task => {
    const { cell, batch, steps, units: H, gates, h, hIn, recurrentScale: scale, mask } = seq;
    const { c, rec, rh, recurrentBias } = seq;
    const [kind, option] = cellCode(cell);
    const m = optMask(mask);
    const [lstm, gru] = [cell.kind === 'lstm', cell.kind === 'gru'];
    const own = [when(lstm, c), when(gru, rec), when(gru && !option, rh)];
    const args = [batch, steps, H, kind, option, w(gates), f(U), w(h)];
    const dropout = [when(scale !== null, hIn), opt(scale, 0, false), m];
    const bias = opt(gateRows?.bias ?? null, 0, false);
    const rows = gateRows ? [f(gateRows.table), heap.i32(gateRows.rows), bias] : [0, 0, 0];
    const recBias = gru && option === 1 ? opt(recurrentBias ?? null, 0, false) : 0;
    // x = 0 in slot 15: the training pass (see sequenceLast), gateRows in 16 to 18, 19 recBias.
    return [TASK.sequenceForward, ...args, ...dropout, ...own, 0, ...rows, recBias];
  };

  /** sequenceBackward's task: [op, args…]. */
  const backwardTask = (seq: SequenceBuffers, Ut: FloatArray, grads: SequenceGradients): Task => {
    const { cell, batch, steps, units: H, gates, h, hIn, recurrentScale: scale, mask } = seq;
    const { c, rec } = seq;
    const { dH, dGates: dG, dHIn, dc, dRec, dRh, lastStepOnly } = grads;
    const [kind, option] = cellCode(cell);
    const m = optMask(mask);
    const [lstm, gru] = [cell.kind === 'lstm', cell.kind === 'gru'];
    const shape = [batch, steps, H, kind, option];
    const args = [...shape, f(gates), f(h), when(scale !== null, hIn, false)];
    const dropout = [when(scale !== null, dHIn), opt(scale, 0, false), m];
    const own = [when(lstm, c, false), when(lstm, dc), when(gru, rec, false)];
    const gruOwn = [when(gru && option === 1, dRec), when(gru && option === 0, dRh)];
    const written = [w(dH), w(dG), ...dropout, ...own, ...gruOwn];
    return [TASK.sequenceBackward, ...args, f(Ut), ...written, +(lastStepOnly ?? false)];
  };

  /**
   * A sequence task, or two of one op (a second layer's) in one run: both records in memory, the
   * pair task deals its parts out between them.
   */
  const runSequence = (work: number, first: Task, second: Task | null | undefined) => {
    if (second == null) {
      pool.run(work, 1, ...first);
    } else {
      const records = [first, second].map((task) => heap.i32(Int32Array.from(task)));
      pool.run(2 * work, 1, TASK.sequencePair, ...records);
    }
    done();
  };

  const backend: WasmBackend = {
    name: 'wasm',
    dtype: 'float32',
    variant: setup.variant,
    threads,
    sharedMemory: setup.shared,
    memory,
    alloc: (length) => heap.alloc(length),
    close: () => pool.close(),
    waitForThreads: (timeoutMs = 10000) => pool.waitReady(timeoutMs),
    fmaChains: (steps) => pool.run(Infinity, 1, TASK.fmaChains, steps),
    exp(x, y, n) {
      k.expArray(f(x), w(y), n);
      done();
    },

    gemm(...views) {
      const [transA, transB, m, n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, beta] = flatGemm(
        ...views,
      );
      if (m === 0 || n === 0) return;
      // A(i, p) at a + i·ars + p·aps; B(p, j) at b + p·brs + j·bcs (bytes).
      const ars = transA ? 4 : lda * 4;
      const aps = transA ? lda * 4 : 4;
      const brs = transB ? 4 : ldb * 4;
      const bcs = transB ? ldb * 4 : 4;
      const byRows = n < 64 && m >= 12 ? 1 : 0;
      const args = [m, n, byRows, kk, f(a, aOff), ars, aps, f(b, bOff), brs, bcs];
      pool.run(m * n * kk, 1, TASK.gemm, ...args, w(c, cOff), ldc * 4, beta);
      done();
    },

    addRowVector(x, rows, cols, v) {
      pool.run(rows * cols, POINTWISE_SPLIT, TASK.addRowVector, w(x), rows, cols, f(v));
      done();
    },
    sumRows(x, rows, cols, out, beta) {
      // On the caller: split by columns (keeping each column's order of adds), 2 threads ran
      // 0.8–2.1 ms against 0.53 on 1 for the token projection's 7,218 × 256 sums.
      k.sumRows(f(x), rows, cols, w(out), beta);
      done();
    },
    activation(kind, x, y, n, cols) {
      k.activation(ACTIVATION_CODES[kind], f(x), w(y), n, cols);
      done();
    },
    activationBackward(kind, y, dy, dx, n, cols) {
      k.activationBackward(ACTIVATION_CODES[kind], f(y), f(dy), w(dx), n, cols);
      done();
    },
    multiply(a, b, out, n) {
      k.multiplyAt(n, f(a), f(b), w(out), 0);
      done();
    },
    axpy(alpha, x, y, n) {
      k.axpy(alpha, f(x), w(y), n);
      done();
    },
    scale(x, alpha, n) {
      k.scale(w(x), alpha, n);
      done();
    },
    sumSquares(x, n) {
      const s = k.sumSquares(f(x), n);
      done();
      return s;
    },

    // One unit of work per value copied or added: a single review's lookup (200 × 128) stays on
    // the caller, a batch's is split.
    gather(table, dim, ids, out) {
      const args = [f(table), dim, heap.i32(ids), ids.length, w(out)];
      pool.run(ids.length * dim, POINTWISE_SPLIT, TASK.gather, ...args);
      done();
    },
    // On the caller: split by table rows or by columns, 2 threads ran slower than 1 (as on
    // native, bench/NOTES.md).
    scatterAdd(dOut, ids, dim, dTable) {
      k.scatterAdd(f(dOut), heap.i32(ids), ids.length, dim, w(dTable));
      done();
    },
    embeddingBag(table, dim, ids, offsets, weights, mode, out) {
      const bags = offsets.length - 1;
      const [i, o, m] = [heap.i32(ids), heap.i32(offsets), +(mode === 'mean')];
      const args = [f(table), dim, i, o, bags, opt(weights, 0, false), m, w(out)];
      pool.run((ids.length + bags) * dim, POINTWISE_SPLIT, TASK.embeddingBag, ...args);
      done();
    },
    embeddingBagBackward(dOut, ids, offsets, weights, mode, dim, dTable) {
      const bags = offsets.length - 1;
      const [i, o, m] = [heap.i32(ids), heap.i32(offsets), +(mode === 'mean')];
      k.embeddingBagBackward(f(dOut), i, o, bags, opt(weights, 0, false), m, dim, w(dTable));
      done();
    },

    sequenceToTimeMajor(x, y, batch, steps, features, reverse, scale) {
      k.transposeSequence(f(x), w(y), batch, steps, features, +reverse, opt(scale, 0, false), 1);
      done();
    },
    timeMajorToSequence(y, x, batch, steps, features, reverse, scale) {
      k.transposeSequence(w(x), f(y), batch, steps, features, +reverse, opt(scale, 0, false), 0);
      done();
    },

    sequenceForward(seq, U, gateRows, second) {
      const pair = second && forwardTask(second.seq, second.U, second.gateRows);
      runSequence(sequenceWork(seq), forwardTask(seq, U, gateRows), pair);
    },
    sequenceBackward(seq, Ut, grads, second) {
      const pair = second && backwardTask(second.seq, second.Ut, second.grads);
      runSequence(sequenceWork(seq), backwardTask(seq, Ut, grads), pair);
    },
    sequenceLast(seqInput, layer, second) {
      const { cell, batch, steps, units: H, inputDim: D, x } = seqInput;
      const [kind, option] = cellCode(cell);
      const G = gateCount(cell) * H;
      const BH = batch * H;
      // Per layer: a chunk of steps of gates (more than one step only when the batch is less than
      // one row tile: a single review), one step of rec and rh, and two blocks of c and h (zeros:
      // the initial states).
      const chunk = batch < GEMM_TILE_ROWS ? Math.min(steps, INFERENCE_CHUNK) : 1;
      const gatesEnd = chunk * batch * G;
      const input = f(x);
      const task = (l: SequenceLastLayer) => {
        const base = f(new Float32Array(gatesEnd + batch * G + 5 * BH));
        const at = (floats: number) => base + floats * 4;
        const [gates, rec, rh] = [base, at(gatesEnd), at(gatesEnd + batch * G)];
        const [c, h] = [at(gatesEnd + batch * G + BH), at(gatesEnd + batch * G + 3 * BH)];
        const m = optMask(l.mask);
        const args = [batch, steps, H, kind, option, gates, f(l.U), h, 0, 0, m, c, rec, rh];
        return [...args, input, D, +l.reverse, f(l.W), opt(l.bias, 0, false), w(l.out), chunk];
      };
      const pair: Task | null = second == null ? null : [TASK.sequenceForward, ...task(second)];
      runSequence(steps * batch * G * (D + H), [TASK.sequenceForward, ...task(layer)], pair);
    },

    im2col1d(x, win, cols) {
      k.im2col(f(x), ...geometry(win), w(cols));
      done();
    },
    col2im1d(dCols, win, dx) {
      k.col2im(f(dCols), ...geometry(win), w(dx));
      done();
    },
    maxPool1d(x, win, y, argmax) {
      k.maxPool(f(x), ...geometry(win), w(y), heap.i32(argmax, true));
      done();
    },
    maxPool1dBackward(dy, argmax, win, dx) {
      const n = win.batch * win.outSteps * win.channels;
      k.maxPoolBackward(f(dy), heap.i32(argmax), n, w(dx), win.batch * win.steps * win.channels);
      done();
    },
    conv1dBackwardSparse({ kind, y, dy, at, count }, x, win, kernel, filters, grads) {
      const { dKernel, dBias, dx } = grads;
      // Per-filter sums, bias sums and the transposed kernel (see assembly/conv.ts).
      const weights = win.size * win.channels * filters;
      const scratch = sparseScratch(2 * weights + filters);
      const read = [f(y), f(dy), heap.i32(at), count, f(x), ...geometry(win), f(kernel), filters];
      const args = [ACTIVATION_CODES[kind], ...read, w(dKernel), opt(dBias), w(dx), f(scratch)];
      // The weights pass (filters split) writes the transposed kernel the input pass reads.
      const work = 2 * count * win.size * win.channels;
      pool.run(work + weights, POINTWISE_SPLIT, TASK.convSparseWeights, ...args);
      pool.run(
        work + win.batch * win.steps * win.channels,
        POINTWISE_SPLIT,
        TASK.convSparseInput,
        ...args,
      );
      done();
    },
    globalAvgPool1d(x, batch, steps, channels, mask, y) {
      k.globalAvgPool(f(x), batch, steps, channels, heap.u8(mask), w(y));
      done();
    },
    globalAvgPool1dBackward(dy, batch, steps, channels, mask, dx) {
      k.globalAvgPoolBackward(f(dy), batch, steps, channels, heap.u8(mask), w(dx));
      done();
    },

    sgdUpdate(wt, grad, n, clip, step, momentum) {
      const s = [step.learningRate, step.momentum, +step.nesterov];
      k.sgd(w(wt), f(grad), n, clip.scale, clip.clipValue, ...s, opt(momentum));
      done();
    },
    rmspropUpdate(wt, grad, n, clip, step, velocity, momentum, averageGrad) {
      const s = [step.learningRate, step.rho, step.momentum, step.epsilon];
      const slots = [w(velocity), opt(momentum), opt(averageGrad)];
      k.rmsprop(w(wt), f(grad), n, clip.scale, clip.clipValue, ...s, ...slots);
      done();
    },
    adamUpdate(wt, grad, n, clip, step, m, v) {
      pool.run(n * 8, POINTWISE_SPLIT, TASK.adam, ...adamArgs(wt, grad, n, clip, step, m, v));
      done();
    },
    adamUpdateRows(wt, grad, n, clip, step, m, v, rowSize, rows) {
      const args = [...adamArgs(wt, grad, n, clip, step, m, v), heap.i32(rows), rowSize];
      const work = rows.length * rowSize * 8;
      pool.run(work, POINTWISE_SPLIT, TASK.adamRows, ...args, rows.length);
      done();
    },
  };
  // Checked before any pointer is taken: the kernels trust their sizes, and wasm memory holds
  // every other tensor, so a short array would be written past (a 64×64 gemm into 16 values).
  // An op that throws after staging frees its scratch at once, copying nothing back.
  return withArgumentChecks(backend, () => heap.discard());
}

/** A Window1d as the kernels' argument list (after the input pointer). */
function geometry(win: {
  batch: number;
  steps: number;
  channels: number;
  size: number;
  stride: number;
  dilation: number;
  padLeft: number;
  outSteps: number;
}): number[] {
  const { batch, steps, channels, size, stride, dilation, padLeft, outSteps } = win;
  return [batch, steps, channels, size, stride, dilation, padLeft, outSteps];
}
