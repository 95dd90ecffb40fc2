/**
 * Hostile inputs through the real CLI: seeded, generated malformations of a model directory
 * (`gated predict`), a run's checkpoint (`gated train --resume`) and the IMDB archive and flags
 * (`gated train`). Every case must end the same way: exit 1, one line on stderr that names the
 * file or flag, no stack trace, nothing written outside the out and cache directories, a peak
 * RSS under 1 GB and at most 10 s of CPU time. CPU time, not wall time, bounds the work, so a
 * loaded machine cannot fail a case; a wall-clock watchdog far above it only catches a hang.
 */
import assert from 'node:assert/strict';
import { fork, spawn, spawnSync } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import * as tar from 'tar-stream';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { Rng } from '../../src/random/rng.js';
import { CLI } from '../helpers/cli-child.js';
import type { BatchCase, BatchResult } from '../helpers/gated-batch.js';
import {
  fixtureReviews,
  reviewPath,
  tempDir,
  writeArchive,
  type FixtureReview,
} from '../helpers/imdb-fixture.js';

const USAGE_HOOK = fileURLToPath(new URL('../helpers/usage-hook.js', import.meta.url));
const BATCH = fileURLToPath(new URL('../helpers/gated-batch.js', import.meta.url));
const MAX_RSS_KB = 1024 * 1024;
/** The CPU time a case may use, user + system. */
const CASE_CPU_MS = 10_000;
/** Wall time after which a case counts as hung and is killed: far above any loaded machine's. */
const HANG_MS = 120_000;
/** Batch processes beside the one running single CLI processes (the machine may have 2 cores). */
const CONCURRENCY = 2;
/** One case in this many runs as its own `gated` process, the real CLI contract end to end. */
const CLI_EVERY = 6;
const TINY = ['--units', '4', '--embedding-dim', '4', '--maxlen', '12', '--num-words', '60'];

/** One case's sandbox: inputs in `in`, the only writable places `out` and `cache`. */
interface Sandbox {
  root: string;
  in: string;
  out: string;
  cache: string;
}

interface Case {
  name: string;
  /** Builds the hostile inputs; returns the CLI arguments. */
  setup(s: Sandbox): Promise<string[]>;
  /** What the error line must name (a file's name or a flag). */
  names: RegExp;
}

let fixtures: string;
let archive: string;
let baseRun: string;

const rng = new Rng(20261202);
const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
const between = (low: number, high: number): number => low + rng.int(high - low + 1);

function mkfifo(path: string): void {
  assert.equal(spawnSync('mkfifo', [path]).status, 0, `mkfifo ${path}`);
}

/** A run directory's file as a safetensors edit: state JSON and tensors. */
type State = Record<string, unknown> & {
  flags: Record<string, unknown>;
  rng: number[];
  fit: { progress: unknown; history: { epochs: Record<string, number>[] } };
};
type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

function editCheckpoint(bytes: Uint8Array, edit: (s: State, t: Tensors) => void): Uint8Array {
  const decoded = decodeSafetensors(bytes);
  const state = JSON.parse(decoded.metadata.state) as State;
  const tensors = new Map(decoded.tensors);
  edit(state, tensors);
  return encodeSafetensors(
    [...tensors].map(([name, t]) => ({ name, ...t })),
    { ...decoded.metadata, state: JSON.stringify(state) },
  );
}

/** Byte-level damage any file format must catch: each is invalid whatever the seed draws. */
const byteDamage: [string, (b: Buffer) => Buffer][] = [
  ['truncated', (b) => b.subarray(0, between(1, b.length - 2))],
  [
    'with trailing bytes',
    (b) => Buffer.concat([b, Buffer.from(Array.from({ length: between(1, 64) }, () => 255))]),
  ],
  [
    'with its header length off',
    (b) => {
      const c = Buffer.from(b);
      const n = Number(c.readBigUInt64LE(0));
      c.writeBigUInt64LE(BigInt(n + pick([-1, 1]) * between(1, 16)), 0);
      return c;
    },
  ],
];

