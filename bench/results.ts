import type { BatchProfile } from './batch-profile.js';
import type { OpResult } from './gemm-ops.js';
import type { MachineInfo, contention } from './machine.js';
import type { ServeLoadResult } from './serve-load.js';
import { EPOCH } from './model-timing.js';
import type { Summary } from './stats.js';

/** The frameworks timed: gated and its peers (Keras on TensorFlow since the peer existed). */
export type Framework = 'gated' | 'pytorch' | 'keras';

/** One timed configuration: a gated backend with a thread count, or a peer framework. */
export interface ConfigResult {
  readonly label: string;
  readonly framework: Framework;
  readonly backend: string;
  readonly threads: number;
  /**
   * gated: dtype and the thread count the backend reports (null: it does not say); PyTorch:
   * version and BLAS; Keras: the Keras and TensorFlow versions.
   */
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
  /** gated and Keras: the seed configuration with the other encoders (bench --architectures). */
  readonly architectures?: readonly ArchitectureTiming[];
  /** gated: a training batch op by op (absent in runs before it existed). */
  readonly profile?: BatchProfile;
}

/** Epoch time of the seed configuration with another encoder than the LSTM. */
export interface ArchitectureTiming {
  readonly architecture: string;
  readonly trainMs: Summary;
  readonly valMs: Summary;
  readonly epochSeconds: number;
  readonly contention: ReturnType<typeof contention>;
  readonly profile?: BatchProfile;
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

export function architectureTiming(
  architecture: string,
  trainMs: Summary,
  valMs: Summary,
  contention: ArchitectureTiming['contention'],
  profile?: BatchProfile,
): ArchitectureTiming {
  return {
    architecture,
    trainMs,
    valMs,
    epochSeconds: epochSeconds(trainMs, valMs).epochSeconds,
    contention,
    ...(profile && { profile }),
  };
}

/** The fastest configuration of a framework (fewest s/epoch), or undefined. */
function best<T extends { epochSeconds: number }>(candidates: readonly T[]): T | undefined {
  return candidates.reduce<T | undefined>(
    (b, c) => (b === undefined || c.epochSeconds < b.epochSeconds ? c : b),
    undefined,
  );
}

/**
 * gated vs Keras/TF at Keras's best thread setting: the seed LSTM, and each other encoder both
 * timed.
 */
function kerasRatios(gated: readonly ConfigResult[], keras: readonly ConfigResult[]): Ratio[] {
  const out: Ratio[] = [];
  const lstm = best(keras);
  const encoders = new Set(
    keras.flatMap((k) => (k.architectures ?? []).map((a) => a.architecture)),
  );
  const bestEncoder = new Map(
    [...encoders].map((name) => {
      const timings = keras.flatMap((k) =>
        (k.architectures ?? [])
          .filter((a) => a.architecture === name)
          .map((a) => ({ label: k.label, epochSeconds: a.epochSeconds })),
      );
      return [name, best(timings)!] as const;
    }),
  );
  for (const c of gated) {
    if (lstm) {
      out.push({
        what: `${c.label} vs Keras/TF best (${lstm.label})`,
        value: lstm.epochSeconds / c.epochSeconds,
      });
    }
    for (const a of c.architectures ?? []) {
      const k = bestEncoder.get(a.architecture);
      if (k) {
        out.push({
          what: `${c.label} ${a.architecture} vs Keras/TF best (${k.label} ${a.architecture})`,
          value: k.epochSeconds / a.epochSeconds,
        });
      }
    }
  }
  return out;
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
  for (const framework of ['pytorch', 'keras'] as const) {
    const own = configs.filter((c) => c.framework === framework);
    const single = own.find((c) => c.threads === 1);
    for (const t of own.filter((c) => c.threads > 1)) {
      if (single)
        out.push({ what: `${t.label} vs 1 thread`, value: single.epochSeconds / t.epochSeconds });
    }
  }
  return [
    ...out,
    ...kerasRatios(
      gated,
      configs.filter((c) => c.framework === 'keras'),
    ),
  ];
}
