import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CLI, startGated } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

let env: NodeJS.ProcessEnv;
let archive: string;
const TINY = ['--units', '4', '--embedding-dim', '4', '--maxlen', '12', '--batch-size', '8'];

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-rundir-cache-') };
  delete env.GATED_IMDB;
  archive = await writeArchive(await tempDir(), fixtureReviews(12));
});

function train(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'train', '--data', archive, ...TINY, ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a second gated train on a run directory in use is refused; the first finishes', async () => {
  const out = join(await tempDir('gated-dual-'), 'dual');
  // Many epochs on the reference backend: the first run is still training when the second starts.
  const first = startGated(
    [
      'train',
      '--data',
      archive,
      ...TINY,
      '--epochs',
      '200',
      '--backend',
      'reference',
      '--out',
      out,
    ],
    env,
  );
  await first.waitFor(/Epoch 1\/200\n/);
  const second = train(['--epochs', '1', '--out', out]);
  first.process.kill('SIGINT'); // the first saves a checkpoint and stops
  assert.equal(second.code, 1);
  assert.match(
    second.stderr,
    /^gated: --out .*dual: another gated train \(pid \d+\) is using this run directory\n$/,
  );
  assert.equal(await first.exited, 130, first.stderr());
  await access(join(out, 'checkpoint.safetensors'));
});

test('--out on a finished run is refused; --overwrite replaces it, best/ of the old run included', async () => {
  const out = join(await tempDir('gated-over-'), 'run');
  assert.equal(train(['--epochs', '1', '--checkpoint', '--out', out]).code, 0);
  await access(join(out, 'best', 'weights.safetensors'));
  const again = train(['--epochs', '1', '--out', out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^gated: --out .*run already holds a finished run; pass --overwrite/);
  const replaced = train(['--epochs', '1', '--out', out, '--overwrite']);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.ok(!(await readdir(out)).includes('best'), 'no stale best/ from the old run');
});

test('a --csv path leaving the run directory is refused before anything is trained', async () => {
  const root = await tempDir('gated-csv-escape-');
  const r = train(['--epochs', '1', '--out', join(root, 'run'), '--csv', '../escape.csv']);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^gated: --csv \.\.\/escape\.csv: must name a file inside the run directory/,
  );
  assert.deepEqual(await readdir(root), [], 'nothing written, no empty run directory left');
});