/** Ways a file can be replaced by something that is not a regular file. */
const notAFile: [string, (path: string) => Promise<void> | void][] = [
  ['a FIFO', mkfifo],
  ['a symlink to /dev/zero', (p) => symlink('/dev/zero', p)],
  ['a directory', (p) => mkdir(p)],
];

/** A copy of the base run in the sandbox: `in/run` to predict from, `out/run` to resume. */
async function copyRun(s: Sandbox, where: 'in' | 'out'): Promise<string> {
  const dir = join(s[where], 'run');
  await cp(baseRun, dir, { recursive: true });
  return dir;
}

function modelDirCases(): Case[] {
  const cases: Case[] = [];
  const predict = (dir: string): string[] => ['predict', dir, 'a good film'];
  const editJson =
    (file: string, edit: (j: Record<string, unknown>) => unknown) =>
    async (s: Sandbox): Promise<string[]> => {
      const dir = await copyRun(s, 'in');
      const edited = edit(JSON.parse(await readFile(join(dir, file), 'utf8')));
      await writeFile(join(dir, file), JSON.stringify(edited));
      return predict(dir);
    };
  for (let i = 0; i < 4; i++) {
    const steps = 10 ** between(7, 12);
    cases.push({
      name: `model.json inputShape [${steps}]`,
      setup: editJson('model.json', (j) => ({ ...j, inputShape: [steps] })),
      names: /model\.json/,
    });
    const units = between(1e5, 1e9);
    cases.push({
      name: `model.json LSTM of ${units} units`,
      setup: editJson('model.json', (j) => {
        const layers = j.layers as { config: Record<string, unknown> }[];
        layers[1].config.units = units;
        return j;
      }),
      names: /model\.json/,
    });
    const inputDim = between(2e7, 2e9);
    cases.push({
      name: `model.json Embedding of ${inputDim} words`,
      setup: editJson('model.json', (j) => {
        const layers = j.layers as { config: Record<string, unknown> }[];
        layers[0].config.inputDim = inputDim;
        return j;
      }),
      names: /model\.json/,
    });
    const className = `X${rng.nextUint32().toString(36)}`;
    cases.push({
      name: `model.json unknown layer ${className}`,
      setup: editJson('model.json', (j) => ({ ...j, layers: [{ className, config: {} }] })),
      names: /model\.json/,
    });
    const numWords = between(61, 1e9);
    cases.push({
      name: `vocab.json numWords ${numWords}`,
      setup: editJson('vocab.json', (j) => ({ ...j, numWords })),
      names: /vocab\.json/,
    });
    const cut = between(1, 50);
    cases.push({
      name: `model.json truncated by ${cut} bytes`,
      setup: async (s) => {
        const dir = await copyRun(s, 'in');
        const text = await readFile(join(dir, 'model.json'));
        await writeFile(join(dir, 'model.json'), text.subarray(0, text.length - 1 - cut));
        return predict(dir);
      },
      names: /model\.json/,
    });
  }
  for (const [what, damage] of byteDamage) {
    for (let i = 0; i < 4; i++) {
      cases.push({
        name: `weights.safetensors ${what} (${i})`,
        setup: async (s) => {
          const dir = await copyRun(s, 'in');
          const file = join(dir, 'weights.safetensors');
          await writeFile(file, damage(await readFile(file)));
          return predict(dir);
        },
        names: /weights\.safetensors/,
      });
    }
  }
  for (const file of ['model.json', 'weights.safetensors', 'vocab.json']) {
    for (const [what, make] of notAFile) {
      cases.push({
        name: `${file} as ${what}`,
        setup: async (s) => {
          const dir = await copyRun(s, 'in');
          await rm(join(dir, file));
          await make(join(dir, file));
          return predict(dir);
        },
        names: new RegExp(file.replace('.', '\\.')),
      });
    }
  }
  cases.push({
    name: 'weights.safetensors with an extra zero-size tensor',
    setup: async (s) => {
      const dir = await copyRun(s, 'in');
      const file = join(dir, 'weights.safetensors');
      const { tensors, metadata } = decodeSafetensors(await readFile(file));
      const named = [...tensors].map(([name, t]) => ({ name, ...t }));
      named.push({ name: 'evil', shape: [0], data: new Float32Array(0) });
      await writeFile(file, encodeSafetensors(named, metadata));
      return predict(dir);
    },
    names: /weights\.safetensors: unexpected tensor\(s\) evil/,
  });
  return cases;
}

