import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { createWasmBackendOn, type WasmBackend } from './backend.js';
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

const WASM_DIR = new URL('../../../wasm/', import.meta.url);

let relaxedNoticeShown = false;

/** Compiles a kernel build; relaxed SIMD is behind a V8 flag in Node 20, set before validating. */
function compile(relaxed: boolean, shared: boolean): WebAssembly.Module | null {
  const bytes = readFileSync(new URL(wasmFileName(relaxed, shared), WASM_DIR));
  if (relaxed && !WebAssembly.validate(bytes)) {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (!WebAssembly.validate(bytes)) return null;
  }
  return new WebAssembly.Module(bytes);
}

/**
 * The wasm backend in Node: on shared memory (it grows in place, and threads need it), the caller
 * plus threads − 1 worker_threads helpers; synchronous: helpers join as they start. With
 * privateMemory, one thread on a reserved private memory (the browser's fallback).
 */
export function createWasmBackend(options: WasmOptions = {}): WasmBackend {
  const notice = (message: string) => {
    if (!options.quiet) process.stderr.write(`gated: ${message}\n`);
  };
  const { threads, simd } = wasmSettings(options, process.env, availableParallelism(), notice);
  const shared = options.privateMemory !== true;
  const fast = simd === 'plain' ? null : compile(true, shared);
  if (fast === null && simd === 'relaxed') {
    throw new Error('relaxed SIMD is not available in this engine');
  }
  if (fast === null && simd === 'auto' && !options.quiet && !relaxedNoticeShown) {
    relaxedNoticeShown = true;
    process.stderr.write('gated: relaxed SIMD unavailable; using the plain-SIMD wasm kernels\n');
  }
  const module = fast ?? (compile(false, shared) as WebAssembly.Module);
  const reserved = reservedPages(options.memoryMiB);
  const memory = shared
    ? new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: reserved, maximum: reserved });
  const kernels = new WebAssembly.Instance(module, kernelImports(memory))
    .exports as unknown as Kernels;
  return createWasmBackendOn({
    kernels,
    memory,
    shared,
    variant: fast !== null ? 'wasm-relaxed-simd' : 'wasm-simd',
    threads,
    canBlock: true,
    allocLimit: shared ? Infinity : reserved * PAGE_BYTES * ALLOC_SHARE,
    parallelWork: options.parallelWork,
    stallMs: options.stallMs,
    spawn: (setup) => {
      const worker = new Worker(new URL('./worker-node.js', import.meta.url), {
        workerData: { module, setup },
      });
      // Helpers must not keep the process alive once the program is done.
      worker.unref();
      return worker;
    },
  });
}
