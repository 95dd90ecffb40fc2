import type { Backend } from '../backend/backend.js';
import { Tensor, type Shape } from '../tensor/tensor.js';

/** Batch tensors by batch size and row size, to reuse across gatherers (see BatchGatherer). */
export type BatchBuffers = Map<string, Tensor>;

/**
 * Batches of rows taken from a [N, ...] tensor by index. Buffers are kept per batch size, so a
 * training loop allocates once per shape, not once per batch; `buffers` shared between calls
 * (predict, evaluate) keeps a loop of calls from allocating at all (on wasm, a block returns to
 * the heap only when the event loop runs the view's finalizer: a synchronous loop of predicts
 * grew wasm memory without bound).
 */
export class BatchGatherer {
  private readonly rowSize: number;
  private readonly rowShape: Shape;

  constructor(
    private readonly source: Tensor,
    private readonly backend: Backend,
    private readonly buffers: BatchBuffers = new Map(),
  ) {
    this.rowShape = source.shape.slice(1);
    this.rowSize = this.rowShape.reduce((a, b) => a * b, 1);
  }

  get rows(): number {
    return this.source.shape[0];
  }

  /** Rows order[start .. start+count) of the source, as one batch tensor (reused storage). */
  gather(order: Int32Array | null, start: number, count: number): Tensor {
    const key = `${count}:${this.rowShape.join(',')}`;
    let batch = this.buffers.get(key);
    if (!batch) {
      batch = new Tensor(this.backend.alloc(count * this.rowSize), [count, ...this.rowShape]);
      this.buffers.set(key, batch);
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
