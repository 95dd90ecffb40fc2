import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';
import { noisyReviews } from '../helpers/noisy-reviews.js';

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
  for (const command of ['train', 'evaluate', 'predict', 'report'])
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
    assert.match(r.stderr, /^error: .*\(run with --help for usage\)\n$/, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const missing = gated(['predict', join(archive, 'nope'), 'text']);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^gated: .*model\.json: (a parent is not a directory|no such file or directory)$/m,
  );
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const noData = gated(['train', '--data', join(archive, '..', 'missing.tar.gz'), '--epochs', '1']);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /^gated: .*missing\.tar\.gz/m);
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
  assert.ok(
    !existsSync(join(out, 'checkpoint.safetensors')),
    'a finished run drops its checkpoint',
  );
  const extend = gated(['train', '--resume', out, '--epochs', '2']);
  assert.equal(extend.code, 1);
  assert.match(extend.stderr, /^gated: .*checkpoint\.safetensors: .*--keep-checkpoint.*\n$/);
  const report = await readFile(join(out, 'report.html'), 'utf8');
  assert.ok(report.includes(`loss ${history.test.loss.toFixed(4)}`), 'report has the test metrics');
  await rm(join(out, 'report.html'));
  const regenerated = gated(['report', out]);
  assert.equal(regenerated.code, 0, regenerated.stderr);
  assert.equal(await readFile(join(out, 'report.html'), 'utf8'), report);

  const predicted = gated(['predict', out, '--json', 'the film was good', 'the film was bad']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = predicted.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  for (const r of rows) {
    // The top class with its probability, then both classes by name.
    assert.ok(r.probability >= 0.5 && r.probability < 1);
    assert.deepEqual(r.labels, [r.label]);
    const positive = r.scores.find((s: { label: string }) => s.label === 'positive').probability;
    assert.equal(r.label, positive >= 0.5 ? 'positive' : 'negative');
    assert.ok(Math.abs(r.scores[0].probability + r.scores[1].probability - 1) < 1e-6);
  }
  const fromStdin = gated(['predict', out, '--json'], 'the film was good\n\nthe film was bad\n');
  assert.equal(fromStdin.stderr, 'gated: skipped 1 blank review\n');
  // The same rule for arguments: a blank one is skipped, all blank is an error.
  const blankArg = gated(['predict', out, '--json', 'the film was good', ' ', 'the film was bad']);
  assert.equal(blankArg.stdout, fromStdin.stdout);
  assert.equal(blankArg.stderr, 'gated: skipped 1 blank review\n');
  const onlyBlank = gated(['predict', out, '']);
  assert.equal(onlyBlank.code, 1);
  assert.match(
    onlyBlank.stderr,
    /^gated: no texts: pass them as arguments or one per line on stdin/,
  );
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
  assert.equal(logs.count, 24);
  // Without --data (and no $GATED_IMDB or cached archive): the archive the run recorded.
  const recorded = gated(['evaluate', out, '--limit', '8']);
  assert.equal(recorded.code, 0, recorded.stderr);
  assert.match(
    recorded.stdout,
    new RegExp(`^Test loss: [\\d.]+ - Test accuracy: [\\d.]+ \\(8 texts from ${archive}\\)\n`),
  );
});

test('--epochs 30 --early-stopping 3 --checkpoint --csv: stops, restores the best epoch, keeps it in best/', async () => {
  const data = await writeArchive(await tempDir(), noisyReviews(150));
  const out = join(await tempDir('gated-cli-es-'), 'run');
  // --csv names a file in the run directory.
  const csv = join(out, 'epochs.csv');
  const r = gated([
    ...['train', '--data', data, '--epochs', '30', '--early-stopping', '--checkpoint'],
    ...['--csv', 'epochs.csv', '--units', '8', '--embedding-dim', '8', '--maxlen', '12'],
    ...['--batch-size', '8', '--lr', '0.01', '--out', out],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [, stopped, best] =
    r.stdout.match(/Epoch (\d+): early stopping; restored the weights of epoch (\d+)/) ?? [];
  assert.ok(stopped, r.stdout);
  assert.equal(Number(stopped), Number(best) + 3, 'patience 3 by default');
  const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
  assert.equal(history.epochs.length, Number(stopped));
  const valLoss = history.epochs.map((e: { val_loss: number }) => e.val_loss);
  assert.equal(Math.min(...valLoss), valLoss[Number(best) - 1]);
  // ModelCheckpoint kept the best epoch; EarlyStopping put the same weights back.
  assert.ok(
    (await readFile(join(out, 'weights.safetensors'))).equals(
      await readFile(join(out, 'best', 'weights.safetensors')),
    ),
  );
  const rows = (await readFile(csv, 'utf8')).trim().split('\n');
  assert.equal(rows[0], 'epoch,accuracy,loss,val_accuracy,val_loss');
  assert.equal(rows.length, 1 + Number(stopped));
  assert.match(rows[1], /^0,/);
  const predicted = gated(['predict', join(out, 'best'), '--json', 'good w1 w2']);
  assert.equal(predicted.code, 0, predicted.stderr);
});

test('a NaN loss stops training: one line naming epoch and batch, exit 1, the last good checkpoint kept', async () => {
  const out = join(await tempDir('gated-cli-nan-'), 'run');
  const r = gated([
    ...['train', '--data', archive, '--epochs', '3', '--units', '4', '--embedding-dim', '8'],
    ...['--maxlen', '12', '--batch-size', '8', '--lr', '1e38', '--clipnorm', '1e30', '--out', out],
  ]);
  assert.equal(r.code, 1);
  const [, epoch, kept] =
    r.stderr.match(
      /^gated: loss became NaN at epoch (\d), batch \d+: lower the learning rate or clip gradients \(clipnorm\); the last good checkpoint \(after epoch (\d)\) is kept in /m,
    ) ?? [];
  assert.ok(epoch, r.stderr);
  assert.equal(Number(kept), Number(epoch) - 1);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const ckpt = await readCheckpoint(join(out, 'checkpoint.safetensors'));
  assert.equal(ckpt.fit.epoch, Number(kept));
  assert.equal(ckpt.flags.clipnorm, 1e30);
  for (const [name, t] of ckpt.tensors) assert.ok(t.data.every(Number.isFinite), name);
});

test('flag combinations and settings that cannot work are refused before any training', () => {
  const noVal = gated(['train', '--data', archive, '--checkpoint', '--validation-split', '0']);
  assert.equal(noVal.code, 1);
  assert.equal(
    noVal.stderr,
    'gated: --checkpoint keeps the lowest val_loss: it needs --validation-split > 0\n',
  );
  assert.equal(noVal.stdout, '', 'nothing loaded or trained');
  const threads = gated(['info', '--threads', '999']);
  assert.equal(threads.code, 0);
  assert.match(threads.stderr, /^gated: threads 999: this machine has \d+ cores?; using \d+\n$/);
});
