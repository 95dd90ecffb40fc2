import { createWasmBackendOn, type WasmBackend } from './backend.js';
import type { HelperSetup } from './helper-loop.js';
import { kernelImports, type Kernels } from './kernels.js';
import {
  ALLOC_SHARE,
  MAX_PAGES,
  PAGE_BYTES,
  reservedPages,
  wasmFileName,
  wasmSettings,
  type WasmOptions,
} from './options.js';

export interface WebWasmOptions extends WasmOptions {
  /** Where the .wasm files are served. Default: next to this script. */
  baseUrl?: string | URL;
  /** The helper script (gated-worker.js). Default: next to this script. */
  workerUrl?: string | URL;
}

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`gated: cannot fetch ${url} (HTTP ${response.status})`);
  return response.arrayBuffer();
}

/**
 * The wasm backend in a browser (or a Web Worker). Threads need shared memory, which browsers
 * give only to cross-origin isolated pages (COOP/COEP headers): without it the backend runs on
 * one thread over a private memory, reserved at its full size since growing would detach views.
 */
export async function loadWasmBackend(options: WebWasmOptions = {}): Promise<WasmBackend> {
  const base = new URL(options.baseUrl ?? './', import.meta.url);
  const notice = (message: string) => {
    if (!options.quiet) console.warn(`gated: ${message}`);
  };
  const isolated = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated;
  const shared = isolated === true;
  const { threads: wanted, simd } = wasmSettings(
    options,
    {},
    navigator.hardwareConcurrency || 1,
    notice,
  );
  if (!shared && wanted > 1) {
    notice('no cross-origin isolation (SharedArrayBuffer unavailable): wasm runs on one thread');
  }
  let relaxed = simd !== 'plain';
  let bytes = await fetchBytes(new URL(wasmFileName(relaxed, shared), base));
  if (relaxed && !WebAssembly.validate(bytes)) {
    if (simd === 'relaxed') throw new Error('relaxed SIMD is not available in this browser');
    notice('relaxed SIMD unavailable; using the plain-SIMD wasm kernels');
    relaxed = false;
    bytes = await fetchBytes(new URL(wasmFileName(false, shared), base));
  }
  const module = await WebAssembly.compile(bytes);
  const reserved = reservedPages(options.memoryMiB);
  const memory = shared
    ? new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: reserved, maximum: reserved });
  const instance = await WebAssembly.instantiate(module, kernelImports(memory));
  const workerUrl = new URL(options.workerUrl ?? './gated-worker.js', import.meta.url);
  return createWasmBackendOn({
    kernels: instance.exports as unknown as Kernels,
    memory,
    shared,
    variant: relaxed ? 'wasm-relaxed-simd' : 'wasm-simd',
    threads: shared ? wanted : 1,
    // A window's main thread may not block in Atomics.wait; a worker may.
    canBlock: typeof document === 'undefined',
    allocLimit: reserved * PAGE_BYTES * ALLOC_SHARE,
    parallelWork: options.parallelWork,
    spawn: (setup: HelperSetup) => {
      const worker = new Worker(workerUrl, { type: 'module' });
      worker.postMessage({ module, setup });
      return worker;
    },
  });
}
