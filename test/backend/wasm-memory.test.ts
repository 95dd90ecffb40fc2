/**
 * The wasm backend's memory: alloc hands out views into wasm memory; a shared memory grows in
 * place without detaching them; a private memory never grows (so nothing detaches) and, when
 * full, alloc hands out ordinary arrays that ops copy in and out. Ops on arrays from outside
 * (user tensors) work in both. A synchronous loop of predicts does not grow it; an op that throws
 * frees its staging at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { WasmHeap } from '../../src/backend/wasm/heap.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { LSTM } from '../../src/layers/lstm.js';
import { Sequential } from '../../src/models/sequential.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { matrix } from '../../src/backend/core-ops.js';

/** C = A·B for 3×3 matrices with the backend, compared with the obvious loop. */
function checkGemm(backend: Backend, a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < 9; i++) [a[i], b[i]] = [i + 1, 9 - i];
  backend.gemm(matrix(a, 3, 3), matrix(b, 3, 3), matrix(c, 3, 3), 0);
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

/** A small LSTM classifier on `be` (ids below 50, 30 steps). */
function smallModel(be: Backend): Sequential {
  const model = new Sequential({ seed: 3, backend: be });
  model
    .add(new Embedding({ inputDim: 50, outputDim: 8 }))
    .add(new LSTM({ units: 8 }))
    .add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.build([30]);
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  return model;
}

test('a synchronous loop of predicts and evaluates allocates nothing and keeps memory flat', () => {
  // A block returns to the heap only when the event loop runs its view's finalizer, so every
  // allocation in a loop that never yields stays: 100k single-review predicts grew wasm memory
  // 4 → 31 MB. Predict and evaluate now reuse their batch buffers and return ordinary arrays.
  const backend = createWasmBackend({ threads: 1, quiet: true });
  try {
    let allocs = 0;
    const counting: Backend = {
      ...backend,
      alloc: (n) => {
        allocs++;
        return backend.alloc(n);
      },
    };
    const model = smallModel(counting);
    const rng = new Rng(5);
    const x = new Tensor(
      Float32Array.from({ length: 16 * 30 }, () => 1 + rng.int(49)),
      [16, 30],
    );
    const y = new Tensor(
      Float32Array.from({ length: 16 }, () => rng.int(2)),
      [16, 1],
    );
    const first = model.predict(x).data.slice();
    model.evaluate(x, y);
    const [allocsBefore, bytesBefore] = [allocs, backend.memory.buffer.byteLength];
    // 16 × 30 ids per call: 2000 calls that each allocated would add ~4 MB.
    for (let i = 0; i < 2000; i++) {
      assert.deepEqual(model.predict(x).data, first);
      if (i % 100 === 0) model.evaluate(x, y);
    }
    assert.equal(allocs, allocsBefore, 'no backend allocation after the first calls');
    assert.equal(backend.memory.buffer.byteLength, bytesBefore, 'wasm memory did not grow');
  } finally {
    backend.close();
  }
});

test('an op that throws frees what it staged and copies nothing back', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const heap = new WasmHeap(memory, true, 1024, Infinity);
  const out = Float32Array.of(1, 2, 3);
  const ptr = heap.f32(out, 0, true);
  new Float32Array(memory.buffer, ptr, 3).fill(9); // a partial result
  heap.discard();
  heap.done(); // the next op: nothing left to copy back
  assert.deepEqual([...out], [1, 2, 3]);
  assert.equal(heap.f32(new Float32Array(3), 0), ptr, 'the scratch block is free again');
  heap.done();
});
