import type { FloatArray } from '../tensor/tensor.js';

export type ActivationKind = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'softmax';

/** Every ActivationKind, for validating names read from files and calls. */
export const ACTIVATIONS: readonly ActivationKind[] = [
  'linear',
  'sigmoid',
  'tanh',
  'relu',
  'softmax',
];

/** Dense linear algebra, elementwise maps and reductions. */
export interface CoreOps {
  /**
   * C = op(A)·op(B) + beta·C, BLAS-style, row-major. op(A) is m×k, op(B) is k×n, C is m×n.
   * A is stored m×k (lda ≥ k) or, when transA, k×m (lda ≥ m); likewise B. beta is 0 or 1.
   * A is only read, so its rows may also overlap (1 ≤ lda below its row length): Conv1D reads
   * its input's windows in place that way, row t of a sample starting `channels` after row t−1.
   */
  gemm(
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
  ): void;
  /** x[r, :] += v for every row r of a rows×cols array. */
  addRowVector(x: FloatArray, rows: number, cols: number, v: FloatArray): void;
  /** out = beta·out + (sum over rows of x), x rows×cols, out of length cols. */
  sumRows(x: FloatArray, rows: number, cols: number, out: FloatArray, beta: 0 | 1): void;
  /**
   * y = f(x) elementwise over n values (x and y may be the same array). 'softmax' works on rows
   * of `cols` values; the others ignore cols.
   */
  activation(kind: ActivationKind, x: FloatArray, y: FloatArray, n: number, cols: number): void;
  /** dx = dy · f'(x), written in terms of y = f(x) (dx may be dy). */
  activationBackward(
    kind: ActivationKind,
    y: FloatArray,
    dy: FloatArray,
    dx: FloatArray,
    n: number,
    cols: number,
  ): void;
  /** out = a ⊙ b over n values (out may alias a or b). */
  multiply(a: FloatArray, b: FloatArray, out: FloatArray, n: number): void;
  /** y += alpha · x over n values. */
  axpy(alpha: number, x: FloatArray, y: FloatArray, n: number): void;
  /** x *= alpha over n values. */
  scale(x: FloatArray, alpha: number, n: number): void;
  /** Σ x² over n values (accumulated in float64). */
  sumSquares(x: FloatArray, n: number): number;
}
