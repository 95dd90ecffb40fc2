import type { Backend } from '../backend/backend.js';
import { Tensor, type Shape } from '../tensor/tensor.js';

/**
 * Batches of rows taken from a [N, ...] tensor by index. Buffers are kept per batch size, so a
 * training loop allocates once per shape, not once per batch.
 */
export class BatchGatherer {
  private readonly rowSize: number;
  private readonly rowShape: Shape;
  private readonly buffers = new Map<number, Tensor>();

  constructor(
    private readonly source: Tensor,
    private readonly backend: Backend,
  ) {
    this.rowShape = source.shape.slice(1);
    this.rowSize = this.rowShape.reduce((a, b) => a * b, 1);
  }

  get rows(): number {
    return this.source.shape[0];
  }

  /** Rows order[start .. start+count) of the source, as one batch tensor (reused storage). */
  gather(order: Int32Array | null, start: number, count: number): Tensor {
    let batch = this.buffers.get(count);
    if (!batch) {
      batch = new Tensor(this.backend.alloc(count * this.rowSize), [count, ...this.rowShape]);
      this.buffers.set(count, batch);
    }
    const src = this.source.data;
    for (let i = 0; i < count; i++) {
      const row = order ? order[start + i] : start + i;
      batch.data.set(src.subarray(row * this.rowSize, (row + 1) * this.rowSize), i * this.rowSize);
    }
    return batch;
  }
}

/** Rows [from, to) of a [N, ...] tensor, sharing its storage. */
export function sliceRows(t: Tensor, from: number, to: number): Tensor {
  const rowSize = t.size / t.shape[0];
  return new Tensor(t.data.subarray(from * rowSize, to * rowSize), [
    to - from,
    ...t.shape.slice(1),
  ]);
}
