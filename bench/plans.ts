import type { Plan } from './stats.js';

/** Timing budgets: the full run for the README numbers, --quick to check the harness works. */
export interface Plans {
  readonly gemm: Plan;
  readonly train: Plan;
  readonly val: Plan;
  readonly predict: Plan;
  /** Training batches timed op by op after the timings (bench/batch-profile.ts). */
  readonly profile: Plan;
}

export const FULL: Plans = {
  gemm: { warmup: 3, minReps: 5, maxReps: 2000, budgetSeconds: 1.5 },
  // A slow backend (the reference: ~2 s a batch) stops at minReps; a fast one at maxReps.
  train: { warmup: 5, minReps: 4, maxReps: 60, budgetSeconds: 20 },
  val: { warmup: 3, minReps: 4, maxReps: 79, budgetSeconds: 8 },
  predict: { warmup: 10, minReps: 10, maxReps: 500, budgetSeconds: 3 },
  profile: { warmup: 1, minReps: 2, maxReps: 20, budgetSeconds: 3 },
};

export const QUICK: Plans = {
  gemm: { warmup: 1, minReps: 2, maxReps: 50, budgetSeconds: 0.2 },
  train: { warmup: 1, minReps: 2, maxReps: 5, budgetSeconds: 2 },
  val: { warmup: 1, minReps: 2, maxReps: 10, budgetSeconds: 1 },
  predict: { warmup: 2, minReps: 3, maxReps: 30, budgetSeconds: 0.5 },
  profile: { warmup: 0, minReps: 1, maxReps: 2, budgetSeconds: 0.2 },
};

/** The model plans as the Python peers read them (`--plans JSON`, see peer_timing.py). */
export function peerPlans(quick: boolean): string {
  const { train, val, predict } = quick ? QUICK : FULL;
  return JSON.stringify({ train, val, predict });
}
