/** The addon validates every argument: a bad call throws a JS Error and the process lives on. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNativeBackend, loadNativeAddon } from '../../src/backend/native/index.js';
import type { Window1d } from '../../src/backend/conv-ops.js';
import { matrix } from '../../src/backend/core-ops.js';

const { addon, error } = loadNativeAddon();
const f32 = (n: number) => new Float32Array(n);

describe(
  'native backend rejects bad arguments',
  { skip: addon === null ? `native addon not available: ${error}` : false },
  () => {
    if (addon === null) return;
    const be = createNativeBackend({ threads: 2, parallelWork: 0 });
    const gemm = (over: Partial<Record<string, unknown>>) => {
      const a = {
        ta: false,
        tb: false,
        m: 4,
        n: 4,
        k: 4,
        A: f32(16),
        ao: 0,
        lda: 4,
        B: f32(16),
        bo: 0,
        ldb: 4,
        C: f32(16),
        co: 0,
        ldc: 4,
        beta: 0,
        ...over,
      };
      // Deliberately untyped: the point is what the addon does with wrong values.
      (addon.gemm as (...args: unknown[]) => void)(
        a.ta,
        a.tb,
        a.m,
        a.n,
        a.k,
        a.A,
        a.ao,
        a.lda,
        a.B,
        a.bo,
        a.ldb,
        a.C,
        a.co,
        a.ldc,
        a.beta,
      );
    };

    test('a call with more arguments than any op reads throws instead of reading past them', () => {
      const many = new Array(41).fill(0);
      assert.throws(
        () => (addon.gemm as (...args: unknown[]) => void)(...many),
        /gemm: takes at most 40 arguments, got 41/,
      );
    });

    test('gemm: every operand checked against its offset, shape and leading dimension', () => {
      gemm({});
      assert.throws(() => gemm({ A: f32(15) }), /gemm: a: needs 16 values from offset 0, has 15/);
      assert.throws(() => gemm({ co: 1 }), /gemm: c: needs 16 values from offset 1/);
      assert.throws(() => gemm({ bo: -1 }), /gemm: b: needs/);
      assert.throws(() => gemm({ ldb: 3 }), /gemm: b: leading dimension 3 < 4/);
      assert.throws(() => gemm({ ldc: 3 }), /gemm: c: leading dimension 3 < 4/);
      // A is only read: overlapping rows (lda < k) are allowed, lda 0 is not.
      gemm({ lda: 3 });
      assert.throws(() => gemm({ lda: 0 }), /gemm: a: leading dimension 0/);
      assert.throws(() => gemm({ ta: true, A: f32(12), lda: 3 }), /gemm: a/);
      assert.throws(() => gemm({ m: 2.5 }), /m must be an integer/);
      assert.throws(() => gemm({ n: -1 }), /n must be ≥ 0/);
      assert.throws(() => gemm({ k: NaN }), /k must be an integer/);
      assert.throws(() => gemm({ k: 2 ** 40 }), /k must be an integer/);
      assert.throws(
        () => gemm({ A: new Float64Array(16) }),
        /a must be a Float32Array \(the native backend is float32\)/,
      );
      assert.throws(() => gemm({ B: [1, 2, 3] }), /b must be a Float32Array/);
      assert.throws(() => gemm({ C: null }), /c must be a Float32Array/);
      assert.throws(() => gemm({ beta: 2 }), /beta must be a boolean, 0 or 1/);
      assert.throws(() => gemm({ ldc: '4' }), /ldc must be a number/);
    });

    test('a view into a larger buffer is bounded by the view, not the buffer', () => {
      const big = f32(64);
      assert.throws(
        () => gemm({ C: big.subarray(0, 15) }),
        /c: needs 16 values from offset 0, has 15/,
      );
    });

    test('embedding ids must index the table', () => {
      assert.throws(
        () => be.gather(f32(8), 4, Int32Array.of(0, 2), f32(8)),
        /gather: id 2 at 1 is outside \[0, 2\)/,
      );
      assert.throws(() => be.scatterAdd(f32(4), Int32Array.of(-1), 4, f32(8)), /scatterAdd: id -1/);
      assert.throws(() => be.gather(f32(8), 4, Int32Array.of(0, 1), f32(7)), /gather: out/);
      assert.throws(
        () => be.gather(f32(8), 4, Float32Array.of(0) as unknown as Int32Array, f32(4)),
        /ids must be a Int32Array/,
      );
    });

    test('sequence ops check every buffer, masks, cells and the buffers a cell needs', () => {
      const [B, T, H] = [3, 4, 5];
      const [G, BH] = [4 * H, B * H];
      const none = { hIn: null, recurrentScale: null, mask: null, c: null, rec: null, rh: null };
      const lstm = (
        gates: Float32Array,
        hIn: Float32Array | null,
        scale: Float32Array | null,
        mask: Uint8Array | null = null,
      ) =>
        be.sequenceForward(
          {
            cell: { kind: 'lstm' },
            batch: B,
            steps: T,
            units: H,
            gates,
            h: f32((T + 1) * BH),
            hIn,
            recurrentScale: scale,
            mask,
            c: f32((T + 1) * BH),
            rec: null,
            rh: null,
          },
          f32(H * G),
        );
      lstm(f32(T * B * G), null, null);
      lstm(f32(T * B * G), null, null, new Uint8Array(T * B));
      assert.throws(
        () => lstm(f32(T * B * G - 1), null, null),
        /sequenceForward: gates: needs 240/,
      );
      assert.throws(
        () => lstm(f32(T * B * G), null, f32(BH)),
        /sequenceForward: hIn must be a Float32Array/,
      );
      assert.throws(
        () => lstm(f32(T * B * G), null, null, new Uint8Array(T * B - 1)),
        /sequenceForward: mask: needs 12/,
      );
      // A view is bounded by itself, not by the buffer behind it.
      assert.throws(
        () => lstm(f32(T * B * G + 1).subarray(1, T * B * G), null, null),
        /sequenceForward: gates: needs 240 values from offset 0, has 239/,
      );
      const rnn = (activation: string) =>
        be.sequenceForward(
          {
            ...none,
            cell: { kind: 'simpleRnn', activation: activation as never },
            batch: B,
            steps: 1,
            units: H,
            gates: f32(BH),
            h: f32(2 * BH),
          },
          f32(H * H),
        );
      rnn('relu');
      assert.throws(() => rnn('selu'), /sequenceForward: activation must be a number/);
      const gruSeq = () => ({
        ...none,
        cell: { kind: 'gru', resetAfter: true } as const,
        batch: B,
        steps: 1,
        units: H,
        gates: f32(3 * BH),
        h: f32(2 * BH),
        rec: f32(3 * BH),
      });
      const grads = (dRec: Float32Array | null) => ({
        dH: f32(BH),
        dGates: f32(3 * BH),
        dHIn: null,
        dc: null,
        dRec,
        dRh: null,
      });
      // `second`: a second layer's dRec, checked as the first's under its own name.
      const gruBackward = (dRec: Float32Array | null, second?: Float32Array | null) =>
        be.sequenceBackward(
          gruSeq(),
          f32(3 * H * H),
          grads(dRec),
          second === undefined ? null : { seq: gruSeq(), Ut: f32(3 * H * H), grads: grads(second) },
        );
      gruBackward(f32(3 * BH));
      gruBackward(f32(3 * BH), f32(3 * BH));
      assert.throws(() => gruBackward(null), /sequenceBackward: dRec must be a Float32Array/);
      assert.throws(
        () => gruBackward(f32(3 * BH), null),
        /sequenceBackward: second.dRec must be a Float32Array/,
      );
      assert.throws(
        () => be.sequenceToTimeMajor(f32(10), f32(12), 2, 3, 2, false, null),
        /transposeSequence: batchMajor/,
      );
    });

    test('conv and pooling: window geometry and argmax indices are checked', () => {
      const w: Window1d = {
        batch: 1,
        steps: 4,
        channels: 2,
        size: 2,
        stride: 1,
        dilation: 1,
        padLeft: 0,
        outSteps: 3,
      };
      be.im2col1d(f32(8), w, f32(12));
      assert.throws(() => be.im2col1d(f32(8), w, f32(11)), /im2col1d: cols/);
      assert.throws(
        () => be.im2col1d(f32(8), { ...w, stride: 0 }, f32(12)),
        /stride and dilation must be ≥ 1/,
      );
      assert.throws(
        () => be.maxPool1dBackward(f32(6), Int32Array.of(0, 1, 2, 3, 4, 8), w, f32(8)),
        /argmax 8 at 5 is outside the input/,
      );
    });

    test('optimizers check every slot', () => {
      const clip = { scale: 1, clipValue: Infinity };
      const step = { alpha: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
      assert.throws(
        () => be.adamUpdate(f32(10), f32(10), 10, clip, step, f32(10), f32(9)),
        /adamUpdate: v: needs 10/,
      );
      assert.throws(
        () => be.adamUpdate(f32(10), f32(10), 11, clip, step, f32(10), f32(10)),
        /adamUpdate: w: needs 11/,
      );
    });

    test('configure rejects unknown variants and thread counts; the process is still alive', () => {
      assert.throws(() => addon.configure('sse9', 1, -1), /unknown kernel variant 'sse9'/);
      assert.throws(() => addon.configure('', 0, -1), /threads must be in \[1, 64\]/);
      assert.throws(
        () => createNativeBackend({ threads: 1.5 }),
        /threads must be a positive integer, got '1.5'/,
      );
      const c = f32(1);
      be.gemm(
        matrix(Float32Array.of(2), 1, 1),
        matrix(Float32Array.of(3), 1, 1),
        matrix(c, 1, 1),
        0,
      );
      assert.equal(c[0], 6);
    });
  },
);