function checkpointCases(): Case[] {
  const cases: Case[] = [];
  const resume = (
    name: string,
    edit: (s: State, t: Tensors) => void,
    names = /checkpoint\.safetensors/,
  ): Case => ({
    name: `checkpoint ${name}`,
    setup: async (s) => {
      const dir = await copyRun(s, 'out');
      const file = join(dir, 'checkpoint.safetensors');
      await writeFile(file, editCheckpoint(await readFile(file), edit));
      return ['train', '--resume', dir];
    },
    names,
  });
  for (let i = 0; i < 3; i++) {
    const patience = pick([0, -between(1, 9), 'x', 1.5]);
    cases.push(resume(`earlyStopping ${patience}`, (s) => (s.flags.earlyStopping = patience)));
    const architecture = `arch${rng.nextUint32().toString(36)}`;
    cases.push(
      resume(`architecture ${architecture}`, (s) => (s.flags.architecture = architecture)),
    );
    const units = between(1e5, 1e9);
    cases.push(resume(`units ${units}`, (s) => (s.flags.units = units)));
    const maxlen = between(1e4 + 1, 1e12);
    cases.push(resume(`maxlen ${maxlen}`, (s) => (s.flags.maxlen = maxlen)));
    const key = `k${rng.nextUint32().toString(36)}`;
    cases.push(resume(`unknown flag ${key}`, (s) => (s.flags[key] = 'x')));
    const escape = pick(['../escape.csv', '../../escape.csv', 'a/../../escape.csv']);
    cases.push(resume(`csv ${escape}`, (s) => (s.flags.csv = escape), /--csv/));
    const target = pick(['weights.safetensors', 'model.json', 'best/x.csv', '.']);
    cases.push(resume(`csv ${target}`, (s) => (s.flags.csv = target), /--csv/));
    const step = between(100, 1e9);
    cases.push(
      resume(`progress.step ${step}`, (s) => {
        s.flags.epochs = 5; // the base run is finished: open an epoch it may continue
        s.fit.progress = { order: null, step, totals: { loss: 1 }, seen: 0, seconds: 1 };
      }),
    );
    const metric = `m${rng.nextUint32().toString(36)}\n$(touch ../pwned)`;
    cases.push(
      resume(`a metric named ${JSON.stringify(metric)}`, (s) => {
        s.fit.history.epochs[0][metric] = 1;
      }),
    );
    const backend = `b${rng.nextUint32().toString(36)}`;
    cases.push(resume(`backend ${backend}`, (s) => (s.flags.backend = backend)));
  }
  cases.push(resume('an all-zero generator state', (s) => (s.rng = [0, 0, 0, 0])));
  cases.push(
    resume('without its optimizer slots', (_, t) => {
      for (const name of [...t.keys()]) if (name.startsWith('optimizer/')) t.delete(name);
    }),
  );
  cases.push(resume('without one Adam moment', (_, t) => t.delete('optimizer/dense/bias/1')));
  cases.push(resume('csv absolute', (s) => (s.flags.csv = '/tmp/gated-escape.csv'), /--csv/));
  for (const [what, damage] of byteDamage) {
    for (let i = 0; i < 2; i++) {
      cases.push({
        name: `checkpoint.safetensors ${what} (${i})`,
        setup: async (s) => {
          const dir = await copyRun(s, 'out');
          const file = join(dir, 'checkpoint.safetensors');
          await writeFile(file, damage(await readFile(file)));
          return ['train', '--resume', dir];
        },
        names: /checkpoint\.safetensors/,
      });
    }
  }
  for (const [what, make] of notAFile) {
    cases.push({
      name: `checkpoint.safetensors as ${what}`,
      setup: async (s) => {
        const dir = await copyRun(s, 'out');
        await rm(join(dir, 'checkpoint.safetensors'));
        await make(join(dir, 'checkpoint.safetensors'));
        return ['train', '--resume', dir];
      },
      names: /checkpoint\.safetensors/,
    });
  }
  cases.push({
    name: 'best/ a symbolic link out of the run',
    setup: async (s) => {
      const dir = await copyRun(s, 'out');
      await mkdir(join(s.in, 'elsewhere'));
      await symlink(join(s.in, 'elsewhere'), join(dir, 'best'));
      return ['train', '--resume', dir];
    },
    names: /best: is a symbolic link/,
  });
  cases.push({
    name: 'a run locked by a live process',
    setup: async (s) => {
      const dir = await copyRun(s, 'out');
      await writeFile(join(dir, '.gated-train.lock'), `${process.pid}\n`);
      return ['train', '--resume', dir];
    },
    names: /--resume .*another gated train \(pid \d+\)/,
  });
  return cases;
}

