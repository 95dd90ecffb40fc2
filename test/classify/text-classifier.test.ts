import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { makeLabelSet, outputSpec, type LabelSet } from '../../src/classify/task.js';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GlobalAveragePooling1D } from '../../src/layers/pooling.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { DEFAULT_VECTORIZATION, TextVectorization } from '../../src/text/text-vectorization.js';
import { textVectorizer } from '../../src/text/vectorizer.js';

const root = mkdtempSync(join(tmpdir(), 'gated-classifier-'));
after(() => rmSync(root, { recursive: true, force: true }));
const backend = createReferenceBackend('float32');
const texts = ['red apple', 'green leaf', 'blue sky', 'red cherry', 'green grass', 'blue sea'];
const classIds = [0, 1, 2, 0, 1, 2];

/** A model trained from the library alone, its vectorizer and labels set on it. */
function trainedModel(labels: LabelSet, units = outputSpec(labels).units): Sequential {
  const vectorization = TextVectorization.adapt(texts, {
    ...DEFAULT_VECTORIZATION,
    outputSequenceLength: 3,
  });
  const spec = outputSpec(labels);
  const model = new Sequential({ seed: 2, backend });
  model
    .add(new Embedding({ inputDim: vectorization.vocabularySize, outputDim: 4 }))
    .add(new GlobalAveragePooling1D({}))
    .add(new Dense({ units, activation: spec.activation }));
  model.build([3]);
  model.compile({ optimizer: 'adam', loss: spec.loss, metrics: [spec.metric] });
  model.vectorizer = textVectorizer(vectorization);
  model.labels = labels;
  const x = new Tensor(Float32Array.from(vectorization.encode(texts)), [texts.length, 3]);
  const y =
    labels.task === 'multilabel'
      ? new Tensor(
          Float32Array.from(classIds.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0)))),
          [texts.length, 3],
        )
      : new Tensor(Float32Array.from(classIds.map((c) => Math.min(c, units - 1))), [
          texts.length,
          1,
        ]);
  for (let i = 0; i < 3; i++) model.trainOnBatch(x, y);
  return model;
}

test('model.save(dir) from the library is enough for TextClassifier.load and predict by name', async () => {
  const labels = makeLabelSet('multiclass', ['fruit', 'plant', 'weather']);
  const model = trainedModel(labels);
  const dir = join(root, 'multi');
  await model.save(dir);
  const classifier = await TextClassifier.load(dir, backend);
  assert.deepEqual(classifier.classNames, ['fruit', 'plant', 'weather']);
  const [p] = classifier.predict(['red apple']);
  assert.equal(p.scores.length, 3);
  assert.ok(Math.abs(p.scores.reduce((a, s) => a + s.probability, 0) - 1) < 1e-5);
  assert.deepEqual(p.labels, [p.label]);
  const direct = new TextClassifier(model).predict(['red apple'])[0];
  assert.deepEqual(p.scores, direct.scores);
});

test('binary: one sigmoid is P(second class); multi-label: every label over the threshold', () => {
  const binary = new TextClassifier(trainedModel(makeLabelSet('binary', ['no', 'yes']), 1));
  const [b] = binary.predict(['blue sky']);
  const p = binary.probabilities(['blue sky']).data[0];
  assert.deepEqual(b.scores.map((s) => s.label).sort(), ['no', 'yes']);
  assert.ok(Math.abs(b.scores.find((s) => s.label === 'yes')!.probability - p) < 1e-7);
  const multi = new TextClassifier(trainedModel(makeLabelSet('multilabel', ['a', 'b', 'c'], 0.4)));
  const [m] = multi.predict(['green leaf']);
  assert.deepEqual(
    m.labels,
    m.scores
      .filter((s) => s.probability >= 0.4)
      .map((s) => s.label)
      .sort(),
  );
});

test('a model whose output does not fit its saved task refuses to load', async () => {
  const dir = join(root, 'mismatch');
  await trainedModel(makeLabelSet('multiclass', ['fruit', 'plant', 'weather'])).save(dir);
  writeFileSync(
    join(dir, 'labels.json'),
    JSON.stringify({
      format: 'gated-labels',
      version: 1,
      task: 'multiclass',
      classNames: ['a', 'b', 'c', 'd'],
      threshold: 0.5,
    }),
  );
  await assert.rejects(
    TextClassifier.load(dir, backend),
    /output \(3 softmax units\) does not fit its multiclass task with 4 classes \(expected 4 softmax\)/,
  );
  writeFileSync(
    join(dir, 'labels.json'),
    '{"format": "gated-labels", "version": 1, "task": "binary"}',
  );
  await assert.rejects(TextClassifier.load(dir, backend), /labels\.json: labels: classNames/);
});
