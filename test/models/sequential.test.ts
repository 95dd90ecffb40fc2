import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { loadModel, saveModel } from '../../src/io/model-dir.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { LSTM } from '../../src/layers/lstm.js';
import { Sequential } from '../../src/models/sequential.js';
import { Adam } from '../../src/optim/index.js';
import { Rng } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const backend = createReferenceBackend('float32');

/** Label = whether the FIRST token is 4; 14 random distractor tokens follow it. */
function firstTokenTask(n: number, steps: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * steps);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x[i * steps] = 3 + y[i];
    for (let t = 1; t < steps; t++) x[i * steps + t] = 5 + rng.int(5);
  }
  return { x: new Tensor(x, [n, steps]), y: new Tensor(y, [n, 1]) };
}

function smallLstm(seed: number): Sequential {
  const model = new Sequential({ seed, backend });
  model.add(new Embedding({ inputDim: 10, outputDim: 8 }));
  model.add(new LSTM({ units: 16 }));
  model.add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.compile({
    optimizer: new Adam({ learningRate: 0.02 }),
    loss: 'binary_crossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

test('an LSTM learns a task only a recurrent model can: the label is the first of 15 tokens', async () => {
  const train = firstTokenTask(512, 15, 1);
  const test = firstTokenTask(256, 15, 2);
  const model = smallLstm(3);
  const before = model.evaluate(test.x, test.y).accuracy;
  const history = await model.fit(train.x, train.y, {
    batchSize: 32,
    epochs: 12,
    validationSplit: 0.25,
  });
  const after = model.evaluate(test.x, test.y);
  assert.ok(before < 0.7, `untrained accuracy ${before} should be near chance`);
  assert.ok(after.accuracy >= 0.95, `test accuracy ${after.accuracy} after training`);
  assert.equal(history.epochs.length, 12);
  const last = history.epochs.at(-1)!;
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'seconds']) {
    assert.ok(Number.isFinite(last[key]), `history has ${key}`);
  }
  assert.ok(last.loss < history.epochs[0].loss);
});

test('the same seed gives bit-identical weights; another seed does not', async () => {
  const data = firstTokenTask(64, 6, 4);
  const run = async (seed: number): Promise<Float32Array[]> => {
    const model = smallLstm(seed);
    await model.fit(data.x, data.y, { batchSize: 16, epochs: 2 });
    return model.weights().map((w) => Float32Array.from(w.value.data));
  };
  const [a, b, c] = [await run(9), await run(9), await run(10)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('validationSplit holds out the last rows, as Keras', async () => {
  const data = firstTokenTask(40, 4, 5);
  const model = smallLstm(1);
  const seen: number[] = [];
  await model.fit(data.x, data.y, {
    batchSize: 8,
    epochs: 1,
    validationSplit: 0.25,
    callbacks: [
      {
        onTrainBegin: (info) =>
          void seen.push(info.samples, info.validationSamples, info.stepsPerEpoch),
      },
    ],
  });
  assert.deepEqual(seen, [30, 10, 4]);
  await assert.rejects(model.fit(data.x, data.y, { validationSplit: 1.5 }), /validationSplit/);
  await assert.rejects(model.fit(data.x, new Tensor(new Float32Array(3), [3, 1])), /rows/);
});

test('the reference model has 1,329,473 parameters and a Keras-like summary', () => {
  const model = buildSentimentModel({
    architecture: 'lstm',
    numWords: 10000,
    maxlen: 200,
    embeddingDim: 128,
    units: 64,
    seed: 1,
    backend,
  });
  assert.equal(model.countParams(), 1_329_473);
  const summary = model.summary();
  assert.match(summary, /embedding \(Embedding\) +│ \(None, 200, 128\) +│ +1,280,000 │/);
  assert.match(summary, /lstm \(LSTM\) +│ \(None, 64\) +│ +49,408 │/);
  assert.match(summary, /dense \(Dense\) +│ \(None, 1\) +│ +65 │/);
  assert.match(summary, /Total params: 1,329,473 \(5\.07 MB\)/);
  assert.deepEqual(
    model.weights().map((w) => `${w.name} [${w.value.shape.join(',')}]`),
    [
      'embedding/embeddings [10000,128]',
      'lstm/kernel [128,256]',
      'lstm/recurrent_kernel [64,256]',
      'lstm/bias [256]',
      'dense/kernel [64,1]',
      'dense/bias [1]',
    ],
  );
});

test('every architecture of the zoo builds, trains a step and round-trips through save/load', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gated-model-'));
  try {
    const data = firstTokenTask(16, 12, 6);
    for (const architecture of ['lstm', 'gru', 'rnn', 'cnn', 'bilstm'] as const) {
      const model = buildSentimentModel({
        architecture,
        numWords: 10,
        maxlen: 12,
        embeddingDim: 4,
        units: 3,
        filters: 5,
        kernelSize: 3,
        seed: 2,
        backend,
      });
      model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
      await model.fit(data.x, data.y, { batchSize: 8, epochs: 1 });
      await saveModel(model, join(dir, architecture));
      const { model: loaded } = await loadModel(join(dir, architecture), backend);
      assert.deepEqual(
        [...loaded.predict(data.x).data],
        [...model.predict(data.x).data],
        architecture,
      );
      assert.equal(loaded.optimizer.name, model.optimizer.name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a NaN loss stops fit with the epoch and batch named', async () => {
  const data = firstTokenTask(16, 4, 7);
  const model = smallLstm(1);
  data.y.data[3] = NaN;
  await assert.rejects(
    model.fit(data.x, data.y, { batchSize: 8, epochs: 1, shuffle: false }),
    /epoch 1, batch 1.*learning rate/,
  );
});

test('predict and evaluate need a compiled / built model and clear errors otherwise', () => {
  const model = new Sequential({ backend });
  assert.throws(() => model.build([3]), /no layers/);
  model.add(new Dense({ units: 1 }));
  assert.throws(
    () =>
      model.evaluate(
        new Tensor(new Float32Array(3), [1, 3]),
        new Tensor(new Float32Array(1), [1, 1]),
      ),
    /not compiled/,
  );
  assert.equal(model.predict(new Tensor(new Float32Array(6), [2, 3])).shape.join(), '2,1');
  assert.throws(() => model.add(new Dense({ units: 1 })), /already built/);
});

test('trainOnBatch builds an unbuilt model before collecting its parameters', () => {
  const data = firstTokenTask(8, 4, 8);
  const model = smallLstm(2);
  assert.equal(model.built, false);
  const logs = model.trainOnBatch(data.x, data.y);
  assert.ok(Number.isFinite(logs.loss));
  assert.ok(model.optimizer.getState().step >= 1);
});
