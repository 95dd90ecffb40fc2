import type { FloatArray } from '../tensor/tensor.js';
import type { MatrixView } from './core-ops.js';

/** A GEMM as BLAS-style arguments, what the native and wasm kernels take. */
export type FlatGemm = [
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
  beta: 0 | 1,
];

/** CoreOps.gemm's views (checked: op(A) m×k, op(B) k×n, C m×n) as BLAS-style arguments. */
export function flatGemm(a: MatrixView, b: MatrixView, c: MatrixView, beta: 0 | 1): FlatGemm {
  const k = a.transposed ? a.rows : a.cols;
  return [
    a.transposed,
    b.transposed,
    c.rows,
    c.cols,
    k,
    a.data,
    a.offset,
    a.stride,
    b.data,
    b.offset,
    b.stride,
    c.data,
    c.offset,
    c.stride,
    beta,
  ];
}
