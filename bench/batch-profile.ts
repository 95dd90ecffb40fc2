import type { Backend } from '../src/backend/backend.js';
import { timeCalls, type Plan } from './stats.js';

/** Where a training batch's time went: the backend's ops, and the JavaScript around them. */
export interface BatchProfile {
  /** Batches profiled. */
  readonly batches: number;
  /** Mean wall time of a profiled batch, ms. */
  readonly batchMs: number;
  /** Mean ms per batch spent in each backend op (all of its calls). */
  readonly ops: Readonly<Record<string, number>>;
}

/**
 * A backend behind a proxy that times every op call while recording, so a model built on it can
 * be timed as usual first (recording off: one extra call per op) and profiled after.
 */
export class OpRecorder {
  readonly backend: Backend;
  private recording = false;
  private readonly totals = new Map<string, number>();

  constructor(inner: Backend) {
    const wrapped = new Map<PropertyKey, unknown>();
    const timed =
      (name: string, op: (...args: unknown[]) => unknown) =>
      (...args: unknown[]) => {
        if (!this.recording) return op.apply(inner, args);
        const start = performance.now();
        try {
          return op.apply(inner, args);
        } finally {
          this.totals.set(name, (this.totals.get(name) ?? 0) + performance.now() - start);
        }
      };
    this.backend = new Proxy(inner, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (!wrapped.has(key)) wrapped.set(key, timed(String(key), value as () => unknown));
        return wrapped.get(key);
      },
    });
  }

  /** Runs `batch` as `plan` says (its warm-up unrecorded) and returns the per-batch means. */
  profile(batch: () => void, plan: Plan): BatchProfile {
    for (let i = 0; i < plan.warmup; i++) batch();
    this.totals.clear();
    this.recording = true;
    let samples: number[];
    try {
      samples = timeCalls(batch, { ...plan, warmup: 0 });
    } finally {
      this.recording = false;
    }
    const n = samples.length;
    const ops = Object.fromEntries([...this.totals].map(([name, total]) => [name, total / n]));
    return { batches: n, batchMs: samples.reduce((a, b) => a + b, 0) / n, ops };
  }
}

/** Groups of a profile's time; `fixed` is the part that does not depend on the encoder's cell. */
export interface BatchShares {
  readonly recurrence: number;
  readonly gemm: number;
  /** Optimizer updates (every weight, dense by default). */
  readonly optimizer: number;
  /** The embedding's gather and gradient scatter. */
  readonly embeddingRows: number;
  readonly otherOps: number;
  /** The batch minus all ops. */
  readonly javascript: number;
  /** optimizer + embeddingRows + javascript. */
  readonly fixed: number;
}

const RECURRENCE_OPS = new Set(['sequenceForward', 'sequenceBackward', 'sequenceLast']);
const EMBEDDING_ROW_OPS = new Set(['gather', 'scatterAdd']);

export function batchShares(p: BatchProfile): BatchShares {
  let recurrence = 0;
  let gemm = 0;
  let optimizer = 0;
  let embeddingRows = 0;
  let otherOps = 0;
  for (const [name, ms] of Object.entries(p.ops)) {
    if (RECURRENCE_OPS.has(name)) recurrence += ms;
    else if (name === 'gemm') gemm += ms;
    else if (name.endsWith('Update') || name.endsWith('UpdateRows')) optimizer += ms;
    else if (EMBEDDING_ROW_OPS.has(name)) embeddingRows += ms;
    else otherOps += ms;
  }
  const javascript = p.batchMs - recurrence - gemm - optimizer - embeddingRows - otherOps;
  return {
    recurrence,
    gemm,
    optimizer,
    embeddingRows,
    otherOps,
    javascript,
    fixed: optimizer + embeddingRows + javascript,
  };
}
