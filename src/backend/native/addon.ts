import { createRequire } from 'node:module';
import type { ConvOps } from '../conv-ops.js';
import type { CoreOps } from '../core-ops.js';
import type { EmbeddingBagMode, EmbeddingOps } from '../embedding-ops.js';
import type { FlatGemm } from '../gemm-args.js';
import type { TransposeShape } from '../recurrent-ops.js';
import type { FloatArray } from '../../tensor/tensor.js';

/** Kernel variants of the addon, fastest first. */
export const NATIVE_VARIANTS = ['avx512', 'avx2', 'baseline'] as const;
export type NativeVariant = (typeof NATIVE_VARIANTS)[number];

/** A sequenceLast layer field by field, in SequenceLastLayer's order. */
type LastLayer = [
  reverse: boolean,
  W: FloatArray,
  bias: FloatArray | null,
  U: FloatArray,
  mask: Uint8Array | null,
  out: FloatArray,
];
/** One layer of sequenceForward: its shape, seq's buffers around U, gateRows' arrays, recurrentBias. */
type ForwardLayer = [
  ...SequenceShape,
  gates: FloatArray,
  U: FloatArray,
  ...SequenceStates,
  gateTable: FloatArray | null,
  gateRows: Int32Array | null,
  gateBias: FloatArray | null,
  recurrentBias: FloatArray | null,
];
/** One layer of sequenceBackward: its shape, seq's and grads' fields in native/ops_recurrent.cc's order. */
type BackwardLayer = [
  ...SequenceShape,
  gates: FloatArray,
  h: FloatArray,
  hIn: FloatArray | null,
  Ut: FloatArray,
  dH: FloatArray,
  dGates: FloatArray,
  dHIn: FloatArray | null,
  recurrentScale: FloatArray | null,
  mask: Uint8Array | null,
  c: FloatArray | null,
  dc: FloatArray | null,
  rec: FloatArray | null,
  dRec: FloatArray | null,
  dRh: FloatArray | null,
  lastStepOnly: boolean,
];
type Flat<T> = T extends (...args: infer A) => infer R ? (...args: A) => R : never;
type Same<O, K extends keyof O> = { [P in K]: Flat<O[P]> };
/** A Window1d passed as its 8 fields in declaration order. */
type Win = [number, number, number, number, number, number, number, number];

/**
 * The functions of build/Release/gated_native.node (native/*.cc). Most take the Backend method's
 * arguments unchanged; enums are small integers and objects are passed field by field.
 */
