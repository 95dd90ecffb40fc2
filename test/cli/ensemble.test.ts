import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EnsembleClassifier } from '../../src/classify/ensemble.js';
import { makeLabelSet } from '../../src/classify/task.js';
import type { Classifier } from '../../src/classify/text-classifier.js';
import { loadClassifier, loadEnsemble } from '../../src/io/ensemble-dir.js';
import { EPSILON } from '../../src/losses/index.js';
import { loadPredictor } from '../../src/server/classifier-predictor.js';
import { PredictionServer } from '../../src/server/server.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { runGatedSync } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

let env: NodeJS.ProcessEnv;
let root: string;
/** Two sentiment models of different kinds, vocabularies and maxlen; one 8-class rating model. */
let cnnMulti: string;
let gru: string;
let rating: string;
let ensemble: string;
const testReviews = fixtureReviews(12).filter((r) => r.split === 'test');
const texts = testReviews.map((r) => r.text);

function gated(args: string[]): ReturnType<typeof runGatedSync> {
  return runGatedSync(args, env);
}

function train(out: string, args: string[], archive: string): string {
  const r = gated([
    'train',
    '--data',
    archive,
    '--epochs',
    '1',
    '--batch-size',
    '8',
    '--out',
    out,
    ...args,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-ensemble-cache-') };
  delete env.GATED_IMDB;
  root = await tempDir('gated-ensemble-');
  const archive = await writeArchive(root, fixtureReviews(12));
  const small = ['--embedding-dim', '8'];
  cnnMulti = train(
    join(root, 'cnn-multi'),
    [...small, '--model', 'cnn-multi', '--filters', '3', '--maxlen', '12'],
    archive,
  );
  gru = train(
    join(root, 'gru'),
    [...small, '--model', 'gru', '--units', '4', '--maxlen', '8', '--num-words', '30'],
    archive,
  );
  rating = train(
    join(root, 'rating'),
    [...small, '--model', 'cnn', '--filters', '2', '--maxlen', '8', '--label', 'rating'],
    archive,
  );
  ensemble = join(root, 'ensemble');
  const made = gated(['ensemble', cnnMulti, gru, '--out', ensemble]);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /Wrote an ensemble of 2 models \(binary: negative, positive\)/);
});

after(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(root, { recursive: true, force: true });
  await rm(env.GATED_CACHE!, { recursive: true, force: true });
});

/** P(positive) of each text from `gated predict DIR --json`. */
function predicted(dir: string, given: string[]): number[] {
  const r = gated(['predict', dir, '--json', ...given]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const p = JSON.parse(line) as { scores: { label: string; probability: number }[] };
      return p.scores.find((s) => s.label === 'positive')!.probability;
    });
}

test('the directory holds each member as an ordinary model directory', async () => {
  const json = JSON.parse(await readFile(join(ensemble, 'ensemble.json'), 'utf8'));
  assert.deepEqual(json, {
    format: 'gated-ensemble',
    version: 1,
    combine: 'mean',
    members: ['members/1', 'members/2'],
  });
  for (const m of ['1', '2']) assert.ok(existsSync(join(ensemble, 'members', m, 'model.json')));
  assert.ok(existsSync(join(ensemble, 'members', '2', 'vocab.json')));
});

test('save/load round trip: the ensemble predicts the hand-computed mean of its members', async () => {
  const [a, b, e] = await Promise.all([
    loadClassifier(cnnMulti),
    loadClassifier(gru),
    loadEnsemble(ensemble),
  ]);
  const [pa, pb, pe] = [a, b, e].map((c) => c.probabilities(texts).data);
  assert.equal(pe.length, texts.length);
  for (let i = 0; i < texts.length; i++) assert.equal(pe[i], Math.fround((pa[i] + pb[i]) / 2));
  assert.ok(
    pa.some((p, i) => p !== pb[i]),
    'the members differ, so the mean means something',
  );
  // And through the CLI.
  const shown = texts.slice(0, 3);
  const [ca, cb, ce] = [cnnMulti, gru, ensemble].map((d) => predicted(d, shown));
  ce.forEach((p, i) => assert.ok(Math.abs(p - (ca[i] + cb[i]) / 2) < 1e-6, `${p} vs mean`));
});

