/** How many times to run a measured call: warm-up calls, then timed ones within a time budget. */
export interface Plan {
  /** Untimed calls first (JIT, caches, thread start-up); one suffices when a call takes > 0.5 s. */
  readonly warmup: number;
  readonly minReps: number;
  readonly maxReps: number;
  /** Stop timing once this many seconds are spent and minReps are done. */
  readonly budgetSeconds: number;
}

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1] };
}

/** Milliseconds of each timed call of fn under the plan. */
export function timeCalls(fn: () => void, plan: Plan): number[] {
  for (let i = 0; i < plan.warmup; i++) {
    const t0 = performance.now();
    fn();
    if (performance.now() - t0 > 500) break;
  }
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < plan.maxReps) {
    const t0 = performance.now();
    fn();
    const t1 = performance.now();
    samples.push(t1 - t0);
    if (samples.length >= plan.minReps && t1 - started >= plan.budgetSeconds * 1000) break;
  }
  return samples;
}
