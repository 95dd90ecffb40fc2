/**
 * `npm run bench`: the seed model (Embedding(10000,128) → LSTM(64) → Dense(1)) on synthetic data,
 * on every available backend with 1 and N threads, PyTorch when installed, and Keras on
 * TensorFlow (in a virtual environment made on first use). Each configuration runs in its own
 * process. Prints tables and writes bench/results/latest.json.
 *
 * Then the `gated serve` load test (serve-load.ts).
 *
 *   npm run bench -- [--quick] [--markdown] [--backends a,b] [--threads 1,2] [--no-torch]
 *                    [--no-keras] [--architectures gru,rnn,cnn] [--no-serve | --serve-only]
 *                    [--imdb ARCHIVE] [--out FILE] [--report FILE]
 *
 * --architectures: the other encoders timed per gated and Keras configuration (train and
 * validation batches of the seed configuration with that encoder; default gru,rnn,cnn; '' for
 * none).
 * --imdb (default $GATED_IMDB): also time each gated configuration's LSTM on batches of the IMDB
 * training reviews, what the reference experiment trains on (column "lstm, IMDB reviews").
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES } from '../src/backend/registry.js';
import type { OpResult } from './gemm-ops.js';
import { contention, cpuTimes, loadAverage, machineInfo } from './machine.js';
import { runJsonProcess } from './measure.js';
import { EPOCH, SEED, type ModelTimings } from './model-timing.js';
import { kerasPython, runKeras } from './keras.js';
import { peerConfig } from './peer.js';
import { runTorch, torchVersion, TORCH_INSTALL_HINT } from './pytorch.js';
import { renderReport } from './report.js';
import {
  architectureTiming,
  epochSeconds,
  ratios,
  type ArchitectureTiming,
  type BenchResult,
  type ConfigResult,
} from './results.js';
import { benchServe } from './serve-load.js';
import { summarize } from './stats.js';

/** Backends known to run on one thread whatever GATED_THREADS says. */
const SINGLE_THREADED = new Set(['reference']);
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));

interface ChildOutput {
  backend: string;
  dtype: string;
  threadsReported: number | null;
  peakRssMiB: number;
  cpuSeconds: number;
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    backends: { type: 'string' },
    threads: { type: 'string' },
    architectures: { type: 'string', default: 'gru,rnn,cnn' },
    imdb: { type: 'string', default: process.env.GATED_IMDB },
    'no-torch': { type: 'boolean', default: false },
    'no-keras': { type: 'boolean', default: false },
    'no-serve': { type: 'boolean', default: false },
    'serve-only': { type: 'boolean', default: false },
    out: { type: 'string', default: DEFAULT_OUT },
    report: { type: 'string' },
  },
});