test('evaluate scores the mean of the members on the test split', async () => {
  const r = gated(['evaluate', ensemble, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { loss: number; accuracy: number; count: number };
  assert.equal(result.count, texts.length);
  const [a, b] = await Promise.all([loadClassifier(cnnMulti), loadClassifier(gru)]);
  const [pa, pb] = [a, b].map((c) => c.probabilities(texts).data);
  let right = 0;
  let loss = 0;
  testReviews.forEach((review, i) => {
    const p = Math.min(Math.max(Math.fround((pa[i] + pb[i]) / 2), EPSILON), 1 - EPSILON);
    const y = review.folder === 'pos' ? 1 : 0;
    if ((p > 0.5 ? 1 : 0) === y) right++;
    loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  });
  assert.equal(result.accuracy, right / texts.length);
  assert.ok(Math.abs(result.loss - loss / texts.length) < 1e-5, `${result.loss} vs ${loss}`);
});

test('serve answers texts with the ensemble and refuses token ids', async () => {
  const server = new PredictionServer({
    limits: DEFAULT_LIMITS,
    batching: { maxBatch: 64, maxWaitMs: 1, maxQueue: 1024 },
    version: 'test',
  });
  const url = await server.listen(0, '127.0.0.1');
  try {
    server.setPredictor(await loadPredictor(ensemble));
    const post = async (body: unknown) => {
      const res = await fetch(`${url}v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const shown = texts.slice(0, 2);
    const answer = await post({ texts: shown });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const e = (await loadEnsemble(ensemble)).probabilities(shown).data;
    const got = answer.body.predictions as { probabilities: Record<string, number> }[];
    got.forEach((p, i) => assert.ok(Math.abs(p.probabilities.positive - e[i]) < 1e-6));
    const ids = await post({ ids: [[1, 2, 3]] });
    assert.equal(ids.status, 400);
    assert.match(JSON.stringify(ids.body), /texts_only.*send \\"texts\\"/);
    const model = await (await fetch(`${url}v1/model`)).json();
    assert.match(
      model.architecture[0],
      /^Ensemble of 2 \(Embedding → Parallel → Dropout → Dense; Embedding → GRU → Dense\)$/,
    );
    assert.equal(model.idLimit, 0);
  } finally {
    await server.close();
  }
});

test('members must share the classes, in order', () => {
  const stub = (...classNames: string[]): Classifier => ({
    labels: makeLabelSet('multiclass', classNames),
    classNames,
    probabilities: () => assert.fail('not called'),
    predict: () => assert.fail('not called'),
  });
  assert.throws(
    () => new EnsembleClassifier([stub('a', 'b', 'c'), stub('a', 'c', 'b')], ['x', 'y']),
    /y has the classes a, c, b, x has a, b, c: an ensemble's models must share the classes, in order/,
  );
  assert.throws(() => new EnsembleClassifier([stub('a', 'b')]), /needs 2 to 32 models, got 1/);
  const same = new EnsembleClassifier([stub('a', 'b'), stub('a', 'b')]);
  assert.deepEqual(same.predict([]), []);
});

test('bad inputs are one-line errors naming the problem', async () => {
  const fails = (args: string[], pattern: RegExp) => {
    const r = gated(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };
  const out = join(root, 'never');
  fails(
    ['ensemble', cnnMulti, rating, '--out', out],
    /rating is a multiclass classifier, .*cnn-multi a binary one: an ensemble's models must share the task/,
  );
  fails(
    ['ensemble', cnnMulti, join(root, 'missing'), '--out', out],
    /missing: no such model directory/,
  );
  fails(['ensemble', ensemble, gru, '--out', out], /is an ensemble: list its models/);
  fails(['ensemble', cnnMulti, '--out', out], /an ensemble needs 2 to 32 models, got 1/);
  fails(['ensemble', cnnMulti, gru, '--out', ensemble], /already exists and is not empty/);
  assert.ok(!existsSync(out), 'nothing written on a refusal');
  fails(
    ['explain', ensemble, 'great film'],
    /is an ensemble of models \(ensemble\.json\).*members\/1/,
  );
  fails(
    ['export', ensemble, '--format', 'onnx', '--out', join(root, 'e.onnx')],
    /is an ensemble of models/,
  );

  const hostile = join(root, 'hostile');
  assert.equal(gated(['ensemble', cnnMulti, gru, '--out', hostile]).code, 0);
  const path = join(hostile, 'ensemble.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...json, members: ['../cnn-multi', 'members/2'] }));
  fails(
    ['predict', hostile, 'text'],
    /ensemble\.json: members must list 2 to 32 directories "members\/1", "members\/2", …/,
  );
  await writeFile(path, JSON.stringify({ ...json, version: 2 }));
  fails(['evaluate', hostile], /ensemble\.json: version 2 is not supported/);
});
