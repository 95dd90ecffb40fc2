import { batchShares, type BatchProfile } from './batch-profile.js';
import { CEILING, type OpResult } from './gemm-ops.js';
import { round } from './machine.js';
import type { BenchResult, ConfigResult } from './results.js';
import type { ServeLoadResult } from './serve-load.js';
import type { Summary } from './stats.js';

/** Configurations with fewer timed training batches than this get a footnote. */
const FEW = 10;

function table(headers: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function ms(s: Summary): string {
  const digits = s.median < 10 ? 2 : 1;
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}] n=${s.n}`;
}

function modelRows(configs: readonly ConfigResult[], markFew: boolean): string[][] {
  return configs.map((c) => [
    c.label + (markFew && c.trainMs.n < FEW ? ' *' : ''),
    ms(c.trainMs),
    ms(c.valMs),
    c.epochSeconds.toFixed(1),
    c.valEpochSeconds.toFixed(2),
    c.predictMs.median.toFixed(3),
    String(c.peakRssMiB),
    c.contention.otherCores.toFixed(2),
  ]);
}

/** s/epoch of the seed configuration per encoder (LSTM and the --architectures ones). */
function architectureTable(result: BenchResult, markdown: boolean): string | null {
  const withOthers = result.configs.filter((c) => (c.architectures ?? []).length > 0);
  if (withOthers.length === 0) return null;
  const names = [
    ...new Set(withOthers.flatMap((c) => (c.architectures ?? []).map((a) => a.architecture))),
  ];
  const rows = withOthers.map((c) => [
    c.label,
    c.epochSeconds.toFixed(1),
    ...names.map((n) => {
      const a = (c.architectures ?? []).find((o) => o.architecture === n);
      return a === undefined ? '—' : `${a.epochSeconds.toFixed(1)} (train ${ms(a.trainMs)})`;
    }),
  ]);
  return table(['s/epoch by encoder', 'lstm', ...names], rows, markdown);
}

/**
 * Each gated configuration's training batches op by op, per encoder, with the part that does not
 * depend on the cell (optimizer, embedding rows, JavaScript) and each encoder's batch and rest
 * against the seed LSTM's.
 */
function profileTable(result: BenchResult, markdown: boolean): string | null {
  const rows: string[][] = [];
  for (const c of result.configs) {
    if (c.profile === undefined) continue;
    const lstmRest = c.profile.batchMs - batchShares(c.profile).fixed;
    const encoders: [string, BatchProfile][] = [['lstm', c.profile]];
    for (const a of c.architectures ?? [])
      if (a.profile) encoders.push([a.architecture, a.profile]);
    for (const [name, p] of encoders) {
      const s = batchShares(p);
      const cells = [s.recurrence, s.gemm, s.otherOps, s.optimizer, s.embeddingRows, s.javascript];
      rows.push([
        `${c.label} ${name}`,
        p.batchMs.toFixed(2),
        ...cells.map((v) => v.toFixed(2)),
        s.fixed.toFixed(2),
        `${(p.batchMs / c.profile.batchMs).toFixed(2)} / ${((p.batchMs - s.fixed) / lstmRest).toFixed(2)}`,
      ]);
    }
  }
  if (rows.length === 0) return null;
  const headers = [
    'training batch, op by op (ms)',
    'batch',
    'recurrence',
    'GEMM',
    'other ops',
    'optimizer',
    'embedding rows',
    'JavaScript',
    'fixed',
    '× lstm (batch / rest)',
  ];
  return [
    table(headers, rows, markdown),
    '',
    'fixed = optimizer + embedding rows (gather, scatterAdd) + JavaScript: the part that does not depend on the cell; rest = batch − fixed. Mean of the profiled batches, after the timings.',
  ].join('\n');
}

/** GFLOP/s, and its share of the configuration's 128-bit FMA ceiling when it measured one. */
function rate(ops: readonly OpResult[], name: string): string {
  const op = ops.find((o) => o.name === name);
  if (op === undefined) return '—';
  const ceiling = ops.find((o) => o.name === CEILING);
  const share =
    ceiling && op !== ceiling ? ` (${Math.round((100 * op.gflops) / ceiling.gflops)}%)` : '';
  return op.gflops.toFixed(1) + share;
}

function gemmTable(result: BenchResult, markdown: boolean): string | null {
  const withOps = result.configs.filter((c) => c.gemm !== null);
  if (withOps.length === 0) return null;
  // Every op any configuration measured, in order (only some backends measure the ceiling).
  const ops = new Map(withOps.flatMap((c) => (c.gemm ?? []).map((op) => [op.name, op.shape])));
  const rows = [...ops].map(([name, shape]) => [
    name,
    shape,
    ...withOps.map((c) => rate(c.gemm ?? [], name)),
  ]);
  const headers = ['GEMM (GFLOP/s, median; % of ceiling)', 'shape'];
  return table([...headers, ...withOps.map((c) => c.label)], rows, markdown);
}

function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(' + ') : String(v)}`)
    .join(', ');
}