function list(text: string | undefined): string[] | null {
  return text === undefined
    ? null
    : text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const IMDB_COLUMN = 'lstm, IMDB reviews';

async function benchGated(backend: string, threads: number, speed: string): Promise<ConfigResult> {
  const env = { ...process.env, GATED_THREADS: String(threads) };
  const label = `gated ${backend} ${threads}T`;
  log(`${label}: seed-shape GEMMs…`);
  const gemm = await runJsonProcess<ChildOutput & { ops: OpResult[] }>(
    process.execPath,
    [CHILD, 'gemm', backend, speed],
    env,
  );
  if (gemm.result.backend !== backend) {
    // The registry falls back (with a notice) when a fast backend cannot load.
    throw new Error(`'${backend}' is unavailable here (it fell back to '${gemm.result.backend}')`);
  }
  log(`${label}: train / validation / predict…`);
  const model = await runJsonProcess<ChildOutput & ModelTimings>(
    process.execPath,
    [CHILD, 'model', backend, speed],
    env,
  );
  const r = model.result;
  const architectures: ArchitectureTiming[] = [];
  for (const architecture of list(flags.architectures) ?? []) {
    log(`${label}: ${architecture} train / validation…`);
    const other = await runJsonProcess<ChildOutput & ModelTimings>(
      process.execPath,
      [CHILD, 'model', backend, speed, architecture],
      env,
    );
    const { trainMs, valMs, profile } = other.result;
    architectures.push(architectureTiming(architecture, trainMs, valMs, other.contention, profile));
  }
  if (flags.imdb !== undefined) {
    log(`${label}: lstm on IMDB reviews…`);
    const real = await runJsonProcess<ChildOutput & ModelTimings>(
      process.execPath,
      [CHILD, 'model', backend, speed, 'lstm', flags.imdb],
      env,
    );
    const { trainMs, valMs, profile } = real.result;
    architectures.push(architectureTiming(IMDB_COLUMN, trainMs, valMs, real.contention, profile));
  }
  return {
    label,
    framework: 'gated',
    backend,
    threads,
    details: { dtype: r.dtype, threadsReported: r.threadsReported },
    gemm: gemm.result.ops,
    trainMs: r.trainMs,
    valMs: r.valMs,
    predictMs: r.predictMs,
    ...epochSeconds(r.trainMs, r.valMs),
    peakRssMiB: r.peakRssMiB,
    lastLoss: r.lastLoss,
    cpuSeconds: gemm.result.cpuSeconds + r.cpuSeconds,
    contention: model.contention,
    architectures,
    profile: r.profile,
  };
}

async function benchTorch(threads: number, quick: boolean): Promise<ConfigResult> {
  const label = `PyTorch ${threads}T`;
  log(`${label}: train / validation / predict…`);
  const run = await runTorch(threads, quick);
  const details = { torch: run.result.torch, blas: run.result.blas };
  return peerConfig({ framework: 'pytorch', backend: 'pytorch', label, threads, details }, run);
}

/** Keras on TensorFlow: the seed LSTM, then each --architectures encoder, one process each. */
async function benchKeras(python: string, threads: number, quick: boolean): Promise<ConfigResult> {
  const label = `Keras/TF ${threads}T`;
  log(`${label}: train / validation / predict…`);
  const run = await runKeras(python, threads, quick, 'lstm');
  let otherCpuSeconds = 0;
  const architectures: ArchitectureTiming[] = [];
  for (const architecture of list(flags.architectures) ?? []) {
    log(`${label}: ${architecture} train / validation…`);
    const { result, contention } = await runKeras(python, threads, quick, architecture);
    const [trainMs, valMs] = [result.trainMs, result.valMs].map(summarize);
    architectures.push(architectureTiming(architecture, trainMs, valMs, contention));
    otherCpuSeconds += result.cpuSeconds;
  }
  const details = { version: run.result.version };
  return peerConfig(
    {
      framework: 'keras',
      backend: 'tensorflow',
      label,
      threads,
      details,
      architectures,
      otherCpuSeconds,
    },
    run,
  );
}

/** The Keras peer's python (set up on first use), or null with the reason in `skipped`. */
function kerasOrSkip(skipped: { label: string; reason: string }[]): string | null {
  try {
    return kerasPython(log).python;
  } catch (e) {
    skipped.push({ label: 'Keras/TF', reason: (e as Error).message });
    log(`Keras/TF: skipped (${(e as Error).message})`);
    return null;
  }
}

async function main(): Promise<BenchResult> {
  const machine = machineInfo();
  const threadCounts = (list(flags.threads) ?? ['1', String(machine.cores)]).map(Number);
  const threadList = [...new Set(threadCounts)].filter((t) => Number.isInteger(t) && t >= 1);
  const backends = flags['serve-only'] ? [] : (list(flags.backends) ?? [...BACKEND_NAMES]);
  const speed = flags.quick ? 'quick' : 'full';
  const loadStart = loadAverage();
  const start = cpuTimes();
  const configs: ConfigResult[] = [];
  const skipped: { label: string; reason: string }[] = [];
  const attempt = async (label: string, run: () => Promise<ConfigResult>) => {
    try {
      configs.push(await run());
    } catch (e) {
      skipped.push({ label, reason: (e as Error).message });
      log(`${label}: skipped (${(e as Error).message})`);
    }
  };
  for (const backend of backends) {
    for (const threads of SINGLE_THREADED.has(backend) ? [1] : threadList) {
      await attempt(`gated ${backend} ${threads}T`, () => benchGated(backend, threads, speed));
    }
  }
  if (!flags['no-torch'] && !flags['serve-only']) {
    const version = torchVersion();
    if (version === null) {
      const reason = `PyTorch is not installed; to compare, install it: ${TORCH_INSTALL_HINT}`;
      skipped.push({ label: 'PyTorch', reason });
      log(reason);
    } else {
      for (const threads of threadList)
        await attempt(`PyTorch ${threads}T`, () => benchTorch(threads, flags.quick));
    }
  }
  const keras = flags['no-keras'] || flags['serve-only'] ? null : kerasOrSkip(skipped);
  if (keras !== null) {
    for (const threads of threadList)
      await attempt(`Keras/TF ${threads}T`, () => benchKeras(keras, threads, flags.quick));
  }
  const serve = flags['no-serve'] ? null : await benchServe(flags.quick, log);
  const usage = process.resourceUsage();
  const ownCpu =
    configs.reduce((s, c) => s + c.cpuSeconds, 0) +
    (serve?.serverCpuSeconds ?? 0) +
    (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  return {
    schema: 1,
    createdAt: new Date().toISOString(),
    mode: speed,
    machine,
    loadAverage: { start: loadStart, end: loadAverage() },
    contention: contention(start, cpuTimes(), ownCpu),
    seed: { ...SEED, ...EPOCH },
    configs,
    skipped,
    ratios: ratios(configs),
    serve,
  };
}

if (flags.report) {
  const saved = JSON.parse(readFileSync(flags.report, 'utf8')) as BenchResult;
  console.log(renderReport(saved, flags.markdown));
} else {
  const result = await main();
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, JSON.stringify(result, null, 2) + '\n');
  console.log(renderReport(result, flags.markdown));
  log(`\nwrote ${flags.out}`);
}
