/**
 * Every function of the native addon, called with negative sizes and with sizes whose products
 * overflow 64 bits (2^21·2^21·2^22 wrapped to 0 and passed the bounds checks, then the kernels
 * ran off the arrays): each call must throw a JS Error, and the process must live on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTIVATION_CODES as ACT, cellCode } from '../../src/backend/kernel-codes.js';
import { loadNativeAddon } from '../../src/backend/native/index.js';

const { addon, error } = loadNativeAddon();

/** Small arrays every valid call below fits in. */
const F = () => new Float32Array(256);
const I = () => new Int32Array(64);
const M = () => new Uint8Array(64).fill(1);
const BAGS = () => Int32Array.of(0, 30, 30, 64);
/** A sequence op's first two arguments: the cell's kind and option codes. */
const LSTM = cellCode({ kind: 'lstm' });
const GRU = cellCode({ kind: 'gru', resetAfter: false });
const GRU_AFTER = cellCode({ kind: 'gru', resetAfter: true });

/**
 * A valid call of each op (sizes 2, windows of 2 steps), and which arguments are sizes. `free`
 * sizes may be huge in a valid call (a stride or a padding only moves the window).
 */
interface OpCall {
  args: () => unknown[];
  sizes: number[];
  free?: number[];
}

const win = [2, 2, 2, 1, 1, 1, 0, 2]; // batch, steps, channels, size, stride, dilation, padLeft, outSteps
const winSizes = (from: number) => [0, 1, 2, 3, 7].map((i) => from + i);
const winFree = (from: number) => [4, 5, 6].map((i) => from + i);
// Pooling windows: the window size is no array's extent either (y and argmax are per step).
const poolSizes = (from: number) => [0, 1, 2, 7].map((i) => from + i);
const poolFree = (from: number) => [3, 4, 5, 6].map((i) => from + i);

const OPS: Record<string, OpCall> = {
  gemm: {
    args: () => [false, false, 2, 2, 2, F(), 0, 2, F(), 0, 2, F(), 0, 2, 0],
    sizes: [2, 3, 4, 7, 10, 13],
  },
  addRowVector: { args: () => [F(), 2, 2, F()], sizes: [1, 2] },
  sumRows: { args: () => [F(), 2, 2, F(), 0], sizes: [1, 2] },
  activation: { args: () => [ACT.softmax, F(), F(), 4, 2], sizes: [3, 4] },
  activationBackward: { args: () => [ACT.softmax, F(), F(), F(), 4, 2], sizes: [4, 5] },
  math: { args: () => [ACT.sigmoid, F(), F(), 4], sizes: [3] },
  multiply: { args: () => [F(), F(), F(), 4], sizes: [3] },
  axpy: { args: () => [1, F(), F(), 4], sizes: [3] },
  scale: { args: () => [F(), 2, 4], sizes: [2] },
  sumSquares: { args: () => [F(), 4], sizes: [1] },
  gather: { args: () => [F(), 2, I(), F()], sizes: [1] },
  scatterAdd: { args: () => [F(), I(), 2, F()], sizes: [2] },
  // Mode 1 is 'mean'; the bags are the 64 ids of I() as three, one empty.
  embeddingBag: { args: () => [F(), 2, I(), BAGS(), F(), 1, F()], sizes: [1] },
  embeddingBagBackward: { args: () => [F(), I(), BAGS(), null, 0, 2, F()], sizes: [5] },
  transposeSequence: { args: () => [F(), F(), 2, 2, 2, false, F(), true], sizes: [2, 3, 4] },
  sequenceForward: {
    args: () => [...GRU, 2, 2, 2, F(), F(), F(), F(), F(), M(), null, F(), F(), null, null],
    sizes: [2, 3, 4],
  },
  sequenceBackward: {
    args: () => [
      ...LSTM,
      2,
      2,
      2,
      F(),
      F(),
      F(),
      F(),
      F(),
      F(),
      F(),
      F(),
      M(),
      F(),
      F(),
      null,
      null,
      null,
      false,
    ],
    sizes: [2, 3, 4],
  },
  sequenceLast: {
    args: () => [...GRU_AFTER, 2, 2, 2, 2, F(), false, F(), F(), F(), M(), F()],
    sizes: [2, 3, 4, 5],
  },
  im2col1d: { args: () => [F(), ...win, F()], sizes: winSizes(1), free: winFree(1) },
  col2im1d: { args: () => [F(), ...win, F()], sizes: winSizes(1), free: winFree(1) },
  maxPool1d: { args: () => [F(), ...win, F(), I()], sizes: poolSizes(1), free: poolFree(1) },
  maxPool1dBackward: {
    args: () => [F(), I(), ...win, F()],
    sizes: poolSizes(2),
    free: poolFree(2),
  },
  // (kind, y, dy, at, count, x, window, kernel, filters, dKernel, dBias, dx): four distinct
  // entries of the 2×2×2 output with 2 filters.
  conv1dBackwardSparse: {
    args: () => [
      ACT.relu,
      F(),
      F(),
      Int32Array.of(6, 1, 3, 4),
      4,
      F(),
      ...win,
      F(),
      2,
      F(),
      F(),
      F(),
    ],
    sizes: [4, ...poolSizes(6), 9, 15],
    free: winFree(6),
  },
  globalAvgPool1d: { args: () => [F(), 2, 2, 2, M(), F()], sizes: [1, 2, 3] },
  globalAvgPool1dBackward: { args: () => [F(), 2, 2, 2, M(), F()], sizes: [1, 2, 3] },
  sgdUpdate: { args: () => [F(), F(), 4, 1, Infinity, 0.1, 0.9, false, F()], sizes: [2] },
  rmspropUpdate: {
    args: () => [F(), F(), 4, 1, Infinity, 0.1, 0.9, 0.5, 1e-7, F(), F(), F()],
    sizes: [2],
  },
  adamUpdate: {
    args: () => [F(), F(), 4, 1, Infinity, 1e-3, 0.9, 0.999, 1e-7, F(), F()],
    sizes: [2],
  },
  adamUpdateRows: {
    args: () => [F(), F(), 4, 1, Infinity, 1e-3, 0.9, 0.999, 1e-7, F(), F(), 2, Int32Array.of(1)],
    sizes: [2, 11],
  },
};

