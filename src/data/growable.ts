/**
 * An Int32Array that grows as values are pushed: how loaders hold millions of ids compactly (4
 * bytes each, one buffer) instead of one JS array per row.
 */
export class GrowableInt32 {
  private buffer: Int32Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Int32Array(Math.max(16, initialCapacity));
  }

  push(value: number): void {
    if (this.length === this.buffer.length) {
      // Grow by half: a doubling copy of a large pool would hold three times its size at once.
      const next = new Int32Array(this.buffer.length + (this.buffer.length >> 1));
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.length++] = value;
  }

  at(index: number): number {
    return this.buffer[index];
  }

  /** The values pushed so far, as a view of the buffer (valid until the next push). */
  view(): Int32Array {
    return this.buffer.subarray(0, this.length);
  }
}
