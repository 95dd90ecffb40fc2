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
  /** Whether list[0, count) is in ascending order. */
  private ascending = true;

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
    if (count > this.count) this.ascending = false;
    this.count = count;
  }

  /**
   * The distinct rows added since the last zero(), ascending: a kernel then walks the table in
   * memory order (native Adam on the seed batch's 7,200 rows: 0.8 ms ascending, 1.2 ms in the
   * order seen). A view, valid until the next add() or zero().
   */
  get ids(): Int32Array {
    const { seen, list, count } = this;
    if (!this.ascending) {
      // Few rows of a large table: sort them; else one pass over the marks is cheaper.
      if (count * 16 < seen.length) list.subarray(0, count).sort();
      else for (let row = 0, k = 0; k < count; row++) if (seen[row] !== 0) list[k++] = row;
      this.ascending = true;
    }
    return list.subarray(0, count);
  }

  /**
   * Zeroes the listed rows of `grad` (the rest is zero already) and empties the list. When more
   * than an eighth of the rows are listed, one fill of the whole gradient is cheaper than a fill
   * per row (the seed batch's 7,200 of 10,000 rows: 0.05 against 0.19 ms, warm cache).
   */
  zero(grad: FloatArray): void {
    const { seen, list, rowSize } = this;
    if (this.count * 8 > this.rows) {
      grad.fill(0, 0, this.rows * rowSize);
      seen.fill(0);
    } else {
      for (let i = 0; i < this.count; i++) {
        const row = list[i];
        grad.fill(0, row * rowSize, (row + 1) * rowSize);
        seen[row] = 0;
      }
    }
    this.count = 0;
    this.ascending = true;
  }
}
