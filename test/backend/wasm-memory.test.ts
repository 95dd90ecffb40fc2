/**
 * The wasm backend's memory: alloc hands out views into wasm memory; a shared memory grows in
 * place without detaching them; a private memory never grows (so nothing detaches) and, when
 * full, alloc hands out ordinary arrays that ops copy in and out. Ops on arrays from outside
 * (user tensors) work in both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';

/** C = A·B for 3×3 matrices with the backend, compared with the obvious loop. */
function checkGemm(backend: Backend, a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < 9; i++) [a[i], b[i]] = [i + 1, 9 - i];
  backend.gemm(false, false, 3, 3, 3, a, 0, 3, b, 0, 3, c, 0, 3, 0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let p = 0; p < 3; p++) s += a[i * 3 + p] * b[p * 3 + j];
      assert.equal(c[i * 3 + j], s);
    }
  }
}

test('shared memory grows in place: earlier views stay attached and usable', () => {
  const backend = createWasmBackend({ threads: 1, quiet: true });
  try {
    const first = backend.alloc(9);
    first.fill(2.5);
    const before = backend.memory.buffer.byteLength;
    const big = backend.alloc(16 << 20); // 64 MiB: more than the initial memory
    assert.ok(backend.memory.buffer.byteLength > before, 'the memory grew');
    assert.equal(first.length, 9, 'the first view is not detached');
    assert.deepEqual([...first], Array(9).fill(2.5));
    assert.equal(big[big.length - 1], 0);
    checkGemm(backend, first, backend.alloc(9), big);
  } finally {
    backend.close();
  }
});

test('private memory never grows; when full, alloc gives ordinary arrays that ops still take', () => {
  const backend = createWasmBackend({ privateMemory: true, memoryMiB: 8, quiet: true });
  assert.equal(backend.threads, 1);
  const size = backend.memory.buffer.byteLength;
  const inside = backend.alloc(9);
  const blocks = Array.from({ length: 4 }, () => backend.alloc(1 << 20)); // 16 MiB asked
  assert.equal(backend.memory.buffer.byteLength, size, 'the memory did not grow');
  assert.equal(inside.buffer, backend.memory.buffer, 'the first array lives in wasm memory');
  const outside = blocks.filter((b) => b.buffer !== backend.memory.buffer);
  assert.ok(outside.length > 0, 'past the reserve, arrays come from the JS heap');
  assert.equal(inside.length, 9, 'nothing detached');
  checkGemm(backend, inside, outside[0].subarray(0, 9), new Float32Array(9));
});

test('user arrays (not from alloc) work as inputs and outputs on shared memory', () => {
  const backend = createWasmBackend({ threads: 1, quiet: true });
  try {
    checkGemm(backend, new Float32Array(9), new Float32Array(9), new Float32Array(9));
    const ids = Int32Array.from([2, 0, 2]);
    const table = Float32Array.from({ length: 12 }, (_, i) => i);
    const out = new Float32Array(12);
    backend.gather(table, 4, ids, out);
    assert.deepEqual([...out], [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);
  } finally {
    backend.close();
  }
});