/** The `gated serve` load test: one row per server × client × concurrency. */
function serveReport(serve: ServeLoadResult, markdown: boolean): string[] {
  const rows = serve.runs.map((r) => [
    r.server === 'batched'
      ? 'micro-batching (defaults)'
      : `one per pass (${serve.servers[r.server].join(' ')})`,
    r.client === 'loop' ? 'fetch loop' : 'autocannon',
    String(r.concurrency),
    r.rps.toFixed(0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.errors),
    String(r.requests),
  ]);
  const rss = Object.entries(serve.serverPeakRssMiB)
    .map(([name, mib]) => `${name} ${mib} MiB`)
    .join(', ');
  return [
    `gated serve load test: ${serve.model}, one review of ${serve.tokensPerReview} words per request, loopback; ` +
      `server peak RSS ${rss}; other processes used ${serve.contention.otherCores} cores over ${serve.contention.seconds} s`,
    '',
    table(
      ['server', 'client', 'concurrency', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'requests'],
      rows,
      markdown,
    ),
  ];
}

/** The run as readable text (or GitHub markdown): machine, model timings, GEMM rates, ratios. */
export function renderReport(result: BenchResult, markdown: boolean): string {
  const m = result.machine;
  const { start, end } = result.loadAverage;
  // Markdown would run the plain lines together into one paragraph: make them list items.
  const item = markdown ? '- ' : '';
  const out: string[] = [
    `${item}gated bench (${result.mode}) ${result.createdAt}${m.gitCommit ? ` at ${m.gitCommit}` : ''}`,
    `${item}machine: ${m.cpuModel}, ${m.cores} cores (${m.simd.join(', ') || 'no AVX'}), ${m.memoryGiB} GiB, Node ${m.node}`,
    `${item}load average: start ${start.join(' ')}, end ${end.join(' ')}; other processes used ` +
      `${result.contention.otherCores} cores (steal ${result.contention.stealCores}) over ${result.contention.seconds} s`,
  ];
  if (result.configs.length > 0) {
    out.push(
      '',
      table(
        [
          'configuration',
          'train ms/batch',
          'val ms/batch',
          's/epoch',
          'val s/epoch',
          'predict ms (1 review)',
          'peak RSS MiB',
          'other cores',
        ],
        modelRows(result.configs, result.mode === 'full'),
        markdown,
      ),
      '',
      's/epoch = 313 × median train batch + 79 × median validation batch (seed config, synthetic data, timed after warm-up).',
    );
  }
  if (result.mode === 'full' && result.configs.some((c) => c.trainMs.n < FEW)) {
    out.push('* slow configuration: only a few training batches timed (n above).');
  }
  const others = architectureTable(result, markdown);
  if (others) out.push('', others);
  const profiles = profileTable(result, markdown);
  if (profiles) out.push('', profiles);
  for (const c of result.configs) out.push(`${item}${c.label}: ${describe(c.details)}`);
  const gemm = gemmTable(result, markdown);
  if (gemm) out.push('', gemm);
  if (result.ratios.length > 0) {
    out.push(
      '',
      table(
        ['speed-up (s/epoch ratio, same run)', '×'],
        result.ratios.map((r) => [r.what, String(round(r.value, 2))]),
        markdown,
      ),
    );
  }
  if (result.serve) out.push('', ...serveReport(result.serve, markdown));
  for (const s of result.skipped) out.push('', `skipped ${s.label}: ${s.reason}`);
  const contended = result.configs.filter((c) => c.contention.otherCores > 0.2);
  if (contended.length > 0) {
    out.push(
      '',
      `WARNING: other processes competed for the CPU during ${contended.map((c) => c.label).join(', ')}: those numbers are noisy.`,
    );
  }
  if (result.mode === 'quick')
    out.push('', 'QUICK mode: few repetitions, for checking the harness, not for quoting.');
  return out.join('\n');
}
