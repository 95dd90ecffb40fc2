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

/**
 * A matrix operand: `rows` × `cols` values of `data`, row-major from `offset`, row i starting at
 * offset + i·stride; `transposed` makes its transpose (cols × rows) the operand. A view of a
 * slice (one timestep of a time-major buffer, a bias-free block of columns) needs no copy.
 */
export interface MatrixView {
  readonly data: FloatArray;
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
  readonly transposed: boolean;
}

/** The view of `data` as a rows × cols matrix: offset 0, stride cols and not transposed unless given. */
export function matrix(
  data: FloatArray,
  rows: number,
  cols: number,
  at: { offset?: number; stride?: number; transposed?: boolean } = {},
): MatrixView {
  const { offset = 0, stride = cols, transposed = false } = at;
  return { data, offset, rows, cols, stride, transposed };
}

/** Dense linear algebra, elementwise maps and reductions. */
export interface CoreOps {
  /**
   * C = op(A)·op(B) + beta·C, op(X) being X or, when X.transposed, Xᵀ; beta is 0 or 1. op(A) is
   * m×k, op(B) k×n and C m×n (C itself not transposed). A is only read, so its rows may also
   * overlap (1 ≤ stride below its row length): Conv1D reads its input's windows in place that
   * way, row t of a sample starting `channels` after row t−1.
   */
  gemm(a: MatrixView, b: MatrixView, c: MatrixView, beta: 0 | 1): void;
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
