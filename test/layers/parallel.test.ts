import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { exportKeras, KerasExportError } from '../../src/interop/keras/export.js';
import { exportOnnx } from '../../src/interop/onnx/export.js';
import { exportPytorch } from '../../src/interop/pytorch/export.js';
import { loadModel, saveModel } from '../../src/io/model-dir.js';
import { Conv1D } from '../../src/layers/conv1d.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Embedding } from '../../src/layers/embedding.js';
import { Parallel } from '../../src/layers/parallel.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../../src/layers/pooling.js';
import { layerFromConfig } from '../../src/layers/registry.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

/** Saved weights are float32: the round trip is exact on a float32 backend. */
const f32 = createReferenceBackend('float32');
const inference = { training: false, mask: null, rng: new Rng(0) };
const root = mkdtempSync(join(tmpdir(), 'gated-parallel-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Kim's block in small: Conv1D widths 2 and 3 (tanh: smooth for finite differences), pooled. */
function kimBlock(): Parallel {
  return new Parallel({
    branches: [
      [new Conv1D({ filters: 2, kernelSize: 2, activation: 'tanh' }), new GlobalMaxPooling1D({})],
      [
        new Conv1D({ filters: 3, kernelSize: 3, activation: 'tanh' }),
        new Dropout({ rate: 0.3 }),
        new GlobalAveragePooling1D({}),
      ],
    ],
  });
}

describe('Parallel', () => {
  it('names sub-layers as Keras would and their weights <sub-layer>/<weight>', () => {
    const block = kimBlock();
    block.build([5, 4], f64, new Rng(1));
    assert.deepEqual(
      block.params().map((p) => p.name),
      ['conv1d/kernel', 'conv1d/bias', 'conv1d_1/kernel', 'conv1d_1/bias'],
    );
    assert.equal(block.params(), block.params(), 'the same Param objects every call');
    assert.equal(block.countParams(), 2 * 4 * 2 + 2 + 3 * 4 * 3 + 3);
  });

  it('concatenates the branch outputs on the last axis, row by row', () => {
    const block = kimBlock();
    block.build([6, 4], f64, new Rng(2));
    const x = randomTensor([3, 6, 4], new Rng(3));
    const y = block.forward(x, inference);
    assert.deepEqual(y.shape, [3, 5]);
    assert.deepEqual(block.outputShape([6, 4]), [5]);
    const y0 = Float64Array.from(y.data);
    // Each branch run on its own (the same sub-layers, so the same weights).
    const run = (i: number) =>
      block.branches[i].reduce((t: Tensor, l) => l.forward(t, inference), x).data;
    const [a, b] = [Float64Array.from(run(0)), Float64Array.from(run(1))];
    for (let r = 0; r < 3; r++) {
      assert.deepEqual([...y0.subarray(r * 5, r * 5 + 2)], [...a.subarray(r * 2, r * 2 + 2)]);
      assert.deepEqual([...y0.subarray(r * 5 + 2, r * 5 + 5)], [...b.subarray(r * 3, r * 3 + 3)]);
    }
  });

  it('backward matches finite differences (pooled branches, dropout in training)', () => {
    const block = kimBlock();
    block.build([6, 3], f64, new Rng(4));
    checkLayerGradients(block, randomTensor([2, 6, 3], new Rng(5)));
  });

  it('backward matches finite differences on sequence outputs', () => {
    const block = new Parallel({
      branches: [
        [new Conv1D({ filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh' })],
        [new Dense({ units: 3, activation: 'sigmoid' })],
        [new Dropout({ rate: 0.5 })],
      ],
    });
    block.build([4, 3], f64, new Rng(6));
    assert.deepEqual(block.outputShape([4, 3]), [4, 8]);
    checkLayerGradients(block, randomTensor([2, 4, 3], new Rng(7)));
  });

  it('passes the input mask on, and ANDs nothing into it', () => {
    const embedding = new Embedding({ inputDim: 10, outputDim: 3, maskZero: true });
    embedding.build([4], f64, new Rng(1));
    const block = new Parallel({
      branches: [[new Dense({ units: 2 })], [new Dense({ units: 1 })]],
    });
    block.build([4, 3], f64, new Rng(1));
    const ids = new Tensor(Float64Array.from([0, 0, 3, 4]), [1, 4]);
    const mask = embedding.computeMask(ids);
    block.forward(embedding.forward(ids, inference), { ...inference, mask });
    assert.equal(block.computeMask(), mask);
  });

  it('rebuilds from its config with the same outputs', () => {
    const block = kimBlock();
    block.build([6, 4], f64, new Rng(8));
    const copy = layerFromConfig('Parallel', JSON.parse(JSON.stringify(block.getConfig())));
    copy.build([6, 4], f64, new Rng(99));
    assert.deepEqual(copy.getConfig(), block.getConfig());
    copy.params().forEach((p, i) => p.value.data.set(block.params()[i].value.data));
    const x = randomTensor([2, 6, 4], new Rng(9));
    assert.deepEqual([...copy.forward(x, inference).data], [...block.forward(x, inference).data]);
  });

  it('refuses bad branches with a message naming the problem', () => {
    const conv = () => new Conv1D({ filters: 1, kernelSize: 2 });
    assert.throws(
      () => new Parallel({ branches: [[conv()]] }),
      /Parallel: branches must be two or more non-empty lists of layers/,
    );
    assert.throws(() => new Parallel({ branches: [[conv()], []] }), /non-empty lists/);
    assert.throws(
      () => new Parallel({ branches: [[conv()], [{} as never]] }),
      /non-empty lists of layers/,
    );
    assert.throws(
      () =>
        new Parallel({
          branches: [[new Dense({ units: 1, name: 'a' })], [new Dense({ units: 1, name: 'a' })]],
        }),
      /duplicate layer name 'a'/,
    );
    assert.throws(
      () => new Parallel({ branches: [[conv()], [conv()]], extra: 1 } as never),
      /unknown option 'extra'/,
    );
    const mismatched = new Parallel({
      branches: [[new Conv1D({ filters: 1, kernelSize: 3 })], [new Dense({ units: 1 })]],
    });
    assert.throws(
      () => mismatched.build([5, 2], f64, new Rng(1)),
      /branch outputs must agree on every axis but the last, got \[3, 1\] and \[5, 1\]/,
    );
    assert.throws(
      () => layerFromConfig('Parallel', { branches: [[{ className: 'Dense' }]] }),
      /branches must be lists of \{className, config\} layers/,
    );
    assert.throws(
      () =>
        layerFromConfig('Parallel', {
          branches: [
            [{ className: 'Nope', config: {} }],
            [{ className: 'Dense', config: { units: 1 } }],
          ],
        }),
      /unknown layer class 'Nope'/,
    );
  });
});

describe('cnn-multi (Embedding → Parallel of Conv1D widths 3, 4, 5 → Dropout → Dense)', () => {
  const model = () =>
    buildSentimentModel({
      architecture: 'cnn-multi',
      numWords: 30,
      maxlen: 9,
      embeddingDim: 4,
      units: 1,
      filters: 2,
      seed: 3,
      backend: f32,
    });

  it('saves and loads with the same weights and predictions', async () => {
    const m = model();
    m.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const x = new Tensor(
      Float32Array.from({ length: 27 }, (_, i) => (i * 7) % 30),
      [3, 9],
    );
    m.trainOnBatch(x, new Tensor(Float32Array.from([1, 0, 1]), [3, 1]));
    const dir = join(root, 'cnn-multi');
    await saveModel(m, dir);
    const { model: loaded } = await loadModel(dir, f32);
    assert.deepEqual(
      loaded.layers.map((l) => l.className),
      ['Embedding', 'Parallel', 'Dropout', 'Dense'],
    );
    assert.deepEqual(
      loaded.weights().map((w) => w.name),
      m.weights().map((w) => w.name),
    );
    assert.ok(loaded.weights().some((w) => w.name === 'parallel/conv1d_2/kernel'));
    assert.deepEqual([...loaded.predict(x).data], [...m.predict(x).data]);
  });

  it('export to Keras, ONNX and PyTorch is refused, never a different model', async () => {
    const m = model();
    await assert.rejects(
      exportKeras(m),
      (err: Error) =>
        err instanceof KerasExportError &&
        /layer 'parallel' \(Parallel\) has no Keras Sequential equivalent/.test(err.message),
    );
    assert.throws(() => exportOnnx(m), /layer 'parallel' \(Parallel\) has no ONNX export/);
    assert.throws(() => exportPytorch(m), /layer 'parallel' \(Parallel\) has no PyTorch export/);
  });
});
