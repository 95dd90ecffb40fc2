import { availableParallelism } from 'node:os';
import type { Backend } from '../backend.js';
import { OP_CHECKS } from '../checks/index.js';
import { flatGemm } from '../gemm-args.js';
import type { Window1d } from '../conv-ops.js';
import { EMBEDDING_BAG_MODES } from '../embedding-ops.js';
import type {
  GateRows,
  SequenceBuffers,
  SequenceGradients,
  SequenceLastLayer,
} from '../recurrent-ops.js';
import type { FloatArray } from '../../tensor/tensor.js';
import { ACTIVATION_CODES, cellCode } from '../kernel-codes.js';
import { BackendSettingsError, resolveThreads } from '../settings.js';
import { loadNativeAddon, NATIVE_VARIANTS, type NativeAddon, type NativeVariant } from './addon.js';

export { loadNativeAddon, NATIVE_VARIANTS, type NativeVariant } from './addon.js';

/** A sequence's cell and sizes as the addon's first five arguments. */
const shapeOf = (seq: SequenceBuffers) =>
  [...cellCode(seq.cell), seq.batch, seq.steps, seq.units] as const;

/** One layer of sequenceForward as the addon takes it: its shape, then its buffers. */
function forwardLayer(seq: SequenceBuffers, U: FloatArray, gateRows?: GateRows | null) {
  const { table, rows, bias } = gateRows ?? { table: null, rows: null, bias: null };
  const { gates, h, hIn, recurrentScale, mask, c, rec, rh, recurrentBias } = seq;
  const states = [h, hIn, recurrentScale, mask, c, rec, rh] as const;
  const own = [gates, U, ...states, table, rows, bias ?? null, recurrentBias ?? null] as const;
  return [...shapeOf(seq), ...own] as const;
}

/** One layer of sequenceBackward as the addon takes it: its shape, then its buffers. */
function backwardLayer(seq: SequenceBuffers, Ut: FloatArray, grads: SequenceGradients) {
  const { gates, h, hIn, recurrentScale, mask, c, rec } = seq;
  const { dH, dGates, dHIn, dc, dRec, dRh, lastStepOnly } = grads;
  const pass = [gates, h, hIn, Ut, dH, dGates, dHIn, recurrentScale, mask] as const;
  return [...shapeOf(seq), ...pass, c, dc, rec, dRec, dRh, lastStepOnly ?? false] as const;
}

export interface NativeOptions {
  /**
   * Threads, the caller included. Default: $GATED_THREADS, else every core; at most the cores and
   * the pool's maximum (a larger count is clamped with a notice).
   */
  threads?: number;
  /**
   * The fastest kernels to use (a slower path on a faster CPU, for tests). Default:
   * $GATED_NATIVE_ISA, else the fastest this CPU runs.
   */
  variant?: NativeVariant;
  /**
   * Work (multiply-adds or weighted element operations) below which an op stays on the calling
   * thread. Default: the addon's (recurrent steps stay single-threaded; see docs/ARCHITECTURE.md).
   * Tests set 0 so every op is split.
   */
  parallelWork?: number;
  /** Allow more threads than cores (up to the pool's maximum): tests that provoke preemption. */
  oversubscribe?: boolean;
  /** Print no notice when the thread count is clamped. */
  quiet?: boolean;
}

/** The native backend, with what it runs on. */
export interface NativeBackend extends Backend {
  readonly variant: NativeVariant;
  readonly threads: number;
}

/** The addon's mode number (-1 for an unknown name, which the addon rejects). */
const bagMode = (mode: string): number => (EMBEDDING_BAG_MODES as readonly string[]).indexOf(mode);

function variantOption(value: string | undefined): NativeVariant | '' {
  if (value === undefined || value === '') return '';
  if (!(NATIVE_VARIANTS as readonly string[]).includes(value)) {
    throw new BackendSettingsError(
      `GATED_NATIVE_ISA: unknown kernel variant '${value}' (${NATIVE_VARIANTS.join(', ')})`,
    );
  }
  return value as NativeVariant;
}

/** The settings (kernels, threads) the addon currently runs with: process-wide. */
let active: object | null = null;

/**
 * The C++ backend (native/): AVX-512 / AVX2 / baseline kernels chosen at run time, split over
 * `threads`. Throws when the addon is not built (use the registry for a fallback).
 * Kernel variant and thread count are process-wide in the addon, so each backend re-applies its
 * own before a call when another backend instance ran last.
 */
