import { after } from 'node:test';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { runConformance } from './conformance.js';

// Both kernel builds (fused multiply-add and plain SIMD), on the caller alone and with a helper
// thread (waited for, so every shared op really is split).
const made: WasmBackend[] = [];
for (const simd of ['relaxed', 'plain'] as const) {
  for (const threads of [1, 2]) {
    // The seed shapes (big GEMMs) once per build: the kernels are the same code at every size.
    const seedShapes = threads === 2;
    const create = (count: number) => () => {
      const backend = createWasmBackend({ simd, threads: count, quiet: true });
      if (backend.waitForThreads() !== backend.threads)
        throw new Error('helper threads did not start');
      made.push(backend);
      return backend;
    };
    runConformance(`wasm ${simd} SIMD, ${threads} thread(s)`, create(threads), {
      seedShapes,
      oneThread: threads === 2 ? create(1) : undefined,
    });
  }
}
// A browser page without cross-origin isolation: one thread on a private, reserved memory.
runConformance(
  'wasm private memory',
  () => createWasmBackend({ privateMemory: true, quiet: true }),
  { seedShapes: false },
);
after(() => made.forEach((b) => b.close()));
