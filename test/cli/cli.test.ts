import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let env: NodeJS.ProcessEnv;
let archive: string;

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-cli-cache-'), GATED_IMDB: '' };
  delete env.GATED_IMDB;
  archive = await writeArchive(await tempDir(), fixtureReviews(12));
});

function gated(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    input,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists the commands, and each command has its own help', () => {
  const main = gated(['--help']);
  assert.equal(main.code, 0);
  for (const command of ['train', 'evaluate', 'predict'])
    assert.match(main.stdout, new RegExp(`\\b${command}\\b`));
  const train = gated(['train', '--help']);
  assert.equal(train.code, 0);
  assert.match(train.stdout, /--num-words <n>.*\n.*10000/);
  assert.match(train.stdout, /--epochs <n>.*\(default: 100\)/);
});

test('a bad flag or value is a one-line error and a non-zero exit, no stack trace', () => {
  for (const args of [
    ['train', '--bogus'],
    ['train', '--epochs', 'x'],
    ['train', '--model', 'transformer'],
    ['frobnicate'],
  ]) {
    const r = gated(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr.split('\n')[0], /^error: /, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const missing = gated(['predict', join(archive, 'nope'), 'text']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gated: .*model\.json: cannot read \((ENOTDIR|ENOENT)\)/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const noData = gated(['train', '--data', join(archive, '..', 'missing.tar.gz'), '--epochs', '1']);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /^gated: .*missing\.tar\.gz/);
});

test('train runs one epoch on a tiny archive, saves the run, and predict/evaluate use it', async () => {
  const out = join(await tempDir('gated-cli-run-'), 'run');
  const train = gated([
    'train',
    '--data',
    archive,
    '--epochs',
    '1',
    '--units',
    '4',
    '--embedding-dim',
    '8',
    '--maxlen',
    '12',
    '--batch-size',
    '8',
    '--out',
    out,
  ]);
  assert.equal(train.code, 0, train.stderr);
  assert.match(train.stdout, /Total params: /);
  assert.match(
    train.stdout,
    /Epoch 1\/1\n3\/3 - \d+s - \d+ms\/step - accuracy: [\d.]+ - loss: [\d.]+ - val_accuracy: [\d.]+ - val_loss: [\d.]+\n/,
  );
  assert.match(train.stdout, /Test loss: [\d.]+ - Test accuracy: [\d.]+/);
  const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
  assert.equal(history.epochs.length, 1);
  assert.deepEqual(Object.keys(history.epochs[0]).sort(), [
    'accuracy',
    'epoch',
    'loss',
    'seconds',
    'val_accuracy',
    'val_loss',
  ]);
  assert.deepEqual(Object.keys(history.test).sort(), ['accuracy', 'loss']);
  const model = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(
    model.layers.map((l: { className: string }) => l.className),
    ['Embedding', 'LSTM', 'Dense'],
  );
  const vocab = JSON.parse(await readFile(join(out, 'vocab.json'), 'utf8'));
  assert.equal(vocab.wordIndex.the, 1);

  const predicted = gated(['predict', out, '--json', 'the film was good', 'the film was bad']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = predicted.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.ok(r.probability > 0 && r.probability < 1);
    assert.equal(r.label, r.probability >= 0.5 ? 'positive' : 'negative');
  }
  const fromStdin = gated(['predict', out, '--json'], 'the film was good\n\nthe film was bad\n');
  assert.deepEqual(
    fromStdin.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).probability),
    rows.map((r) => r.probability),
  );

  const evaluated = gated(['evaluate', out, '--data', archive, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const logs = JSON.parse(evaluated.stdout);
  assert.ok(Math.abs(logs.loss - history.test.loss) < 1e-6, `${logs.loss} vs ${history.test.loss}`);
  assert.ok(Math.abs(logs.accuracy - history.test.accuracy) < 1e-9);
});
