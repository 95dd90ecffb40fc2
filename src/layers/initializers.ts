import type { Rng } from '../random/rng.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Keras's default initializers. Each fills `out` (row-major, shape [rows, cols]) from rng. */

/** glorot_uniform: U(±sqrt(6 / (fanIn + fanOut))). */
export function glorotUniform(out: FloatArray, fanIn: number, fanOut: number, rng: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
}

export function randomUniform(out: FloatArray, low: number, high: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(low, high);
}

/**
 * orthogonal (gain 1), as Keras: QR of a standard-normal matrix, signs fixed by diag(R). For a
 * wide [rows, cols] matrix (rows < cols, e.g. a [H, 4H] recurrent kernel) the rows are orthonormal.
 */
export function orthogonal(out: FloatArray, rows: number, cols: number, rng: Rng): void {
  // Orthonormalise the columns of a tall matrix (tallRows ≥ tallCols) by modified Gram-Schmidt,
  // which yields Q with R's diagonal positive, i.e. Keras's sign convention.
  const tallRows = Math.max(rows, cols);
  const tallCols = Math.min(rows, cols);
  const q = new Float64Array(tallRows * tallCols);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < tallCols; j++) {
    for (let prev = 0; prev < j; prev++) {
      let dot = 0;
      for (let i = 0; i < tallRows; i++) dot += q[i * tallCols + j] * q[i * tallCols + prev];
      for (let i = 0; i < tallRows; i++) q[i * tallCols + j] -= dot * q[i * tallCols + prev];
    }
    let norm = 0;
    for (let i = 0; i < tallRows; i++) norm += q[i * tallCols + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < tallRows; i++) q[i * tallCols + j] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = rows >= cols ? q[r * tallCols + c] : q[c * tallCols + r];
    }
  }
}
