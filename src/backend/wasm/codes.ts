/**
 * Int32 slots of the control block the caller and the helper threads share (in wasm memory).
 * READY + i is 1 once helper i (1-based) runs its loop. CLAIM (two slots, 8-byte aligned) is the
 * 64-bit word of claim.ts: a compare-and-swap on it claims a part of the current task only.
 */
export const CTRL = {
  seq: 0,
  done: 2,
  helpersSleeping: 3,
  callerSleeping: 4,
  stop: 5,
  claim: 6,
  ready: 8,
  /** Slots in the block: the ready flags leave room for 55 helpers. */
  size: 64,
} as const;

/** Most threads the pool runs: the caller plus one helper per ready flag the block holds. */
export const MAX_THREADS = CTRL.size - CTRL.ready;

/** Int32 slots of a task record: op code and up to 23 arguments (float32 ones as their bits). */
export const TASK_SLOTS = 24;
