/**
 * `npm run bench:serve-soak -- [--minutes 10] [--out FILE]`: the `gated serve` soak. The bench's
 * seed model behind `gated serve` (defaults: micro-batching on), autocannon at concurrency 64 with
 * one ~200-word review per request for the given minutes, in 30-second windows; after each window
 * the server's resident memory (VmRSS) is read. Prints one line per window and writes the series,
 * the RSS at the first and last window, and the error count to bench/results/serve-soak.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, machineInfo, round } from './machine.js';
import {
  cannon,
  procStatusKiB,
  requestBodies,
  startServer,
  TOKENS,
  trainedModel,
} from './serve-load.js';

const WINDOW_SECONDS = 30;
const CONCURRENCY = 64;
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results/serve-soak.json', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    out: { type: 'string', default: DEFAULT_OUT },
  },
});
const minutes = Number(flags.minutes);
if (!(minutes > 0 && minutes <= 120)) {
  console.error(`bench:serve-soak: --minutes must be a number in (0, 120] (got ${flags.minutes})`);
  process.exit(1);
}

interface SoakWindow {
  readonly endSeconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly rssMiB: number;
}

const dir = mkdtempSync(join(tmpdir(), 'gated-bench-soak-'));
try {
  process.stderr.write('serve soak: training the seed model one epoch…\n');
  await trainedModel(dir);
  const { child, url, exited } = await startServer(dir, []);
  const pid = child.pid ?? 0;
  const bodies = requestBodies();
  const windows: SoakWindow[] = [];
  const loadStart = loadAverage();
  const started = performance.now();
  try {
    const count = Math.max(1, Math.round((minutes * 60) / WINDOW_SECONDS));
    for (let i = 0; i < count; i++) {
      const r = await cannon(url, bodies, CONCURRENCY, WINDOW_SECONDS);
      const w: SoakWindow = {
        endSeconds: round((performance.now() - started) / 1000, 1),
        requests: r.requests,
        rps: round(r.rps, 1),
        p99Ms: r.p99Ms,
        errors: r.errors,
        rssMiB: round(procStatusKiB(pid, 'VmRSS') / 1024, 1),
      };
      windows.push(w);
      process.stderr.write(
        `${String(w.endSeconds).padStart(6)} s  ${w.rps} req/s  p99 ${w.p99Ms} ms  ` +
          `errors ${w.errors}  RSS ${w.rssMiB} MiB\n`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const result = {
    schema: 1,
    createdAt: new Date().toISOString(),
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: loadAverage() },
    tokensPerReview: TOKENS,
    concurrency: CONCURRENCY,
    windowSeconds: WINDOW_SECONDS,
    requests: windows.reduce((s, w) => s + w.requests, 0),
    errors: windows.reduce((s, w) => s + w.errors, 0),
    rssFirstWindowMiB: windows[0].rssMiB,
    rssLastWindowMiB: windows[windows.length - 1].rssMiB,
    rssMaxMiB: Math.max(...windows.map((w) => w.rssMiB)),
    windows,
  };
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, JSON.stringify(result, null, 2) + '\n');
  console.log(
    `serve soak: ${minutes} min at concurrency ${CONCURRENCY}: ${result.requests} requests, ` +
      `${result.errors} errors; RSS ${result.rssFirstWindowMiB} MiB after the first window, ` +
      `${result.rssLastWindowMiB} MiB after the last (max ${result.rssMaxMiB}); wrote ${flags.out}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