export function createNativeBackend(options: NativeOptions = {}): NativeBackend {
  const { addon, error } = loadNativeAddon();
  if (addon === null) throw new Error(`native backend unavailable: ${error}`);
  const threads = resolveThreads(
    options.threads ?? process.env.GATED_THREADS,
    options.threads !== undefined ? 'threads' : 'GATED_THREADS',
    {
      cores: availableParallelism(),
      max: addon.info().maxThreads,
      backend: 'native',
      oversubscribe: options.oversubscribe,
    },
    (message) => {
      if (!options.quiet) process.stderr.write(`gated: ${message}\n`);
    },
  );
  const wanted = options.variant ?? variantOption(process.env.GATED_NATIVE_ISA);
  const self = {};
  const use = (): NativeAddon => {
    if (active !== self) {
      addon.configure(wanted, threads, options.parallelWork ?? -1);
      active = self;
    }
    return addon;
  };
  use();
  const variant = addon.info().variant;
  const win = (w: Window1d) =>
    [w.batch, w.steps, w.channels, w.size, w.stride, w.dilation, w.padLeft, w.outSteps] as const;

  return {
    name: 'native',
    dtype: 'float32',
    variant,
    threads,
    alloc: (length) => new Float32Array(length),

    // The views' shapes are checked here (the addon checks the flat arguments' bounds).
    gemm: (a, b, c, beta) => {
      if (OP_CHECKS.gemm(a, b, c, beta)) use().gemm(...flatGemm(a, b, c, beta));
    },
    addRowVector: (...a) => use().addRowVector(...a),
    sumRows: (...a) => use().sumRows(...a),
    activation: (kind, ...a) => use().activation(ACTIVATION_CODES[kind], ...a),
    activationBackward: (kind, ...a) => use().activationBackward(ACTIVATION_CODES[kind], ...a),
    multiply: (...a) => use().multiply(...a),
    axpy: (...a) => use().axpy(...a),
    scale: (...a) => use().scale(...a),
    sumSquares: (...a) => use().sumSquares(...a),

    gather: (...a) => use().gather(...a),
    scatterAdd: (...a) => use().scatterAdd(...a),
    embeddingBag: (table, dim, ids, offsets, weights, mode, out) =>
      use().embeddingBag(table, dim, ids, offsets, weights, bagMode(mode), out),
    embeddingBagBackward: (dOut, ids, offsets, weights, mode, dim, dTable) =>
      use().embeddingBagBackward(dOut, ids, offsets, weights, bagMode(mode), dim, dTable),

    sequenceToTimeMajor: (x, y, ...shape) => use().transposeSequence(x, y, ...shape, true),
    timeMajorToSequence: (y, x, ...shape) => use().transposeSequence(x, y, ...shape, false),
    sequenceForward: (seq, U, gateRows, second) =>
      use().sequenceForward(
        ...forwardLayer(seq, U, gateRows),
        ...(second ? forwardLayer(second.seq, second.U, second.gateRows) : ([] as const)),
      ),
    sequenceBackward: (seq, Ut, grads, second) =>
      use().sequenceBackward(
        ...backwardLayer(seq, Ut, grads),
        ...(second ? backwardLayer(second.seq, second.Ut, second.grads) : ([] as const)),
      ),
    sequenceLast: (input, layer, second) => {
      const { cell, batch, steps, units, inputDim, x } = input;
      const fields = (l: SequenceLastLayer) =>
        [l.reverse, l.W, l.bias, l.U, l.mask, l.out] as const;
      const first = [
        ...cellCode(cell),
        batch,
        steps,
        units,
        inputDim,
        x,
        ...fields(layer),
      ] as const;
      if (second == null) use().sequenceLast(...first);
      else use().sequenceLast(...first, ...fields(second));
    },

    im2col1d: (x, w, cols) => use().im2col1d(x, ...win(w), cols),
    col2im1d: (dCols, w, dx) => use().col2im1d(dCols, ...win(w), dx),
    maxPool1d: (x, w, y, argmax) => use().maxPool1d(x, ...win(w), y, argmax),
    maxPool1dBackward: (dy, argmax, w, dx) => use().maxPool1dBackward(dy, argmax, ...win(w), dx),
    conv1dBackwardSparse: ({ kind, y, dy, at, count }, x, w, kernel, filters, grads) => {
      const { dKernel, dBias, dx } = grads;
      const sparse = [ACTIVATION_CODES[kind], y, dy, at, count] as const;
      use().conv1dBackwardSparse(...sparse, x, ...win(w), kernel, filters, dKernel, dBias, dx);
    },
    globalAvgPool1d: (...a) => use().globalAvgPool1d(...a),
    globalAvgPool1dBackward: (...a) => use().globalAvgPool1dBackward(...a),

    sgdUpdate: (w, grad, n, clip, step, momentum) =>
      use().sgdUpdate(
        w,
        grad,
        n,
        clip.scale,
        clip.clipValue,
        step.learningRate,
        step.momentum,
        step.nesterov,
        momentum,
      ),
    rmspropUpdate: (w, grad, n, clip, step, velocity, momentum, averageGrad) =>
      use().rmspropUpdate(
        w,
        grad,
        n,
        clip.scale,
        clip.clipValue,
        step.learningRate,
        step.rho,
        step.momentum,
        step.epsilon,
        velocity,
        momentum,
        averageGrad,
      ),
    adamUpdate: (w, grad, n, clip, step, m, v) =>
      use().adamUpdate(...adamArgs(w, grad, n, clip, step, m, v)),
    adamUpdateRows: (w, grad, n, clip, step, m, v, rowSize, rows) =>
      use().adamUpdateRows(...adamArgs(w, grad, n, clip, step, m, v), rowSize, rows),
  };
}

/** The addon's argument list of Adam: the clip and step records spread into numbers. */
function adamArgs(
  ...[w, grad, n, clip, step, m, v]: Parameters<Backend['adamUpdate']>
): Parameters<NativeAddon['adamUpdate']> {
  const { alpha, beta1, beta2, epsilon } = step;
  return [w, grad, n, clip.scale, clip.clipValue, alpha, beta1, beta2, epsilon, m, v];
}
