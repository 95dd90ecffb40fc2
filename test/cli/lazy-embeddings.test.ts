/**
 * `gated train --lazy-embeddings`: Adam with lazy embedding updates, recorded in the checkpoint's
 * flags and optimizer config, so that a resumed run continues bit for bit; refused with another
 * optimizer.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import { runGatedSync } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

const FLAGS = [
  ...['--units', '4', '--embedding-dim', '8', '--maxlen', '30', '--num-words', '300'],
  ...['--batch-size', '8', '--seed', '3', '--backend', 'reference', '--keep-checkpoint'],
];
let env: NodeJS.ProcessEnv;
let archive: string;
let root: string;

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-lazy-cache-') };
  delete env.GATED_IMDB;
  root = await tempDir('gated-lazy-');
  archive = await writeArchive(root, fixtureReviews(20));
});

function train(args: string[]) {
  const r = runGatedSync(['train', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

const weights = (dir: string) => readFile(join(dir, 'weights.safetensors'));

test('lazy runs record the option, resume bit-identical, and differ from dense runs', async () => {
  const [lazy, resumed, dense] = ['lazy', 'resumed', 'dense'].map((d) => join(root, d));
  train(['--data', archive, ...FLAGS, '--epochs', '3', '--lazy-embeddings', '--out', lazy]);
  train(['--data', archive, ...FLAGS, '--epochs', '3', '--out', dense]);
  train(['--data', archive, ...FLAGS, '--epochs', '2', '--lazy-embeddings', '--out', resumed]);
  const ckpt = await readCheckpoint(join(resumed, 'checkpoint.safetensors'));
  assert.equal(ckpt.flags.lazyEmbeddings, true);
  assert.equal(ckpt.optimizer.config.lazyEmbeddings, true);
  train(['--resume', resumed, '--epochs', '3']);
  assert.ok((await weights(resumed)).equals(await weights(lazy)), 'resumed ≠ uninterrupted');
  assert.ok(!(await weights(dense)).equals(await weights(lazy)), 'the flag changed nothing');
});

test('--lazy-embeddings with another optimizer than Adam is refused before training', () => {
  const r = runGatedSync(
    ['train', '--data', archive, '--optimizer', 'sgd', '--lazy-embeddings'],
    env,
  );
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "gated: --lazy-embeddings true: is an Adam option, not sgd's\n");
});