/** Sizes whose products overflow 64 bits: 2^21·2^21·2^22 = 2^64, and larger with a fourth. */
const EXTREME = [2 ** 21, 2 ** 21, 2 ** 22, 2 ** 30, 2 ** 30, 2 ** 30];

describe(
  'native addon: extreme and negative sizes throw',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    if (addon === null) return;
    const fns = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    addon.configure('', 2, 0);

    test('the table covers every op of the addon', () => {
      const ops = Object.keys(addon).filter((k) => !['configure', 'info', 'noop'].includes(k));
      assert.deepEqual(ops.sort(), Object.keys(OPS).sort());
    });

    for (const [op, call] of Object.entries(OPS)) {
      test(op, () => {
        fns[op](...call.args()); // the valid call runs
        for (const i of call.sizes.concat(call.free ?? [])) {
          const args = call.args();
          args[i] = -1;
          assert.throws(() => fns[op](...args), /must be ≥ 0/, `${op}: argument ${i} = -1`);
        }
        for (const i of call.sizes) {
          const args = call.args();
          args[i] = 2 ** 31 - 1;
          assert.throws(() => fns[op](...args), Error, `${op}: argument ${i} = 2^31 − 1`);
        }
        for (const i of call.free ?? []) {
          const args = call.args();
          args[i] = 2 ** 31 - 1;
          fns[op](...args); // valid, and no loop over the huge window
        }
        const args = call.args();
        call.sizes.forEach((i, j) => (args[i] = EXTREME[j]));
        assert.throws(() => fns[op](...args), Error, `${op}: sizes ${call.sizes.length} extreme`);
        // Huge sizes where a size product has a zero factor: nothing to compute, and quickly.
        const zero = call.args();
        call.sizes.forEach((i, j) => (zero[i] = j === call.sizes.length - 1 ? 0 : 2 ** 31 - 1));
        try {
          fns[op](...zero);
        } catch (err) {
          assert.ok(err instanceof Error);
        }
      });
    }

    test('the overflow is named in the message', () => {
      const f = F();
      assert.throws(
        () => fns.transposeSequence(f, f, 2 ** 21, 2 ** 21, 2 ** 22, false, null, true),
        /transposeSequence: sizes 2097152 × 2097152 × 4194304 overflow/,
      );
    });
  },
);
