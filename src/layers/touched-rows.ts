import type { FloatArray } from '../tensor/tensor.js';

/**
 * The rows of a table-shaped weight that its gradient holds values in: an Embedding adds the ids
 * of each backward pass. Zeroing the gradient then clears only these rows, and a lazy optimizer
 * (Adam with lazyEmbeddings) updates only these rows. Every write into the gradient must go
 * through add() first; a full clear of the gradient may leave rows listed (a superset is safe).
 */
export class TouchedRows {
  private readonly seen: Uint8Array;
  private readonly list: Int32Array;
  private count = 0;

  constructor(
    readonly rows: number,
    /** Values per row. */
    readonly rowSize: number,
  ) {
    this.seen = new Uint8Array(rows);
    this.list = new Int32Array(rows);
  }

  /** Adds ids (each in [0, rows), as the Embedding has checked). */
  add(ids: Int32Array): void {
    const { seen, list } = this;
    let count = this.count;
    for (const id of ids) {
      if (seen[id] === 0) {
        seen[id] = 1;
        list[count++] = id;
      }
    }
    this.count = count;
  }

  /** The distinct rows added since the last zero(), in first-seen order (valid until then). */
  get ids(): Int32Array {
    return this.list.subarray(0, this.count);
  }

  /** Zeroes the listed rows of `grad` (the rest is zero already) and empties the list. */
  zero(grad: FloatArray): void {
    const { seen, list, rowSize } = this;
    for (let i = 0; i < this.count; i++) {
      const row = list[i];
      grad.fill(0, row * rowSize, (row + 1) * rowSize);
      seen[row] = 0;
    }
    this.count = 0;
  }
}
