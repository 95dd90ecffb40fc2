/**
 * Adam with lazyEmbeddings (TensorFlow Addons' LazyAdam): only the embedding rows of the batch get
 * new m, v and weights, with the bias corrections of the global step; every other row keeps all
 * three. Checked against the LazyAdam formulas written out here, and against dense Adam.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { BACKEND_NAMES, createBackend } from '../../src/backend/registry.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { zeroGrad, type Param } from '../../src/layers/layer.js';
import { GlobalAveragePooling1D } from '../../src/layers/pooling.js';
import { TouchedRows } from '../../src/layers/touched-rows.js';
import { Sequential } from '../../src/models/sequential.js';
import { Adam, getOptimizer } from '../../src/optim/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64 } from '../helpers/gradcheck.js';

const [B1, B2, EPS, LR] = [0.9, 0.999, 1e-7, 0.1];

/** A rows × 2 table with the given weights and touched-row bookkeeping, on `backend`. */
function table(backend: Backend, values: number[]): Param & { touchedRows: TouchedRows } {
  const rows = values.length / 2;
  const value = backend.alloc(values.length);
  value.set(values);
  return {
    name: 'embeddings',
    value: new Tensor(value, [rows, 2]),
    grad: new Tensor(backend.alloc(values.length), [rows, 2]),
    touchedRows: new TouchedRows(rows, 2),
  };
}

/** One batch: zero the gradient, then write each (row, [g0, g1]) as an Embedding backward would. */
function batch(p: Param & { touchedRows: TouchedRows }, grads: Map<number, number[]>): void {
  zeroGrad(p);
  p.touchedRows.add(Int32Array.from(grads.keys()));
  for (const [row, g] of grads) p.grad.data.set(g, row * 2);
}

/** LazyAdam's update of one touched value (TensorFlow Addons' _resource_apply_sparse). */
function lazyAdam(w: number, m: number, v: number, g: number, t: number) {
  const lr = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
  const m1 = B1 * m + (1 - B1) * g;
  const v1 = B2 * v + (1 - B2) * g * g;
  return { w: w - (lr * m1) / (Math.sqrt(v1) + EPS), m: m1, v: v1 };
}

