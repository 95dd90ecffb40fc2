/**
 * Default layer names are Keras 3's (`keras.src.utils.naming.to_snake_case` of the class name),
 * since they name the tensors of weights.safetensors; files saved under the old names
 * (`conv1_d`) still load, and their checkpoints still resume.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { loadModel, saveModel } from '../../src/io/model-dir.js';
import * as layers from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tempDir } from '../helpers/imdb-fixture.js';

const backend = createReferenceBackend('float32');

/** Keras class → the name Keras gives its first instance (`keras.layers.X().name`). */
const KERAS_NAMES: [layers: () => { className: string }, keras: string][] = [
  [() => new layers.Embedding({ inputDim: 5, outputDim: 2 }), 'embedding'],
  [() => new layers.SimpleRNN({ units: 2 }), 'simple_rnn'],
  [() => new layers.LSTM({ units: 2 }), 'lstm'],
  [() => new layers.GRU({ units: 2 }), 'gru'],
  [() => new layers.Bidirectional({ layer: new layers.LSTM({ units: 2 }) }), 'bidirectional'],
  [() => new layers.Conv1D({ filters: 2, kernelSize: 2 }), 'conv1d'],
  [() => new layers.GlobalMaxPooling1D(), 'global_max_pooling1d'],
  [() => new layers.GlobalAveragePooling1D(), 'global_average_pooling1d'],
  [() => new layers.MaxPooling1D(), 'max_pooling1d'],
  [() => new layers.Dense({ units: 1 }), 'dense'],
  [() => new layers.Dropout({ rate: 0.5 }), 'dropout'],
  [() => new layers.EmbeddingBag({ inputDim: 5, units: 1 }), 'embedding_bag'],
  [
    () =>
      new layers.Parallel({
        branches: [[new layers.Dense({ units: 1 })], [new layers.Dense({ units: 1 })]],
      }),
    'parallel',
  ],
];

test('every layer class gets Keras default name, and every class is in the list', () => {
  for (const [make, keras] of KERAS_NAMES) {
    const model = new Sequential({ backend });
    const layer = make() as unknown as layers.Dense;
    model.add(layer);
    assert.equal(layer.name, keras, layer.className);
  }
  const classes = Object.keys(layers).filter((k) => /^[A-Z]/.test(k));
  assert.deepEqual(
    classes.sort(),
    KERAS_NAMES.map(([make]) => make().className).sort(),
    'a layer class without an expected name',
  );
});

test('a second Conv1D is conv1d_1, as in Keras', () => {
  const model = new Sequential({ backend });
  model.add(new layers.Conv1D({ filters: 2, kernelSize: 2 }));
  model.add(new layers.Conv1D({ filters: 2, kernelSize: 2 }));
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['conv1d', 'conv1d_1'],
  );
});

function cnn(names: { conv?: string; pool?: string } = {}): Sequential {
  const model = new Sequential({ seed: 2, backend });
  model.add(new layers.Embedding({ inputDim: 8, outputDim: 3 }));
  model.add(new layers.Conv1D({ filters: 2, kernelSize: 2, name: names.conv }));
  model.add(new layers.GlobalMaxPooling1D({ name: names.pool }));
  model.add(new layers.Dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  model.build([4]);
  return model;
}

test('a model saved under the old names (conv1_d) loads with its weights', async () => {
  const dir = await tempDir();
  const old = cnn({ conv: 'conv1_d', pool: 'global_max_pooling1_d' });
  await saveModel(old, dir);
  const { model } = await loadModel(dir, backend);
  assert.deepEqual(
    model.weights().map((w) => w.name),
    ['embedding/embeddings', 'conv1_d/kernel', 'conv1_d/bias', 'dense/kernel', 'dense/bias'],
  );
  assert.deepEqual(model.weights()[1].value.data, old.weights()[1].value.data);
});

test('a checkpoint written under the old names restores into a model built today', async () => {
  const path = join(await tempDir(), 'checkpoint.safetensors');
  const old = cnn({ conv: 'conv1_d' });
  const x = new Tensor(
    Float32Array.from({ length: 16 }, (_, i) => 1 + (i % 7)),
    [4, 4],
  );
  const y = new Tensor(Float32Array.from([0, 1, 0, 1]), [4, 1]);
  await old.fit(x, y, {
    epochs: 1,
    batchSize: 2,
    verbose: 0,
    callbacks: [{ onEpochEnd: () => saveCheckpoint(path, old, {}) }],
  });
  const today = cnn();
  restoreCheckpoint(path, today, await readCheckpoint(path));
  assert.equal(today.layers[1].name, 'conv1_d');
  assert.deepEqual(today.weights()[1].value.data, old.weights()[1].value.data);
});
