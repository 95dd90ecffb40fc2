/** How to set up the wasm backend (every field optional). */
export interface WasmOptions {
  /** Threads including the caller; default GATED_THREADS, else all cores. 1 on private memory. */
  threads?: number;
  /** Kernel build: 'auto' (relaxed SIMD where the engine has it), or force one. */
  simd?: 'auto' | 'relaxed' | 'plain';
  /**
   * Node: run on a private (non-shared) memory, one thread, as a browser page without
   * cross-origin isolation does. Default false.
   */
  privateMemory?: boolean;
  /** Private (non-shared) memory only: MiB reserved up front (it never grows). Default 512. */
  memoryMiB?: number;
  /**
   * Multiply-adds below which an op runs on the caller alone (a hand-off costs ~1–3 µs).
   * Default 65536; 0 splits every op (for tests).
   */
  parallelWork?: number;
  /**
   * Milliseconds to wait for parts other threads hold before a task fails as stalled (a helper
   * thread died or stopped). Default 120000.
   */
  stallMs?: number;
  /** Print no notice when falling back to plain SIMD or to one thread. */
  quiet?: boolean;
}

/** Largest memory: 4 GiB, all a 32-bit wasm memory can address (reserved, not committed). */
export const MAX_PAGES = 65536;
export const PAGE_BYTES = 65536;

/** Part of a private memory alloc may hand out; the rest is scratch for copying arrays in. */
export const ALLOC_SHARE = 0.75;

/** Pages of a private memory reserved for `memoryMiB`. */
export function reservedPages(memoryMiB = 512): number {
  return Math.ceil((memoryMiB * 2 ** 20) / PAGE_BYTES);
}

export function wasmFileName(relaxed: boolean, shared: boolean): string {
  return `gated-${relaxed ? 'relaxed' : 'simd'}${shared ? '-mt' : ''}.wasm`;
}

/** A positive integer thread count from an option or environment string, else `fallback`. */
export function threadCount(value: number | string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`threads must be a positive integer, got '${String(value)}'`);
  }
  return n;
}