describe('Adam with lazyEmbeddings', () => {
  it('updates only the rows of the batch, with the global step’s bias correction', () => {
    const w0 = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8];
    const p = table(f64, w0);
    const adam = new Adam({ learningRate: LR, lazyEmbeddings: true });
    // Step 1 touches rows 1 and 3; step 2 rows 0 and 1 (row 0 for the first time, at t = 2).
    const g1 = new Map([
      [1, [0.5, -1]],
      [3, [2, 0.25]],
    ]);
    const g2 = new Map([
      [0, [-0.3, 0.8]],
      [1, [0.1, 0.4]],
    ]);
    batch(p, g1);
    adam.apply([p], f64);
    batch(p, g2);
    adam.apply([p], f64);

    const want = w0.map((w) => ({ w, m: 0, v: 0 }));
    for (const [t, grads] of [
      [1, g1],
      [2, g2],
    ] as const) {
      for (const [row, g] of grads) {
        for (const j of [0, 1]) {
          const s = want[row * 2 + j];
          want[row * 2 + j] = lazyAdam(s.w, s.m, s.v, g[j], t);
        }
      }
    }
    const { step, slots } = adam.getState();
    assert.equal(step, 2);
    const [m, v] = slots[0];
    want.forEach((s, i) => {
      assert.ok(Math.abs(p.value.data[i] - s.w) < 1e-12, `w[${i}] ${p.value.data[i]} vs ${s.w}`);
      assert.ok(Math.abs(m[i] - s.m) < 1e-12, `m[${i}] ${m[i]} vs ${s.m}`);
      assert.ok(Math.abs(v[i] - s.v) < 1e-12, `v[${i}] ${v[i]} vs ${s.v}`);
    });
    // Row 2 was never in a batch, row 3 not in the second: weight, m and v exactly as they were.
    assert.deepEqual([...p.value.data.slice(4, 6)], w0.slice(4, 6));
    assert.deepEqual([...m.slice(4, 6), ...v.slice(4, 6)], [0, 0, 0, 0]);
    const row3 = lazyAdam(w0[6], 0, 0, 2, 1);
    assert.equal(m[6], row3.m);
    assert.equal(v[6], row3.v);
    assert.equal(p.value.data[6], row3.w);

    // Dense Adam moves row 3 at step 2 (its m decays): the lazy result is not the dense one.
    const dense = table(f64, w0);
    const adamDense = new Adam({ learningRate: LR });
    for (const grads of [g1, g2]) {
      batch(dense, grads);
      adamDense.apply([dense], f64);
    }
    assert.notEqual(dense.value.data[6], p.value.data[6]);
    assert.equal(dense.value.data[4], w0[4]); // a zero gradient and zero moments: no move
  });

  for (const name of BACKEND_NAMES) {
    it(`${name}: equals dense Adam bit for bit when every row is in the batch`, () => {
      const backend = createBackend(name);
      const rng = new Rng(7);
      const w0 = Array.from({ length: 2 * 37 }, () => rng.next() - 0.5);
      const [lazy, dense] = [table(backend, w0), table(backend, w0)];
      const optimizers = [new Adam({ lazyEmbeddings: true }), new Adam()];
      for (let s = 0; s < 3; s++) {
        // Every row, in a shuffled order, some twice (as ids repeat in a batch).
        const ids = Array.from({ length: 80 }, (_, i) => (i < 37 ? (i * 11) % 37 : rng.int(37)));
        const grads = new Map(ids.map((id) => [id, [rng.next() - 0.5, rng.next() - 0.5]]));
        [lazy, dense].forEach((p, i) => {
          batch(p, grads);
          optimizers[i].apply([p], backend);
        });
      }
      assert.deepEqual([...lazy.value.data], [...dense.value.data]);
      assert.deepEqual(optimizers[0].getState().slots, optimizers[1].getState().slots);
    });
  }

  it('trains an Embedding model: rows absent from the batches keep weight, m and v', () => {
    const model = new Sequential({ seed: 3, backend: f64 });
    model.add(new Embedding({ inputDim: 20, outputDim: 3 }));
    model.add(new GlobalAveragePooling1D());
    model.add(new Dense({ units: 1, activation: 'sigmoid' }));
    model.build([4]);
    model.compile({
      optimizer: new Adam({ lazyEmbeddings: true }),
      loss: 'binary_crossentropy',
    });
    const before = [...model.params()[0].value.data];
    const x = new Tensor(Float64Array.of(1, 2, 2, 5, 7, 1, 9, 9), [2, 4]);
    const y = new Tensor(Float64Array.of(1, 0), [2, 1]);
    model.trainOnBatch(x, y);
    model.trainOnBatch(x, y);
    const used = new Set([1, 2, 5, 7, 9]);
    const after = model.params()[0].value.data;
    const [m, v] = model.optimizer.getState().slots[0];
    for (let row = 0; row < 20; row++) {
      for (let j = 0; j < 3; j++) {
        const i = row * 3 + j;
        if (used.has(row)) {
          assert.notEqual(after[i], before[i], `row ${row} moved`);
          assert.ok(v[i] > 0, `row ${row} has a second moment`);
        } else {
          assert.equal(after[i], before[i], `row ${row} kept its weight`);
          assert.equal(m[i], 0);
          assert.equal(v[i], 0);
        }
      }
    }
    // The next zeroGrad leaves the whole table gradient at zero.
    zeroGrad(model.params()[0]);
    assert.ok(model.params()[0].grad.data.every((g) => g === 0));
  });

  it('is saved in the config only when set, and rebuilt from it', () => {
    assert.equal('lazyEmbeddings' in new Adam().getConfig(), false);
    const lazy = new Adam({ learningRate: 0.01, lazyEmbeddings: true });
    assert.equal(lazy.getConfig().lazyEmbeddings, true);
    const rebuilt = getOptimizer(lazy.getConfig());
    assert.ok(rebuilt instanceof Adam && rebuilt.lazyEmbeddings);
    assert.deepEqual(rebuilt.getConfig(), lazy.getConfig());
    assert.throws(
      () => new Adam({ lazyEmbeddings: 'yes' as never }),
      /Adam: lazyEmbeddings must be a boolean, got yes/,
    );
  });
});

describe('TouchedRows', () => {
  it('lists distinct rows in ascending order and zeroes only those', () => {
    const rows = new TouchedRows(6, 2);
    rows.add(Int32Array.of(4, 1, 4));
    assert.deepEqual([...rows.ids], [1, 4]);
    rows.add(Int32Array.of(1, 0));
    assert.deepEqual([...rows.ids], [0, 1, 4]);
    const grad = new Float64Array(12).fill(0);
    for (const r of [4, 1, 0]) grad.fill(r + 1, r * 2, r * 2 + 2);
    rows.zero(grad); // half the rows listed: one fill of the whole gradient
    assert.deepEqual([...grad], new Array(12).fill(0));
    assert.deepEqual([...rows.ids], []);
    rows.add(Int32Array.of(4));
    assert.deepEqual([...rows.ids], [4]);
    // An eighth of the rows or fewer: only those are zeroed.
    const sparse = new TouchedRows(16, 2);
    sparse.add(Int32Array.of(9, 2));
    const sparseGrad = new Float64Array(32).fill(7);
    sparse.zero(sparseGrad);
    assert.deepEqual(
      [...sparseGrad]
        .map((v, i) => [i, v])
        .filter(([, v]) => v === 0)
        .map(([i]) => i),
      [4, 5, 18, 19],
    );
    sparse.add(Int32Array.of(3));
    assert.deepEqual([...sparse.ids], [3]);
    // A few rows of a large table (sorted, not found by a pass over every row).
    const large = new TouchedRows(100000, 1);
    large.add(Int32Array.of(99999, 7, 512, 7, 3));
    assert.deepEqual([...large.ids], [3, 7, 512, 99999]);
  });
});
