// Gate blocks: recurrent weights hold G blocks of H columns side by side (Keras layout). Other
// frameworks store the transpose, with the blocks in another order.

/** Gate order of each framework, as indices into Keras's order. */
export const GATE_ORDER = {
  /** Keras i, f, c, o → ONNX i, o, f, c. */
  onnxLstm: [0, 3, 1, 2],
  /** Keras z, r, h → ONNX z, r, h. */
  onnxGru: [0, 1, 2],
  /** Keras i, f, c, o → PyTorch i, f, g, o. */
  torchLstm: [0, 1, 2, 3],
  /** Keras z, r, h → PyTorch r, z, n. */
  torchGru: [1, 0, 2],
} as const;

/**
 * W [rows, G·H] (row-major) → its transpose [G·H, rows] with the gate blocks in `order`: row
 * k·H + j of the result is column order[k]·H + j of W.
 */
export function transposeGates(
  w: ArrayLike<number>,
  rows: number,
  units: number,
  order: readonly number[],
): Float32Array {
  const cols = order.length * units;
  const out = new Float32Array(cols * rows);
  order.forEach((gate, k) => {
    for (let j = 0; j < units; j++) {
      const from = gate * units + j;
      const to = (k * units + j) * rows;
      for (let r = 0; r < rows; r++) out[to + r] = w[r * cols + from];
    }
  });
  return out;
}

/** A bias [G·H] with its gate blocks in `order`. */
export function reorderGates(b: ArrayLike<number>, units: number, order: readonly number[]) {
  const out = new Float32Array(order.length * units);
  order.forEach((gate, k) => {
    for (let j = 0; j < units; j++) out[k * units + j] = b[gate * units + j];
  });
  return out;
}
