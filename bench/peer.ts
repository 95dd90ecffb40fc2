import type { Measured } from './measure.js';
import {
  epochSeconds,
  type ArchitectureTiming,
  type ConfigResult,
  type Framework,
} from './results.js';
import { summarize } from './stats.js';

/** What a Python peer prints (peer_timing.py): raw per-call times in ms and its own usage. */
export interface PeerRun {
  threads: number;
  trainMs: number[];
  valMs: number[];
  predictMs: number[];
  lastLoss: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

/** How a peer's configuration is described beside its run. */
export interface PeerConfig {
  readonly framework: Exclude<Framework, 'gated'>;
  readonly backend: string;
  readonly label: string;
  readonly threads: number;
  readonly details: Record<string, unknown>;
  /** The other encoders' timings, from processes of their own (Keras). */
  readonly architectures?: readonly ArchitectureTiming[];
  /** CPU seconds of those processes. */
  readonly otherCpuSeconds?: number;
}

/** A peer's seed-model run as a configuration of the report. */
export function peerConfig(
  c: PeerConfig,
  { result: r, contention }: Measured<PeerRun>,
): ConfigResult {
  const [trainMs, valMs, predictMs] = [r.trainMs, r.valMs, r.predictMs].map(summarize);
  return {
    label: c.label,
    framework: c.framework,
    backend: c.backend,
    threads: c.threads,
    details: { ...c.details, threadsReported: r.threads },
    gemm: null,
    trainMs,
    valMs,
    predictMs,
    ...epochSeconds(trainMs, valMs),
    peakRssMiB: r.peakRssMiB,
    lastLoss: r.lastLoss,
    cpuSeconds: r.cpuSeconds + (c.otherCpuSeconds ?? 0),
    contention,
    ...(c.architectures && { architectures: c.architectures }),
  };
}
