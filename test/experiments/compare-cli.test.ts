import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { CompareResult } from '../../src/experiments/compare.js';
import { runGatedSync } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

let env: NodeJS.ProcessEnv;
let archive: string;

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-compare-cache-') };
  delete env.GATED_IMDB;
  archive = await writeArchive(await tempDir(), fixtureReviews(12));
});

function gated(args: string[]): ReturnType<typeof runGatedSync> {
  return runGatedSync(args, env);
}

/** Tiny models, so five of them train in seconds. */
const TINY = [
  ...['--data', '--maxlen', '12', '--embedding-dim', '4', '--units', '3', '--filters', '3'],
  ...['--kernel-size', '2', '--batch-size', '8', '--backend', 'reference'],
];
const tiny = (): string[] => TINY.map((a) => (a === '--data' ? `--data=${archive}` : a));

const readResult = async (dir: string): Promise<CompareResult> =>
  JSON.parse(await readFile(join(dir, 'compare.json'), 'utf8')) as CompareResult;

test('compare trains all five models and writes compare.json, .md and .html; --resume keeps them', async () => {
  const out = join(await tempDir('gated-compare-'), 'cmp');
  const run = gated(['compare', ...tiny(), '--epochs', '2', '--patience', '1', '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  for (const [i, name] of ['rnn', 'lstm', 'gru', 'cnn', 'bilstm'].entries())
    assert.match(run.stdout, new RegExp(`model ${i + 1}/5: ${name}`));
  assert.match(run.stdout, /model 1\/5: rnn - epoch 1 done - elapsed \S+ - about \S+/);

  const result = await readResult(out);
  assert.equal(result.format, 'gated-compare');
  assert.equal(result.kind, 'models');
  assert.equal(result.complete, true);
  assert.deepEqual(result.planned, ['rnn', 'lstm', 'gru', 'cnn', 'bilstm']);
  assert.deepEqual(
    result.runs.map((r) => r.name),
    result.planned,
  );
  assert.equal(result.testCount, 24);
  assert.equal(result.settings.patience, 1);
  for (const r of result.runs) {
    assert.ok(r.params > 0 && r.epochsRun >= 1 && r.epochsRun <= 2, r.name);
    assert.ok(r.bestEpoch !== null && r.bestEpoch <= r.epochsRun);
    assert.ok(r.test.accuracy >= 0 && r.test.accuracy <= 1);
    assert.equal(r.history.length, r.epochsRun);
    assert.deepEqual(
      r.byLength.map((b) => b.label),
      ['≤100', '101–200', '201–400', '>400'],
    );
    assert.equal(
      r.byLength.reduce((s, b) => s + b.count, 0),
      result.testCount,
    );
    // The fixture's reviews are short: all in the first bucket, whose accuracy is the test accuracy.
    assert.ok(Math.abs((r.byLength[0].accuracy ?? NaN) - r.test.accuracy) < 1e-6, r.name);
    for (const file of ['history.json', 'model.json', 'weights.safetensors', 'report.html'])
      assert.ok(existsSync(join(out, r.name, file)), `${r.name}/${file}`);
  }

  const md = await readFile(join(out, 'compare.md'), 'utf8');
  assert.match(
    md,
    /\| model \| parameters \| epochs run \| best epoch \| s\/epoch \| test loss \| test accuracy \|/,
  );
  assert.match(
    md,
    /\| model \| ≤100 \(24\) \| 101–200 \(0\) \| 201–400 \(0\) \| >400 \(0\) \| all \|/,
  );
  for (const name of result.planned) assert.match(md, new RegExp(`^\\| ${name} \\|`, 'm'));
  const html = await readFile(join(out, 'compare.html'), 'utf8');
  for (const id of ['accuracy', 'by-length', 'val-loss'])
    assert.match(html, new RegExp(`<canvas id="${id}">`));
  assert.match(html, /Chart\.js v4/);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);

  const again = gated([
    'compare',
    ...tiny(),
    '--epochs',
    '2',
    '--patience',
    '1',
    '--out',
    out,
    '--resume',
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/done in an earlier run, kept/g)?.length, 5);
  assert.deepEqual(await readResult(out), result);

  const other = gated(['compare', ...tiny(), '--epochs', '3', '--out', out, '--resume']);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /other settings \(epochs, patience\)/);
});

test('compare --sweep varies one factor at a time; bad lists are one-line errors', async () => {
  const out = join(await tempDir('gated-sweep-'), 'sweep');
  const args = ['compare', ...tiny(), '--epochs', '1', '--out', out, '--sweep', 'cnn'];
  const run = gated([
    ...args,
    '--sweep-units',
    '2,3',
    '--sweep-batch-size',
    '8,16',
    '--sweep-lr',
    '0.001',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = await readResult(out);
  assert.equal(result.kind, 'sweep');
  assert.deepEqual(
    result.runs.map((r) => [r.name, r.factor, r.value]),
    [
      ['cnn', null, null],
      ['cnn-units-2', 'units', 2],
      ['cnn-batch-16', 'batchSize', 16],
    ],
  );
  assert.match(await readFile(join(out, 'compare.md'), 'utf8'), /## Sensitivity/);

  const bad = gated(['compare', '--models', 'lstm,transformer']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^error: .*--models.*must be one of/);
});
