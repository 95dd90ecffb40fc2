import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CLI, startGated, type Child } from '../helpers/cli-child.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

// Small enough for a second of training, 40 batches an epoch. The tests kill on events the child
// reports (`--log-every 1`: a line per batch), never after a sleep.
const FLAGS = [
  ...['--units', '16', '--embedding-dim', '16', '--maxlen', '60', '--num-words', '300'],
  ...['--batch-size', '4', '--epochs', '5', '--seed', '7', '--early-stopping', '10', '--csv'],
];
let env: NodeJS.ProcessEnv;
let archive: string;
let root: string;
type Results = { weights: Buffer; history: { epochs: Record<string, number>[] }; csv: string };
/** Most tests pin the reference backend; one runs the default (fastest) backend. */
const PINNED = ['--backend', 'reference'];
const DEFAULT: string[] = [];
/** Uninterrupted runs, by backend flags. */
const references = new Map<string, Results>();

function train(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'train', ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `gated train` arguments of a fresh run into `out`. */
/** With --keep-checkpoint: the finished runs are resumed and extended below. */
function runArgs(out: string, backend: string[]): string[] {
  return [
    ...['--data', archive, ...FLAGS, join(out, 'log.csv'), '--out', out, '--keep-checkpoint'],
    ...backend,
  ];
}

function start(out: string, backend = PINNED): Child {
  return startGated(['train', ...runArgs(out, backend), '--log-every', '1'], env);
}

function resume(out: string): Child {
  return startGated(['train', '--resume', out, '--log-every', '1'], env);
}

/** The batch line `n/40 - …` of the epoch that `Epoch e/5` began. */
const batchLine = (epoch: number, n: number): RegExp =>
  new RegExp(`Epoch ${epoch}/5\\n(?:.*\\n)*? *${n}/40 - `);

async function results(out: string): Promise<Results> {
  return {
    weights: await readFile(join(out, 'weights.safetensors')),
    history: JSON.parse(await readFile(join(out, 'history.json'), 'utf8')),
    csv: await readFile(join(out, 'log.csv'), 'utf8'),
  };
}

/** Bit-identical weights, the same numbers in every epoch, the same CSV rows. */
async function assertSameAsReference(out: string, backend = PINNED): Promise<void> {
  const got = await results(out);
  const reference = references.get(backend.join(' '))!;
  assert.ok(
    got.weights.equals(reference.weights),
    'weights.safetensors differs from the uninterrupted run',
  );
  const numbers = (h: typeof got.history) => h.epochs.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(numbers(got.history), numbers(reference.history));
  assert.equal(got.csv, reference.csv);
}

/** Epochs that ended: their `40/40 - …` lines. */
const epochLines = (stdout: string): number => (stdout.match(/^40\/40 - /gm) ?? []).length;

before(async () => {
  env = { ...process.env, GATED_CACHE: await tempDir('gated-resume-cache-') };
  delete env.GATED_IMDB;
  root = await tempDir('gated-resume-');
  archive = await writeArchive(root, fixtureReviews(100));
  for (const backend of [PINNED, DEFAULT]) {
    const out = join(root, `reference${backend.join('-')}`);
    const r = train(runArgs(out, backend));
    assert.equal(r.code, 0, r.stderr);
    references.set(backend.join(' '), await results(out));
  }
  assert.equal(references.get(PINNED.join(' '))!.history.epochs.length, 5);
});

test('a run killed with SIGKILL mid-epoch and resumed ends bit-identical to an uninterrupted one', async () => {
  const out = join(root, 'sigkill');
  const child = start(out);
  await child.waitFor(batchLine(2, 1));
  await access(join(out, 'checkpoint.safetensors'));
  child.process.kill('SIGKILL');
  assert.equal(await child.exited, 'SIGKILL');
  // Killed in epoch 2 (unless the machine ran on past its end before the signal landed): the run
  // resumes from the last epoch it finished, whichever that was.
  const finished = epochLines(child.stdout());
  assert.ok(finished >= 1 && finished < 5, `${finished} epochs finished before the kill`);

  const resumed = resume(out);
  assert.equal(await resumed.exited, 0, resumed.stderr());
  assert.match(
    resumed.stdout(),
    new RegExp(`Resuming from .*checkpoint\\.safetensors: the end of epoch ${finished}\\n`),
  );
  await assertSameAsReference(out);
});

test('killed again and again at arbitrary moments (also while saving), the run still ends bit-identical (default backend)', async () => {
  const out = join(root, 'many-kills');
  let child = start(out, DEFAULT);
  let kills = 0;
  // Kill points, each a line the child prints: an epoch's first batch, mid-epoch, an epoch's
  // end (the saves follow it), the last batches, a new epoch's start (just after a save).
  const moments = [
    /^ *1\/40 - /m,
    /^ *17\/40 - /m,
    /^40\/40 - /m,
    /^ *39\/40 - /m,
    /Epoch \d\/5\n/,
  ];
  for (const moment of [...moments, /^ *5\/40 - /m]) {
    // A resumed run can finish before printing the line: then stop killing.
    const reached = await child.waitFor(moment).then(
      () => true,
      () => false,
    );
    if (!reached) break;
    child.process.kill('SIGKILL');
    const status = await child.exited;
    if (status === 0) break;
    assert.equal(status, 'SIGKILL', child.stderr());
    kills++;
    child = resume(out);
  }
  assert.equal(await child.exited, 0, child.stderr());
  assert.ok(kills >= 2, `only ${kills} kill(s) landed before the run ended`);
  await assertSameAsReference(out, DEFAULT);
});

test('Ctrl-C finishes the batch, saves mid-epoch, prints the resume command; resuming ends bit-identical', async () => {
  const out = join(root, 'sigint');
  const child = start(out);
  await child.waitFor(batchLine(2, 1));
  child.process.kill('SIGINT');
  assert.equal(await child.exited, 130, child.stderr());
  assert.match(child.stdout(), /Interrupted: saved a checkpoint at epoch \d, after batch \d+ in /);
  const [, dir] = child.stdout().match(/Resume with: gated train --resume (\S+)\n/) ?? [];
  assert.equal(dir, out);
  assert.doesNotMatch(child.stderr(), /\n\s+at /, 'no stack trace');

  const resumed = resume(dir);
  assert.equal(await resumed.exited, 0, resumed.stderr());
  assert.match(resumed.stdout(), /Resuming from .*: epoch \d, after batch \d+\n/);
  await assertSameAsReference(out);
});

test('--resume keeps the saved flags: a different one is an error, more --epochs extend the run', async () => {
  const out = join(root, `reference${PINNED.join('-')}`);
  const clash = train(['--resume', out, '--units', '32']);
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /^gated: --units 32 differs from the run being resumed \(16\)/);
  const otherDir = train(['--resume', out, '--out', join(root, 'elsewhere')]);
  assert.equal(otherDir.code, 1);
  assert.match(otherDir.stderr, /--out and --resume/);
  const shorter = train(['--resume', out, '--epochs', '2']);
  assert.equal(shorter.code, 1);
  assert.match(shorter.stderr, /--epochs 2 is fewer than the 5 the run has begun/);
  const missing = train(['--resume', join(root, 'nothing-here')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gated: .*checkpoint\.safetensors: no such file or directory/);

  const extended = join(root, 'extended');
  const first = train([...runArgs(extended, PINNED), '--epochs', '3']);
  assert.equal(first.code, 0, first.stderr);
  const more = train(['--resume', extended, '--epochs', '5', '--units', '16']);
  assert.equal(more.code, 0, more.stderr);
  assert.match(more.stdout, /Epoch 4\/5\n[^]*Epoch 5\/5\n/);
  assert.deepEqual(
    (await results(extended)).history.epochs.map((e) => e.loss),
    references.get(PINNED.join(' '))!.history.epochs.map((e) => e.loss),
  );
});
