import type { OpResult } from './gemm-ops.js';
import type { MachineInfo, contention } from './machine.js';
import type { ServeLoadResult } from './serve-load.js';
import { EPOCH } from './model-timing.js';
import type { Summary } from './stats.js';

/** One timed configuration: a gated backend with a thread count, or PyTorch. */
export interface ConfigResult {
  readonly label: string;
  readonly framework: 'gated' | 'pytorch';
  readonly backend: string;
  readonly threads: number;
  /** gated: dtype and the thread count the backend reports (null: it does not say); PyTorch: version and BLAS. */
  readonly details: Record<string, unknown>;
  /** Seed-shape GEMMs (gated only). */
  readonly gemm: readonly OpResult[] | null;
  readonly trainMs: Summary;
  readonly valMs: Summary;
  readonly predictMs: Summary;
  /** 313 × median train batch + 79 × median validation batch. */
  readonly epochSeconds: number;
  readonly valEpochSeconds: number;
  readonly peakRssMiB: number;
  readonly lastLoss: number;
  /** CPU time of the configuration's processes (CPU / wall shows the parallelism reached). */
  readonly cpuSeconds: number;
  readonly contention: ReturnType<typeof contention>;
  /** gated: the seed configuration with the other encoders (bench --architectures). */
  readonly architectures?: readonly ArchitectureTiming[];
}

/** Epoch time of the seed configuration with another encoder than the LSTM. */
export interface ArchitectureTiming {
  readonly architecture: string;
  readonly trainMs: Summary;
  readonly valMs: Summary;
  readonly epochSeconds: number;
  readonly contention: ReturnType<typeof contention>;
}

export interface Ratio {
  readonly what: string;
  readonly value: number;
}

export interface BenchResult {
  readonly schema: 1;
  readonly createdAt: string;
  readonly mode: 'full' | 'quick';
  readonly machine: MachineInfo;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  /** Other work on the machine over the whole run. */
  readonly contention: ReturnType<typeof contention>;
  readonly seed: Record<string, number>;
  readonly configs: readonly ConfigResult[];
  /** Configurations that could not run, with the reason. */
  readonly skipped: readonly { readonly label: string; readonly reason: string }[];
  readonly ratios: readonly Ratio[];
  /** The `gated serve` load test (absent in runs before it existed, null when skipped). */
  readonly serve?: ServeLoadResult | null;
}

export function epochSeconds(trainMs: Summary, valMs: Summary) {
  return {
    epochSeconds: (EPOCH.trainBatches * trainMs.median + EPOCH.valBatches * valMs.median) / 1000,
    valEpochSeconds: (EPOCH.valBatches * valMs.median) / 1000,
  };
}

/** Speed-ups (how many times fewer seconds per epoch) within this one run. */
export function ratios(configs: readonly ConfigResult[]): Ratio[] {
  const out: Ratio[] = [];
  const gated = configs.filter((c) => c.framework === 'gated');
  const reference = gated.find((c) => c.backend === 'reference' && c.threads === 1);
  const torchAt = (threads: number) =>
    configs.find((c) => c.framework === 'pytorch' && c.threads === threads);
  for (const c of gated) {
    if (reference && c !== reference) {
      out.push({ what: `${c.label} vs reference`, value: reference.epochSeconds / c.epochSeconds });
    }
    const torch = torchAt(c.threads);
    if (torch)
      out.push({
        what: `${c.label} vs ${torch.label}`,
        value: torch.epochSeconds / c.epochSeconds,
      });
    const single = gated.find((o) => o.backend === c.backend && o.threads === 1);
    if (single && c.threads > 1) {
      out.push({ what: `${c.label} vs 1 thread`, value: single.epochSeconds / c.epochSeconds });
    }
  }
  const torch1 = torchAt(1);
  for (const t of configs.filter((c) => c.framework === 'pytorch' && c.threads > 1)) {
    if (torch1)
      out.push({ what: `${t.label} vs 1 thread`, value: torch1.epochSeconds / t.epochSeconds });
  }
  return out;
}
