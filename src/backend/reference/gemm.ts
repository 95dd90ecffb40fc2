import type { MatrixView } from '../core-ops.js';

/**
 * C = op(A)·op(B) + beta·C. Loop orders are chosen so the innermost loop walks contiguous
 * memory, and rows of C are taken four at a time so each loaded row of B serves four rows
 * (about 3x faster than a plain triple loop in V8, and still plainly a matrix product).
 */
export function gemm(A: MatrixView, B: MatrixView, C: MatrixView, beta: 0 | 1): void {
  const [transA, transB] = [A.transposed, B.transposed];
  const [m, n, k] = [C.rows, C.cols, transA ? A.rows : A.cols];
  const [a, aOffset, lda] = [A.data, A.offset, A.stride];
  const [b, bOffset, ldb] = [B.data, B.offset, B.stride];
  const [c, cOffset, ldc] = [C.data, C.offset, C.stride];
  if (beta === 0) {
    for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
  }
  if (m === 0 || n === 0 || k === 0) return;
  // A(i, p) lives at aOffset + i*aRow + p*aCol.
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  if (!transB) {
    // C[i, :] += A(i, p) · B[p, :], four rows of C at a time.
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const c0 = cOffset + i * ldc;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      for (let p = 0; p < k; p++) {
        const ap = aOffset + i * aRow + p * aCol;
        const a0 = a[ap];
        const a1 = a[ap + aRow];
        const a2 = a[ap + 2 * aRow];
        const a3 = a[ap + 3 * aRow];
        const bp = bOffset + p * ldb;
        for (let j = 0; j < n; j++) {
          const bv = b[bp + j];
          c[c0 + j] += a0 * bv;
          c[c1 + j] += a1 * bv;
          c[c2 + j] += a2 * bv;
          c[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const ci = cOffset + i * ldc;
      for (let p = 0; p < k; p++) {
        const av = a[aOffset + i * aRow + p * aCol];
        const bp = bOffset + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
    return;
  }
  // B is stored n×k: C[i, j] += dot(A(i, :), B[j, :]).
  for (let i = 0; i < m; i++) {
    const ci = cOffset + i * ldc;
    const ai = aOffset + i * aRow;
    for (let j = 0; j < n; j++) {
      const bj = bOffset + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol] * b[bj + p];
      c[ci + j] += s;
    }
  }
}
