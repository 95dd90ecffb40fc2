import type { FloatArray } from '../../tensor/tensor.js';

const PAGE = 65536;
const ALIGN = 64;

/** A typed array the kernels can read: one of the kinds ops receive. */
type AnyArray = FloatArray | Int32Array | Uint8Array;

interface Staged {
  array: AnyArray;
  ptr: number;
  bytes: number;
  written: boolean;
}

/**
 * The allocator over the kernel module's memory, above the fixed areas (control block, task
 * records, per-thread GEMM scratch).
 *
 * Blocks are handed out as Float32Array views, so ops on them need no copy. A block returns to
 * a free list (by size: training allocates the same sizes every batch) when its view is garbage
 * collected — keep the view `alloc` returned alive while any subarray of it is in use. The
 * return runs as a finalizer, on the event loop: code that loops synchronously (a loop of
 * predicts) must reuse its buffers (layers' Workspace, the model's batch buffers), or the memory
 * grows until the loop yields. Staged arrays (foreign arrays copied in for one op) are freed
 * synchronously, when the op ends or throws.
 *
 * Growth: a shared memory grows in place (old views stay valid, only `memory.buffer` is a new
 * object, so every buffer ever seen is remembered). A non-shared memory would detach every view
 * when it grows, so it is reserved at its full size up front and never grown; when it is full,
 * `alloc` hands out ordinary arrays, which ops copy in and out through scratch blocks.
 */
export class WasmHeap {
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  private top: number;
  private readonly free = new Map<number, number[]>();
  private readonly registry = new FinalizationRegistry<{ ptr: number; bytes: number }>((b) => {
    this.allocated -= b.bytes;
    this.release(b.ptr, b.bytes);
  });
  private readonly staged: Staged[] = [];
  private stagedCount = 0;
  /** Bytes handed to `alloc` callers (not scratch) so far. */
  private allocated = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly shared: boolean,
    start: number,
    /** Non-shared memory: the share of it `alloc` may use, the rest staying for scratch. */
    private readonly allocLimit: number,
  ) {
    this.current = memory.buffer;
    this.buffers.add(this.current);
    this.top = roundUp(start);
  }

  /** The memory's current buffer (a new object after a shared memory grew). */
  get buffer(): ArrayBufferLike {
    const b = this.memory.buffer;
    if (b !== this.current) {
      this.current = b;
      this.buffers.add(b);
    }
    return b;
  }

  /** A zero-filled float32 array: a view into wasm memory, or an ordinary array when it is full. */
  alloc(length: number): Float32Array {
    const bytes = roundUp(Math.max(length * 4, 4));
    const limited = !this.shared && this.allocated + bytes > this.allocLimit;
    const ptr = limited ? -1 : this.take(bytes);
    if (ptr < 0) return new Float32Array(length);
    this.allocated += bytes;
    const view = new Float32Array(this.buffer, ptr, length);
    view.fill(0);
    this.registry.register(view, { ptr, bytes });
    return view;
  }

  /** Whether `a` lives in wasm memory. */
  owns(a: AnyArray): boolean {
    const b = a.buffer;
    return b === this.current || this.buffers.has(b);
  }

  /** Byte address of a[offset], staging `a` into scratch when it is not in wasm memory. */
  f32(a: FloatArray, offset = 0, written = false): number {
    if (a instanceof Float32Array && this.owns(a)) return a.byteOffset + offset * 4;
    return this.stage(a, written) + offset * 4;
  }

  /** Byte address of an int32 array (ids, argmax), staged when needed. */
  i32(a: Int32Array, written = false): number {
    return this.owns(a) ? a.byteOffset : this.stage(a, written);
  }

  /** Byte address of a mask, or 0 for none. */
  u8(a: Uint8Array | null): number {
    if (a === null) return 0;
    return this.owns(a) ? a.byteOffset : this.stage(a, false);
  }

  /** After an op: copies staged outputs back and frees the scratch. */
  done(): void {
    this.unstage(true);
  }

  /**
   * After an op that threw: frees the scratch at once without copying a partial result back
   * (else the next op's done() would write it into the caller's arrays).
   */
  discard(): void {
    this.unstage(false);
  }

  private unstage(copyBack: boolean): void {
    for (let i = 0; i < this.stagedCount; i++) {
      const s = this.staged[i];
      if (copyBack && s.written) s.array.set(viewLike(s.array, this.buffer, s.ptr));
      this.release(s.ptr, s.bytes);
      s.array = EMPTY;
    }
    this.stagedCount = 0;
  }

  private stage(a: AnyArray, written: boolean): number {
    for (let i = 0; i < this.stagedCount; i++) {
      const s = this.staged[i];
      if (s.array === a) {
        s.written ||= written;
        return s.ptr;
      }
    }
    const elementBytes = a instanceof Uint8Array ? 1 : 4;
    const bytes = roundUp(Math.max(a.length * elementBytes, 4));
    const ptr = this.take(bytes);
    if (ptr < 0) {
      throw new Error(
        `gated wasm backend: out of memory staging an array of ${a.length} values ` +
          `(the wasm memory is ${this.memory.buffer.byteLength >> 20} MiB)`,
      );
    }
    viewLike(a, this.buffer, ptr).set(a);
    const entry = { array: a, ptr, bytes, written };
    if (this.stagedCount < this.staged.length) this.staged[this.stagedCount] = entry;
    else this.staged.push(entry);
    this.stagedCount++;
    return ptr;
  }

  /** A block of `bytes` from the free list or the top, growing a shared memory; −1 if full. */
  private take(bytes: number): number {
    const list = this.free.get(bytes);
    if (list !== undefined && list.length > 0) return list.pop() as number;
    const ptr = this.top;
    const end = ptr + bytes;
    const size = this.memory.buffer.byteLength;
    if (end > size) {
      if (!this.shared) return -1;
      try {
        this.memory.grow(Math.ceil((end - size) / PAGE));
      } catch {
        return -1;
      }
    }
    this.top = end;
    return ptr;
  }

  private release(ptr: number, bytes: number): void {
    let list = this.free.get(bytes);
    if (list === undefined) this.free.set(bytes, (list = []));
    list.push(ptr);
  }
}

const EMPTY = new Uint8Array(0);

function roundUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** A view of the same element type as `a` over wasm memory at ptr (float64 data becomes float32). */
function viewLike(a: AnyArray, buffer: ArrayBufferLike, ptr: number): AnyArray {
  if (a instanceof Int32Array) return new Int32Array(buffer, ptr, a.length);
  if (a instanceof Uint8Array) return new Uint8Array(buffer, ptr, a.length);
  return new Float32Array(buffer, ptr, a.length);
}