/** A .tar.gz of the fixture reviews with some members renamed or added. */
async function archiveOf(path: string, members: [string, string][]): Promise<void> {
  const pack = tar.pack();
  for (const [name, text] of members) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  await writeFile(path, gzipSync(Buffer.concat(chunks)));
}

function archiveCases(): Case[] {
  const cases: Case[] = [];
  const reviews = fixtureReviews(4);
  const members = (list: FixtureReview[]): [string, string][] =>
    list.map((r) => [reviewPath(r), r.text]);
  const train = (s: Sandbox, data: string, more: string[] = []): string[] => [
    'train',
    '--data',
    data,
    '--epochs',
    '1',
    ...TINY,
    '--out',
    join(s.out, 'run'),
    ...more,
  ];
  const withArchive = (name: string, build: (file: string) => Promise<void>, names: RegExp) =>
    cases.push({
      name,
      setup: async (s) => {
        const file = join(s.in, 'aclImdb_v1.tar.gz');
        await build(file);
        return train(s, file);
      },
      names,
    });
  for (let i = 0; i < 2; i++) {
    const id = '9'.repeat(between(11, 30));
    withArchive(
      `a review with id ${id.length} digits long`,
      (f) => archiveOf(f, [...members(reviews), [`aclImdb/train/pos/${id}_8.txt`, 'x']]),
      /aclImdb_v1\.tar\.gz: member .*_8\.txt/,
    );
    const rating = pick([0, between(11, 999)]);
    withArchive(
      `a review rated ${rating}`,
      (f) => archiveOf(f, [...members(reviews), [`aclImdb/test/neg/5_${rating}.txt`, 'x']]),
      /aclImdb_v1\.tar\.gz: member .*_\d+\.txt/,
    );
    withArchive(
      `a gzip stream cut short (${i})`,
      async (f) => {
        await archiveOf(f, members(reviews));
        const bytes = await readFile(f);
        await writeFile(f, bytes.subarray(0, between(10, bytes.length - 9)));
      },
      /aclImdb_v1\.tar\.gz: /,
    );
    withArchive(
      `not gzip (${i})`,
      (f) => writeFile(f, Buffer.from(Array.from({ length: between(2, 500) }, () => rng.int(31)))),
      /aclImdb_v1\.tar\.gz: not a gzip file/,
    );
  }
  withArchive(
    'no test split',
    (f) => archiveOf(f, members(reviews.filter((r) => r.split === 'train'))),
    /aclImdb_v1\.tar\.gz: the test split is missing/,
  );
  for (const [what, make] of notAFile.slice(0, 2))
    withArchive(
      `the archive as ${what}`,
      async (f) => make(f),
      /aclImdb_v1\.tar\.gz: not a regular/,
    );
  const flagCase = (flags: string[], names: RegExp): void => {
    cases.push({
      name: flags.join(' '),
      setup: async (s) => train(s, archive, flags),
      names,
    });
  };
  flagCase(['--units', String(between(1e5, 1e9))], /^gated: --units \d+: the model would have/);
  flagCase(['--num-words', String(between(1e8, 1e12))], /^gated: --num-words \d+: the model/);
  flagCase(['--maxlen', String(between(1e4 + 1, 1e9))], /^gated: --maxlen \d+: must be/);
  flagCase(['--early-stopping', '0'], /--early-stopping/);
  flagCase(['--csv', '../escape.csv'], /^gated: --csv \.\.\/escape\.csv: must name a file inside/);
  cases.push({
    name: '--out under a regular file',
    setup: async (s) => {
      await writeFile(join(s.in, 'file'), 'x');
      return train(s, archive).map((a) =>
        a === join(s.out, 'run') ? join(s.in, 'file', 'run') : a,
      );
    },
    names: /^gated: --out .*file\/run: cannot create it \(a parent is not a directory\)$/,
  });
  cases.push({
    name: '--out on a finished run without --overwrite',
    setup: async (s) => {
      await cp(baseRun, join(s.out, 'run'), { recursive: true });
      return train(s, archive);
    },
    names: /^gated: --out .*run already holds a finished run; pass --overwrite/,
  });
  cases.push({
    name: '--out locked by a live process',
    setup: async (s) => {
      await mkdir(join(s.out, 'run'));
      await writeFile(join(s.out, 'run', '.gated-train.lock'), `${process.pid}\n`);
      return train(s, archive);
    },
    names: /^gated: --out .*run: another gated train \(pid \d+\)/,
  });
  return cases;
}

