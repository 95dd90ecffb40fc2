import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { Rng } from '../../src/random/rng.js';
import { matrix } from '../../src/backend/core-ops.js';

const backend = createReferenceBackend('float64');

/** The textbook triple loop: the independent oracle for the blocked reference GEMM. */
function naiveGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  c: Float64Array,
  ldc: number,
  beta: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s +=
          (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
      }
      c[i * ldc + j] = beta * c[i * ldc + j] + s;
    }
  }
}

test('gemm matches the triple loop for every transpose, odd sizes, offsets, padding and accumulate', () => {
  const rng = new Rng(5);
  for (const [m, n, k] of [
    [1, 1, 1],
    [3, 5, 7],
    [17, 1, 9],
    [4, 8, 4],
    [9, 13, 2],
  ]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1] as const) {
          const lda = (transA ? m : k) + 2;
          const ldb = (transB ? k : n) + 1;
          const ldc = n + 3;
          const off = 5;
          const a = Float64Array.from({ length: off + (transA ? k : m) * lda }, () =>
            rng.uniform(-1, 1),
          );
          const b = Float64Array.from({ length: off + (transB ? n : k) * ldb }, () =>
            rng.uniform(-1, 1),
          );
          const c = Float64Array.from({ length: off + m * ldc }, () => rng.uniform(-1, 1));
          const expected = c.slice(off);
          naiveGemm(
            transA,
            transB,
            m,
            n,
            k,
            a.subarray(off),
            lda,
            b.subarray(off),
            ldb,
            expected,
            ldc,
            beta,
          );
          backend.gemm(
            matrix(a, transA ? k : m, transA ? m : k, {
              offset: off,
              stride: lda,
              transposed: transA,
            }),
            matrix(b, transB ? n : k, transB ? k : n, {
              offset: off,
              stride: ldb,
              transposed: transB,
            }),
            matrix(c, m, n, { offset: off, stride: ldc }),
            beta,
          );
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const got = c[off + i * ldc + j];
              assert.ok(
                Math.abs(got - expected[i * ldc + j]) < 1e-12,
                `m${m} n${n} k${k} tA${transA} tB${transB} b${beta}`,
              );
            }
          }
        }
      }
    }
  }
});

test('activations and their derivatives on hand-computed values', () => {
  const x = Float64Array.from([-1, 0, 2]);
  const y = new Float64Array(3);
  backend.activation('sigmoid', x, y, 3, 3);
  assert.deepEqual(
    [...y].map((v) => +v.toFixed(6)),
    [0.268941, 0.5, 0.880797],
  );
  backend.activation('relu', x, y, 3, 3);
  assert.deepEqual([...y], [0, 0, 2]);
  backend.activation('softmax', Float64Array.from([0, Math.log(3)]), y, 2, 2);
  assert.deepEqual(
    [...y.subarray(0, 2)].map((v) => +v.toFixed(12)),
    [0.25, 0.75],
  );
  const dx = new Float64Array(2);
  // softmax backward: dx_i = y_i (dy_i − Σ dy_j y_j) with y = (¼, ¾), dy = (1, 0): (¼·¾, ¾·(−¼)).
  backend.activationBackward(
    'softmax',
    Float64Array.from([0.25, 0.75]),
    Float64Array.from([1, 0]),
    dx,
    2,
    2,
  );
  assert.deepEqual([...dx], [0.1875, -0.1875]);
  backend.activationBackward('tanh', Float64Array.from([0.5]), Float64Array.from([2]), dx, 1, 1);
  assert.equal(dx[0], 1.5);
});

test('row-vector add, row sums, axpy, scale, sum of squares', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
  backend.addRowVector(x, 2, 3, Float64Array.from([10, 20, 30]));
  assert.deepEqual([...x], [11, 22, 33, 14, 25, 36]);
  const out = Float64Array.from([1, 1, 1]);
  backend.sumRows(x, 2, 3, out, 1);
  assert.deepEqual([...out], [26, 48, 70]);
  backend.sumRows(x, 2, 3, out, 0);
  assert.deepEqual([...out], [25, 47, 69]);
  const y = Float64Array.from([1, 1]);
  backend.axpy(2, Float64Array.from([3, 4]), y, 2);
  assert.deepEqual([...y], [7, 9]);
  backend.scale(y, 0.5, 2);
  assert.deepEqual([...y], [3.5, 4.5]);
  assert.equal(backend.sumSquares(Float64Array.from([3, 4]), 2), 25);
});
