import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  cleanRunForResume,
  LOCK_FILE,
  lockRunDir,
  prepareFreshRun,
  runRelativePath,
} from '../../src/experiments/run-dir.js';
import { tempDir } from '../helpers/imdb-fixture.js';

/** The pid of a process that has exited (so no process has it, barring reuse this instant). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

test('a second lock on a run directory is refused, naming the holder; release frees it', async () => {
  const dir = await tempDir();
  const release = await lockRunDir(dir, '--out');
  assert.equal((await readFile(join(dir, LOCK_FILE), 'utf8')).trim(), String(process.pid));
  // A lock held by a live process (this one, as another run would): refused.
  await writeFile(join(dir, LOCK_FILE), `${process.ppid}\n`);
  await assert.rejects(
    lockRunDir(dir, '--out'),
    /^Error: --out .*gated-test-\w+: another gated train \(pid \d+\) is using this run directory$/,
  );
  await writeFile(join(dir, LOCK_FILE), `${process.pid}\n`);
  release();
  assert.deepEqual(await readdir(dir), [], 'the lock is gone and nothing else is left');
});

test('a stale lock from a dead process is taken over', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, LOCK_FILE), `${deadPid()}\n`);
  const release = await lockRunDir(dir, '--out');
  assert.equal((await readFile(join(dir, LOCK_FILE), 'utf8')).trim(), String(process.pid));
  release();
});

test('a failed run leaves no empty directory behind', async () => {
  const root = await tempDir();
  const release = await lockRunDir(join(root, 'runs', 'x'), '--out');
  release();
  assert.deepEqual(await readdir(root), []);
});

test('a finished run is not trained over without --overwrite; --overwrite clears best/ too', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'best'));
  await writeFile(join(dir, 'best', 'weights.safetensors'), 'old');
  await writeFile(join(dir, 'history.json'), '{"epochs": [], "test": {"loss": 1}}');
  await writeFile(join(dir, '.model.json.0123456789ab.tmp'), 'torn');
  await writeFile(join(dir, 'notes.txt'), 'mine');
  await assert.rejects(
    prepareFreshRun(dir, false),
    /already holds a finished run; pass --overwrite/,
  );
  await prepareFreshRun(dir, true);
  assert.deepEqual(await readdir(dir), ['notes.txt'], 'only the run files went');
});

test('an interrupted run points to --resume', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'checkpoint.safetensors'), '');
  await assert.rejects(
    prepareFreshRun(dir, false),
    /already holds a run; continue it with --resume/,
  );
});

test('resume removes the temp files a kill left, in the run and in best/', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'best'));
  await writeFile(join(dir, '.checkpoint.safetensors.a1b2c3d4e5f6.tmp'), 'x');
  await writeFile(join(dir, 'best', '.weights.safetensors.a1b2c3d4e5f6.tmp'), 'x');
  await writeFile(join(dir, '.keep.tmp'), 'not ours');
  await cleanRunForResume(dir);
  assert.deepEqual(await readdir(dir), ['.keep.tmp', 'best']);
  assert.deepEqual(await readdir(join(dir, 'best')), []);
});

test('resume refuses a best/ that is a symbolic link out of the run', async () => {
  const dir = await tempDir();
  await symlink(await tempDir(), join(dir, 'best'));
  await assert.rejects(cleanRunForResume(dir), /best: is a symbolic link/);
});

test('an output path must stay in the run directory', async () => {
  const dir = await tempDir();
  assert.equal(await runRelativePath(dir, 'log.csv', '--csv'), 'log.csv');
  assert.equal(
    await runRelativePath(dir, join(dir, 'logs', 'a.csv'), '--csv'),
    join('logs', 'a.csv'),
  );
  await symlink('/tmp', join(dir, 'out'));
  for (const [path, why] of [
    ['../escape.csv', /must name a file inside the run directory/],
    ['/etc/cron.d/x', /must name a file inside the run directory/],
    ['a/../../x.csv', /must name a file inside the run directory/],
    ['.', /must name a file inside the run directory/],
    ['weights.safetensors', /would overwrite the run's own weights\.safetensors/],
    ['best/x.csv', /would overwrite the run's own best/],
    ['out/x.csv', /is a symbolic link/],
  ] as const) {
    await assert.rejects(
      runRelativePath(dir, path, '--csv'),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^--csv ${path.replace(/[.*/]/g, '\\$&')}: `));
        assert.match(err.message, why);
        return true;
      },
      path,
    );
  }
});