/** Every file and directory under `dir` with its size and modification time, but `skip`. */
async function snapshot(dir: string, skip: string[]): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const path = join(d, name);
      if (skip.includes(path)) continue;
      const info = await lstat(path);
      seen.set(relative(dir, path), `${info.size} ${info.mtimeMs}`);
      if (info.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return seen;
}

interface Outcome {
  code: number | string;
  stderr: string;
  /** CPU time used, user + system; NaN when the process was killed before it could say. */
  cpuMs: number;
  /** The peak RSS of the process that ran the case (for a batch: of the whole batch). */
  rssKb: number;
}

/** The environment of one case: its own HOME and cache, the reference backend, no $GATED_IMDB. */
function caseEnv(s: Sandbox): Record<string, string> {
  return { HOME: join(s.root, 'home'), GATED_CACHE: s.cache, GATED_BACKEND: 'reference' };
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.GATED_IMDB;
  delete env.GATED_DEBUG;
  return env;
}

/** One case through the real CLI in its own process; the preloaded hook reports its usage. */
function runCli(args: string[], s: Sandbox): Promise<Outcome> {
  const usageFile = join(s.root, 'usage');
  const child = spawn(process.execPath, ['--import', USAGE_HOOK, CLI, ...args], {
    cwd: join(s.root, 'cwd'),
    env: childEnv({ ...caseEnv(s), GATED_TEST_USAGE_FILE: usageFile }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let hung = false;
  const killer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_MS);
  return new Promise((resolve) =>
    child.on('close', async (code, signal) => {
      clearTimeout(killer);
      const usage = await readFile(usageFile, 'utf8').then(
        (t) => JSON.parse(t) as { rssKb: number; cpuMs: number },
        () => ({ rssKb: NaN, cpuMs: NaN }),
      );
      await rm(usageFile, { force: true });
      const ended = hung ? `hung: killed after ${HANG_MS} ms` : (code ?? signal ?? 'unknown');
      resolve({ code: ended, stderr, ...usage });
    }),
  );
}

/**
 * Many cases in one process through runGated (the CLI's own entry point): a watchdog kills the
 * batch if one case runs past HANG_MS of wall time, and that case and the rest fail.
 */
function runBatch(jobs: { args: string[]; s: Sandbox }[]): Promise<Outcome[]> {
  const child = fork(BATCH, [], {
    env: childEnv({}),
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const outcomes: Outcome[] = jobs.map(() => ({
    code: 'not run',
    stderr: '',
    cpuMs: NaN,
    rssKb: NaN,
  }));
  let watchdog: NodeJS.Timeout | undefined;
  child.on('message', (m: { start?: number; done?: number; rssKb?: number } & BatchResult) => {
    clearTimeout(watchdog);
    if (m.start !== undefined) {
      const i = m.start;
      watchdog = setTimeout(() => {
        outcomes[i] = {
          code: `hung: killed after ${HANG_MS} ms`,
          stderr: '',
          cpuMs: NaN,
          rssKb: NaN,
        };
        child.kill('SIGKILL');
      }, HANG_MS);
    } else if (m.done !== undefined) {
      outcomes[m.done] = { code: m.code, stderr: m.stderr, cpuMs: m.cpuMs, rssKb: NaN };
    } else if (m.rssKb !== undefined) {
      for (const o of outcomes) o.rssKb = m.rssKb;
    }
  });
  child.send({
    cases: jobs.map(({ args, s }): BatchCase => ({
      args,
      cwd: join(s.root, 'cwd'),
      env: caseEnv(s),
    })),
  });
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(watchdog);
      resolve(outcomes);
    }),
  );
}

/** A prepared case: its sandbox built, its arguments known, what was on disk before. */
interface Prepared {
  c: Case;
  s: Sandbox;
  args: string[];
  before: Map<string, string>;
}

async function prepare(c: Case, index: number): Promise<Prepared> {
  const root = join(fixtures, `case-${index}`);
  const s: Sandbox = {
    root,
    in: join(root, 'in'),
    out: join(root, 'out'),
    cache: join(root, 'cache'),
  };
  for (const d of [s.in, s.out, s.cache, join(root, 'home'), join(root, 'cwd')])
    await mkdir(d, { recursive: true });
  const args = await c.setup(s);
  return { c, s, args, before: await snapshot(root, [s.out, s.cache]) };
}

/** What is wrong with how a case ended; empty when it ended as it must. */
async function judge({ c, s, before }: Prepared, r: Outcome): Promise<string[]> {
  const after = await snapshot(s.root, [s.out, s.cache]);
  const problems: string[] = [];
  const lines = r.stderr.trimEnd().split('\n');
  if (r.code !== 1) problems.push(`exit ${r.code}`);
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines`);
  if (!/^(gated|error): /.test(lines[0])) problems.push('no "gated: " prefix');
  if (!c.names.test(lines[0])) problems.push(`does not match ${c.names}`);
  if (/\n\s+at /.test(r.stderr)) problems.push('a stack trace');
  if (!(r.rssKb < MAX_RSS_KB)) problems.push(`peak RSS ${r.rssKb} kB`);
  if (!(r.cpuMs <= CASE_CPU_MS)) problems.push(`used ${Math.round(r.cpuMs)} ms of CPU`);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
    (p) => before.get(p) !== after.get(p),
  );
  if (changed.length > 0) problems.push(`wrote outside out/cache: ${changed.join(', ')}`);
  await rm(s.root, { recursive: true, force: true });
  return problems.length === 0
    ? []
    : [`${c.name}: ${problems.join('; ')}\n    stderr: ${r.stderr.trimEnd()}`];
}

before(async () => {
  fixtures = await tempDir('gated-hostile-');
  archive = await writeArchive(fixtures, fixtureReviews(8));
  baseRun = join(fixtures, 'base-run');
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'train',
      '--data',
      archive,
      '--epochs',
      '1',
      ...TINY,
      '--batch-size',
      '8',
      '--keep-checkpoint',
      '--out',
      baseRun,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, GATED_CACHE: join(fixtures, 'cache'), GATED_BACKEND: 'reference' },
    },
  );
  assert.equal(r.status, 0, r.stderr);
});

test('every hostile model directory, checkpoint, archive and flag: exit 1, one line naming it, bounded', async () => {
  const cases = [...modelDirCases(), ...checkpointCases(), ...archiveCases()];
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  const prepared: Prepared[] = [];
  for (const [i, c] of cases.entries()) prepared.push(await prepare(c, i));
  // Every CLI_EVERY-th case (so some of each kind) in its own `gated` process; the rest in
  // CONCURRENCY batches, as a process start costs seconds on a loaded machine.
  const own = prepared.filter((_, i) => i % CLI_EVERY === 0);
  const batched = prepared.filter((_, i) => i % CLI_EVERY !== 0);
  const failures: string[] = [];
  const spawned = (async () => {
    for (const p of own) failures.push(...(await judge(p, await runCli(p.args, p.s))));
  })();
  const batches = Array.from({ length: CONCURRENCY }, async (_, b) => {
    const mine = batched.filter((_, i) => i % CONCURRENCY === b);
    const outcomes = await runBatch(mine);
    for (const [i, p] of mine.entries()) failures.push(...(await judge(p, outcomes[i])));
  });
  await Promise.all([spawned, ...batches]);
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
});
