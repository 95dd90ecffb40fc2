/**
 * The `gated serve` load test: the seed model (Embedding(10000,128) → LSTM(64) → Dense(1)) trained
 * one epoch on review-like texts, served by the CLI in a child process on loopback, driven by
 * autocannon at concurrency 1, 16 and 64 with one ~200-word review per request; once with
 * micro-batching (the defaults) and once with it off (--max-batch 1), plus a plain client loop
 * sending one request at a time. Requests/s, p50/p99 latency and errors per run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildSentimentModel } from '../src/experiments/architectures.js';
import { saveModel } from '../src/io/model-dir.js';
import { Tensor } from '../src/tensor/tensor.js';
import { padSequences } from '../src/text/pad.js';
import { Vocabulary } from '../src/text/vocabulary.js';
import { contention, cpuTimes, round } from './machine.js';
import { SEED } from './model-timing.js';
import { reviews } from './serve-reviews.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CONCURRENCY = [1, 16, 64];
export const TOKENS = 200;

export interface LoadRun {
  /** 'batched' (the defaults) or 'unbatched' (--max-batch 1). */
  readonly server: string;
  /** 'autocannon' (keep-alive connections) or 'loop' (one fetch after another). */
  readonly client: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly errors: number;
}

export interface ServeLoadResult {
  readonly model: string;
  readonly tokensPerReview: number;
  readonly servers: Readonly<Record<string, readonly string[]>>;
  readonly runs: readonly LoadRun[];
  /** Peak RSS of each server process. */
  readonly serverPeakRssMiB: Readonly<Record<string, number>>;
  /** CPU time of the server processes (the bench process counts its own). */
  readonly serverCpuSeconds: number;
  readonly contention: ReturnType<typeof contention>;
}

const SERVERS: Record<string, string[]> = {
  batched: [],
  unbatched: ['--max-batch', '1', '--max-wait-ms', '0'],
};

/** Trains the seed model one epoch on 512 review-like texts and saves it as `gated train` does. */
export async function trainedModel(dir: string): Promise<void> {
  const train = reviews(512, TOKENS, 1);
  const vocabulary = Vocabulary.fromTexts(
    train.map((r) => r.text),
    { numWords: SEED.numWords },
  );
  const model = buildSentimentModel({ architecture: 'lstm', ...SEED, seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const ids = padSequences(
    train.map((r) => vocabulary.encode(r.text)),
    SEED.maxlen,
  );
  const x = new Tensor(Float32Array.from(ids), [train.length, SEED.maxlen]);
  const y = new Tensor(Float32Array.from(train.map((r) => r.label)), [train.length, 1]);
  await model.fit(x, y, { batchSize: SEED.batch, epochs: 1 });
  await saveModel(model, dir);
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocabulary.toJSON()));
}

/** Field of /proc/PID/status in KiB (VmHWM: peak RSS), or NaN off Linux. */
export function procStatusKiB(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) of a live process, from /proc/PID/stat. */
function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function startServer(dir: string, flags: readonly string[]) {
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0', '--no-web', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /Serving .* at (http:\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`gated serve exited (${code}): ${out}`)));
  });
  return { child, url, exited };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

export async function cannon(
  url: string,
  bodies: readonly string[],
  connections: number,
  seconds: number,
) {
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: bodies.map((body) => ({
      method: 'POST' as const,
      path: '/v1/predict',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });
  return {
    seconds: r.duration,
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** One request after another from a plain fetch loop: what a naive client gets. */
async function loop(url: string, bodies: readonly string[], seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    try {
      const response = await fetch(`${url}v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[i % bodies.length],
      });
      await response.arrayBuffer();
      if (!response.ok) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    seconds: elapsed,
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}

/** 64 request bodies, one ~200-word review each (not the training texts). */
export function requestBodies(): string[] {
  return reviews(64, TOKENS, 2).map((r) => JSON.stringify({ texts: [r.text] }));
}

export async function benchServe(
  quick: boolean,
  log: (line: string) => void,
): Promise<ServeLoadResult> {
  const seconds = quick ? 3 : 10;
  const dir = mkdtempSync(join(tmpdir(), 'gated-bench-serve-'));
  const startTimes = cpuTimes();
  const startCpu = process.cpuUsage();
  let serverCpu = 0;
  try {
    log('serve: training the seed model one epoch on 512 review-like texts…');
    await trainedModel(dir);
    const bodies = requestBodies();
    const runs: LoadRun[] = [];
    const serverPeakRssMiB: Record<string, number> = {};
    for (const [server, flags] of Object.entries(SERVERS)) {
      const { child, url, exited } = await startServer(dir, flags);
      try {
        await cannon(url, bodies, 16, 1); // warm-up, not recorded
        for (const concurrency of CONCURRENCY) {
          log(`serve: ${server}, autocannon, concurrency ${concurrency}, ${seconds} s…`);
          runs.push({
            server,
            client: 'autocannon',
            concurrency,
            ...(await cannon(url, bodies, concurrency, seconds)),
          });
        }
        if (server === 'batched') {
          log(`serve: ${server}, one request at a time from a fetch loop, ${seconds} s…`);
          runs.push({
            server,
            client: 'loop',
            concurrency: 1,
            ...(await loop(url, bodies, seconds)),
          });
        }
      } finally {
        serverPeakRssMiB[server] = round(procStatusKiB(child.pid ?? 0, 'VmHWM') / 1024, 1);
        serverCpu += procCpuSeconds(child.pid ?? 0);
        child.kill('SIGTERM');
        await exited;
      }
    }
    const own = process.cpuUsage(startCpu);
    return {
      model: `Embedding(${SEED.numWords},${SEED.embeddingDim}) → LSTM(${SEED.units}) → Dense(1, sigmoid), maxlen ${SEED.maxlen}`,
      tokensPerReview: TOKENS,
      servers: SERVERS,
      runs: runs.map((r) => ({
        ...r,
        seconds: round(r.seconds, 1),
        rps: round(r.rps, 1),
        p50Ms: round(r.p50Ms, 2),
        p99Ms: round(r.p99Ms, 2),
      })),
      serverPeakRssMiB,
      serverCpuSeconds: round(serverCpu, 1),
      contention: contention(startTimes, cpuTimes(), serverCpu + (own.user + own.system) / 1e6),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
