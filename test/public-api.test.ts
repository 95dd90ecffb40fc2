import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as gated from '../src/index.js';

test('the README example runs through the public API (synthetic data)', async () => {
  const { Sequential, layers, Tensor, createReferenceBackend } = gated;
  const model = new Sequential({ seed: 1, backend: createReferenceBackend() });
  model.add(new layers.Embedding({ inputDim: 20, outputDim: 4 }));
  model.add(new layers.LSTM({ units: 3 }));
  model.add(new layers.Dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  model.build([5]);
  assert.match(model.summary(), /Total params: 180 /); // 20·4 + 4·(4·3 + 3·3 + 3) + (3 + 1)
  const x = new Tensor(
    Float32Array.from({ length: 40 }, (_, i) => i % 20),
    [8, 5],
  );
  const y = new Tensor(
    Float32Array.from({ length: 8 }, (_, i) => i % 2),
    [8, 1],
  );
  const history = await model.fit(x, y, { batchSize: 4, epochs: 2, validationSplit: 0.25 });
  assert.equal(history.epochs.length, 2);
  assert.equal(model.predict(x).shape.join(), '8,1');
});

test('the package exports every layer and the main entry points', () => {
  for (const name of [
    'Embedding',
    'SimpleRNN',
    'LSTM',
    'GRU',
    'Bidirectional',
    'Conv1D',
    'MaxPooling1D',
    'GlobalMaxPooling1D',
    'GlobalAveragePooling1D',
    'Dense',
    'Dropout',
    'Parallel',
  ]) {
    assert.equal(typeof (gated.layers as Record<string, unknown>)[name], 'function', name);
  }
  for (const name of [
    'Sequential',
    'loadImdb',
    'saveModel',
    'loadModel',
    'SentimentClassifier',
    'TextClassifier',
    'EnsembleClassifier',
    'saveEnsemble',
    'loadEnsemble',
    'loadClassifier',
    'TextVectorization',
    'loadTextDataset',
    'Adam',
    'SGD',
    'RMSprop',
    'Vocabulary',
  ]) {
    assert.equal(typeof (gated as Record<string, unknown>)[name], 'function', name);
  }
});

test('the package exports the Keras callbacks and the checkpoint functions', () => {
  for (const name of [
    'EarlyStopping',
    'ModelCheckpoint',
    'ReduceLROnPlateau',
    'CSVLogger',
    'LearningRateScheduler',
  ])
    assert.equal(typeof (gated.callbacks as Record<string, unknown>)[name], 'function', name);
  for (const name of ['saveCheckpoint', 'readCheckpoint', 'restoreCheckpoint', 'writeRunReport'])
    assert.equal(typeof (gated as Record<string, unknown>)[name], 'function', name);
});

test("the package exports matrix(): a backend's gemm through the public API, by hand", () => {
  const be = gated.createReferenceBackend();
  const a = Float64Array.of(1, 2, 3, 4, 5, 6); // [[1, 2, 3], [4, 5, 6]]
  const b = Float64Array.of(1, 0, 0, 1, 1, 1); // [[1, 0], [0, 1], [1, 1]]
  const c = new Float64Array(4);
  be.gemm(gated.matrix(a, 2, 3), gated.matrix(b, 3, 2), gated.matrix(c, 2, 2), 0);
  assert.deepEqual([...c], [4, 5, 10, 11]);
  // aᵀ·a' where a' is a's first two columns (stride 3): [[1, 4], [2, 5], [3, 6]]·[[1, 2], [4, 5]]
  const d = new Float64Array(6);
  const aT = gated.matrix(a, 2, 3, { transposed: true });
  be.gemm(aT, gated.matrix(a, 2, 2, { stride: 3 }), gated.matrix(d, 3, 2), 0);
  assert.deepEqual([...d], [17, 22, 22, 29, 27, 36]);
});