export interface NativeAddon
  extends
    Same<CoreOps, 'addRowVector' | 'sumRows' | 'multiply' | 'axpy' | 'scale' | 'sumSquares'>,
    Same<EmbeddingOps, 'gather' | 'scatterAdd'> {
  gemm(...args: FlatGemm): void;
  configure(variant: string, threads: number, parallelWork: number): void;
  info(): {
    variant: NativeVariant;
    threads: number;
    maxThreads: number;
    variants: NativeVariant[];
  };
  noop(): void;
  /** fn: sigmoid or tanh (their activation codes) or exp (the code after the activations). */
  math(fn: number, x: Float32Array, y: Float32Array, n: number): void;
  activation(kind: number, ...rest: Tail<Parameters<CoreOps['activation']>>): void;
  activationBackward(kind: number, ...rest: Tail<Parameters<CoreOps['activationBackward']>>): void;
  transposeSequence(
    batchMajor: FloatArray,
    timeMajor: FloatArray,
    ...rest: [...TransposeShape, toTimeMajor: boolean]
  ): void;
  /** The layer, then the second layer or nothing. */
  sequenceForward(...args: ForwardLayer | [...ForwardLayer, ...ForwardLayer]): void;
  /** The layer, then the second layer or nothing. */
  sequenceBackward(...args: BackwardLayer | [...BackwardLayer, ...BackwardLayer]): void;
  /** The input's cell, sizes and x, the layer's fields, then the second's, or left out. */
  sequenceLast(
    ...args:
      | [...SequenceShape, inputDim: number, x: FloatArray, ...LastLayer]
      | [...SequenceShape, inputDim: number, x: FloatArray, ...LastLayer, ...LastLayer]
  ): void;
  embeddingBag(...args: ModeAsNumber<Parameters<EmbeddingOps['embeddingBag']>>): void;
  embeddingBagBackward(
    ...args: ModeAsNumber<Parameters<EmbeddingOps['embeddingBagBackward']>>
  ): void;
  im2col1d(x: FloatArray, ...rest: [...Win, FloatArray]): void;
  col2im1d(dCols: FloatArray, ...rest: [...Win, FloatArray]): void;
  maxPool1d(x: FloatArray, ...rest: [...Win, FloatArray, Int32Array]): void;
  maxPool1dBackward(dy: FloatArray, argmax: Int32Array, ...rest: [...Win, FloatArray]): void;
  conv1dBackwardSparse(
    kind: number,
    y: FloatArray,
    dy: FloatArray,
    at: Int32Array,
    count: number,
    x: FloatArray,
    ...rest: [...Win, FloatArray, number, FloatArray, FloatArray | null, FloatArray]
  ): void;
  globalAvgPool1d: Flat<ConvOps['globalAvgPool1d']>;
  globalAvgPool1dBackward: Flat<ConvOps['globalAvgPool1dBackward']>;
  sgdUpdate(
    w: FloatArray,
    grad: FloatArray,
    n: number,
    clipScale: number,
    clipValue: number,
    learningRate: number,
    momentum: number,
    nesterov: boolean,
    momentumSlot: FloatArray | null,
  ): void;
  rmspropUpdate(
    w: FloatArray,
    grad: FloatArray,
    n: number,
    clipScale: number,
    clipValue: number,
    learningRate: number,
    rho: number,
    momentum: number,
    epsilon: number,
    velocity: FloatArray,
    momentumSlot: FloatArray | null,
    averageGrad: FloatArray | null,
  ): void;
  adamUpdate(
    w: FloatArray,
    grad: FloatArray,
    n: number,
    clipScale: number,
    clipValue: number,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    m: FloatArray,
    v: FloatArray,
  ): void;
  adamUpdateRows(
    ...args: [...Parameters<NativeAddon['adamUpdate']>, rowSize: number, rows: Int32Array]
  ): void;
}

/** An embedding bag's arguments with its mode as the addon's number (0 sum, 1 mean). */
type ModeAsNumber<T extends unknown[]> = {
  [K in keyof T]: T[K] extends EmbeddingBagMode ? number : T[K];
};
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;
/** A SequenceBuffers' cell (as kind and option) and sizes. */
type SequenceShape = [kind: number, option: number, batch: number, steps: number, units: number];
/** A SequenceBuffers' states, h to rh, in its declaration order. */
type SequenceStates = [
  h: FloatArray,
  hIn: FloatArray | null,
  recurrentScale: FloatArray | null,
  mask: Uint8Array | null,
  c: FloatArray | null,
  rec: FloatArray | null,
  rh: FloatArray | null,
];

export type AddonLoad = { addon: NativeAddon; error: null } | { addon: null; error: string };

let loaded: AddonLoad | null = null;

/** Loads the addon once; on failure says why (not built, wrong platform, …) instead of throwing. */
export function loadNativeAddon(): AddonLoad {
  if (loaded) return loaded;
  try {
    // From dist/src/backend/native/ (or src/backend/native/ under a TS runner) to the repo root.
    const require = createRequire(import.meta.url);
    const root = new URL('../../../', import.meta.url);
    const base = root.pathname.endsWith('/dist/') ? new URL('../', root) : root;
    const addon = require(new URL('build/Release/gated_native.node', base).pathname) as NativeAddon;
    loaded = { addon, error: null };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    loaded = {
      addon: null,
      error: /Cannot find module/.test(message)
        ? 'the addon was not built (npm install builds it; see scripts/build-native.mjs)'
        : message,
    };
  }
  return loaded;
}
