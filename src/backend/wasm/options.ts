import { MAX_THREADS } from './codes.js';
import { resolveChoice, resolveThreads } from '../settings.js';

export const SIMD_CHOICES = ['auto', 'relaxed', 'plain'] as const;

/** How to set up the wasm backend (every field optional). */
export interface WasmOptions {
  /**
   * Threads including the caller; default GATED_THREADS, else all cores; at most the cores and
   * MAX_THREADS (a larger count is clamped with a notice). 1 on private memory.
   */
  threads?: number;
  /** Allow more threads than cores (up to MAX_THREADS): tests that provoke preemption. */
  oversubscribe?: boolean;
  /** Kernel build: 'auto' (relaxed SIMD where the engine has it), or force one. */
  simd?: (typeof SIMD_CHOICES)[number];
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

/**
 * The wasm settings from the options, else the environment (GATED_THREADS, GATED_WASM_SIMD),
 * validated (BackendSettingsError) before anything loads. `cores`: the machine's.
 */
export function wasmSettings(
  options: WasmOptions,
  env: { GATED_THREADS?: string; GATED_WASM_SIMD?: string },
  cores: number,
  notice: (message: string) => void,
): { threads: number; simd: (typeof SIMD_CHOICES)[number] } {
  const source = options.threads !== undefined ? 'threads' : 'GATED_THREADS';
  const limits = { cores, max: MAX_THREADS, backend: 'wasm', oversubscribe: options.oversubscribe };
  const threads = resolveThreads(options.threads ?? env.GATED_THREADS, source, limits, notice);
  const simd =
    options.simd !== undefined
      ? resolveChoice(options.simd, 'simd', SIMD_CHOICES)
      : resolveChoice(env.GATED_WASM_SIMD, 'GATED_WASM_SIMD', SIMD_CHOICES);
  return { threads, simd: simd ?? 'auto' };
}
