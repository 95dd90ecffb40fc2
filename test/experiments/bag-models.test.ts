import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { naiveBayesRatios } from '../../src/classify/nb-ratios.js';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import type { CompareResult } from '../../src/experiments/compare.js';
import { prepareData } from '../../src/experiments/train-data.js';
import { dataOptionsFor } from '../../src/experiments/train-run.js';
import { validateRunFlags } from '../../src/experiments/run-flags.js';
import { loadModel } from '../../src/io/model-dir.js';
import { loadPredictor } from '../../src/server/classifier-predictor.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { PredictionServer } from '../../src/server/server.js';
import { runGatedSync } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

let env: NodeJS.ProcessEnv;
let archive: string;

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-bags-cache-') };
  delete env.GATED_IMDB;
  archive = await writeArchive(await tempDir(), fixtureReviews(12));
});

const gated = (args: string[]) => runGatedSync(args, env);

const TINY = ['--maxlen', '24', '--embedding-dim', '4', '--batch-size', '8', '--lr', '0.05'];

/** Trains `model` on the fixture archive; returns the run directory and its history.json. */
async function trainRun(
  model: string,
): Promise<{ out: string; history: { test: Record<string, number> } }> {
  const out = join(await tempDir(`gated-${model}-`), 'run');
  const run = gated([
    'train',
    '--model',
    model,
    '--data',
    archive,
    ...TINY,
    '--epochs',
    '4',
    '--out',
    out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Test loss: [\d.]+ - Test accuracy: [\d.]+/);
  return { out, history: JSON.parse(await readFile(join(out, 'history.json'), 'utf8')) };
}

/** predict, evaluate and serve on the saved run give the numbers training gave. */
async function checkSavedRun(
  out: string,
  history: { test: Record<string, number> },
): Promise<void> {
  const evaluated = gated(['evaluate', out, '--data', archive, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const logs = JSON.parse(evaluated.stdout);
  assert.ok(Math.abs(logs.loss - history.test.loss) < 1e-6, `${logs.loss} vs ${history.test.loss}`);
  assert.equal(logs.accuracy, history.test.accuracy);
  assert.equal(logs.count, 24);
  const predicted = gated(['predict', out, '--json', 'the film good', 'the film bad']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const labels = predicted.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).label);
  assert.deepEqual(labels, ['positive', 'negative']);
  const positive = predicted.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l).scores.find((c: { label: string }) => c.label === 'positive').probability,
    );
  const server = new PredictionServer({
    limits: DEFAULT_LIMITS,
    batching: { maxBatch: 64, maxWaitMs: 1, maxQueue: 1024 },
    version: 'test',
  });
  const url = await server.listen(0, '127.0.0.1');
  try {
    server.setPredictor(await loadPredictor(out));
    const response = await fetch(`${url}v1/predict`, {
      method: 'POST',
      body: JSON.stringify({ texts: ['the film good', 'the film bad'] }),
      headers: { 'content-type': 'application/json' },
    });
    const { predictions } = (await response.json()) as {
      predictions: { probabilities: Record<string, number> }[];
    };
    predictions.forEach((p, i) =>
      assert.ok(Math.abs(p.probabilities.positive - positive[i]) < 1e-6, `serve ${i}`),
    );
  } finally {
    await server.close();
  }
}

test('nbsvm: a linear model over the NB-scaled uni+bigram bag; the ratios are saved and reused', async () => {
  const { out, history } = await trainRun('nbsvm');
  assert.ok(history.test.accuracy >= 0.9, `test accuracy ${history.test.accuracy}`);
  const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(
    json.layers.map((l: { className: string }) => l.className),
    ['EmbeddingBag'],
  );
  const vectorizer = JSON.parse(await readFile(join(out, 'vectorizer.json'), 'utf8'));
  assert.equal(vectorizer.config.outputMode, 'multi_hot');
  assert.equal(vectorizer.config.ngrams, 2);
  assert.ok(vectorizer.vocabulary.includes('film good'), 'bigrams are in the vocabulary');

  // The saved ratios are those of the training rows before the validation tail (19 of 24).
  const { model } = await loadModel(out);
  const saved = model.weights().find((w) => w.name.endsWith('/id_weights'))!.value.data;
  const training = { ...json.training } as Record<string, unknown>;
  delete training.backend;
  delete training.dataSource;
  const data = await prepareData(dataOptionsFor(validateRunFlags(training)), () => undefined);
  const bags = { ids: data.train.x, count: data.train.count, width: data.train.length };
  const want = naiveBayesRatios(bags, data.train.classIds, 19, saved.length);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(saved[i] - want[i]) < 1e-6, `id_weights[${i}] ${saved[i]} vs ${want[i]}`);
  const ids = new TextClassifier(model, out).vectorizer as unknown as {
    vectorization: { tokenId(t: string): number };
  };
  assert.ok(saved[ids.vectorization.tokenId('good')] > 0);
  assert.ok(saved[ids.vectorization.tokenId('bad')] < 0);
  await checkSavedRun(out, history);
});

test('fasttext: n-gram ids → masking Embedding → average pooling → Dense, saved and reloaded', async () => {
  const { out, history } = await trainRun('fasttext');
  const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(
    json.layers.map((l: { className: string }) => l.className),
    ['Embedding', 'GlobalAveragePooling1D', 'Dense'],
  );
  assert.equal(json.layers[0].config.maskZero, true);
  const vectorizer = JSON.parse(await readFile(join(out, 'vectorizer.json'), 'utf8'));
  assert.equal(vectorizer.config.outputMode, 'multi_hot');
  await checkSavedRun(out, history);
});

test('compare trains the bag models beside a sequence model, each on its own input', async () => {
  const out = join(await tempDir('gated-bags-compare-'), 'cmp');
  const run = gated([
    'compare',
    '--models',
    'nbsvm,fasttext,cnn',
    `--data=${archive}`,
    ...TINY,
    ...['--filters', '3', '--kernel-size', '2', '--epochs', '1', '--out', out],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8')) as CompareResult;
  assert.deepEqual(
    result.runs.map((r) => [r.name, r.byLength.reduce((n, b) => n + b.count, 0)]),
    [
      ['nbsvm', 24],
      ['fasttext', 24],
      ['cnn', 24],
    ],
  );
});

test('nbsvm refuses more than two classes, and bag options the IMDB ids path cannot take', () => {
  const multi = gated(['train', '--model', 'nbsvm', '--data', archive, '--multiclass', ...TINY]);
  assert.equal(multi.code, 1);
  assert.match(multi.stderr, /--model nbsvm classifies two classes.*multiclass with 2 classes/);
  const limited = gated([
    'train',
    '--model',
    'fasttext',
    '--data',
    archive,
    '--limit',
    '4',
    ...TINY,
  ]);
  assert.equal(limited.code, 1);
  assert.match(limited.stderr, /--limit is for keras.datasets.imdb ids: not with n-grams or bags/);
});
