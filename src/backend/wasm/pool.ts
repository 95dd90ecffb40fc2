import { claimPart, claimView, claimWord, MAX_PARTS } from './claim.js';
import { TASK } from '../kernel-codes.js';
import { CTRL, TASK_SLOTS } from './codes.js';
import type { HelperSetup } from './helper-loop.js';
import type { Kernels } from './kernels.js';

/** Default of ThreadPool's stall timeout: far beyond any task, even on a loaded machine. */
export const DEFAULT_STALL_MS = 120_000;

/** Starts a helper thread running helperLoop with this setup (worker_threads or a Web Worker). */
export type SpawnHelper = (setup: HelperSetup) => { terminate(): void };

/**
 * The caller plus helper threads over one shared memory. A task is written to the task record,
 * cut into parts and published by bumping `seq`; every thread, the caller included, claims parts
 * until none is left (claim.ts), so a helper another process has descheduled delays nothing it
 * has not started. The caller then waits for the parts others took (bounded spin, then
 * Atomics.wait where the thread may block — not a browser window's main thread, which only
 * spins). The kernels give the same bits for any split, so who runs which part is free.
 *
 * No wait is unbounded: a task whose parts are not all done `stallMs` after the caller ran out of
 * parts to claim (a helper thread died or stopped) throws an error naming the op, and the pool
 * refuses every later task, since the stalled part may still write into memory the caller reuses.
 */
export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly claim: BigInt64Array;
  private readonly task: Int32Array;
  private readonly helpers: { terminate(): void }[] = [];
  private seq = 0;
  private stalled: Error | null = null;

  constructor(
    private readonly kernels: Kernels,
    memory: WebAssembly.Memory,
    ctrlPtr: number,
    readonly taskPtr: number,
    private readonly scratch: readonly number[],
    private readonly canBlock: boolean,
    private readonly spin: number,
    /** Below this many multiply-adds a task runs on the caller alone. */
    private readonly parallelWork: number,
    spawn: SpawnHelper | null,
    /** Milliseconds the caller waits for parts other threads hold before it gives up. */
    private readonly stallMs: number = DEFAULT_STALL_MS,
  ) {
    this.ctrl = new Int32Array(memory.buffer, ctrlPtr, CTRL.size);
    this.claim = claimView(memory.buffer, ctrlPtr);
    this.task = new Int32Array(memory.buffer, taskPtr, TASK_SLOTS);
    if (spawn === null) return;
    for (let index = 1; index < scratch.length; index++) {
      const setup = { memory, ctrl: ctrlPtr, task: taskPtr, index, scratch: scratch[index], spin };
      this.helpers.push(spawn(setup));
    }
  }

  /** Threads that would take part in a task now: the caller and the helpers already running. */
  get parts(): number {
    let parts = 1;
    while (parts <= this.helpers.length && Atomics.load(this.ctrl, CTRL.ready + parts) !== 0) {
      parts++;
    }
    return parts;
  }

  /**
   * Blocks until every helper runs (or `timeoutMs` passed); returns the threads then ready.
   * Only where the caller may block (Node, workers).
   */
  waitReady(timeoutMs: number): number {
    const end = Date.now() + timeoutMs;
    for (let i = 1; i <= this.helpers.length; i++) {
      const left = end - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.ctrl, CTRL.ready + i, 0, left);
    }
    return this.parts;
  }

  /** Threads asked for (the caller included), whether or not all have started yet. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * Runs the task [op, ...args], cut into `split` parts per thread; `work` (multiply-adds)
   * decides whether to share it at all.
   */
  run(work: number, split: number, op: number, ...args: number[]): void {
    if (this.stalled !== null) throw this.stalled;
    const task = this.task;
    task[0] = op;
    for (let i = 0; i < args.length; i++) task[i + 1] = args[i];
    if (work < this.parallelWork || this.helpers.length === 0) {
      this.kernels.runTask(this.taskPtr, 0, 1, this.scratch[0]);
      return;
    }
    const ctrl = this.ctrl;
    const parts = Math.min(this.threads * split, MAX_PARTS);
    const seq = (this.seq = (this.seq + 1) & 0x7fffffff);
    // The previous task is fully done, so nobody holds a part: reset the counter, then publish
    // the claim word (the only thing a claimer reads) before waking threads with the new seq.
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.store(this.claim, 0, claimWord(seq, parts, 0));
    Atomics.store(ctrl, CTRL.seq, seq);
    if (Atomics.load(ctrl, CTRL.helpersSleeping) !== 0) Atomics.notify(ctrl, CTRL.seq);
    for (let c = claimPart(this.claim, seq); c >= 0; c = claimPart(this.claim, seq)) {
      this.kernels.runTask(this.taskPtr, c & 0xffff, parts, this.scratch[0]);
      Atomics.add(ctrl, CTRL.done, 1);
    }
    this.waitDone(parts, op);
  }

  /** Until all `parts` are done, or throws once `stallMs` passed. */
  private waitDone(parts: number, op: number): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < this.spin; i++) if (Atomics.load(ctrl, CTRL.done) === parts) return;
    const deadline = Date.now() + this.stallMs;
    if (!this.canBlock) {
      for (let i = 1; Atomics.load(ctrl, CTRL.done) !== parts; i++) {
        if ((i & 0xfff) === 0 && Date.now() > deadline) this.stall(parts, op);
      }
      return;
    }
    Atomics.store(ctrl, CTRL.callerSleeping, 1);
    try {
      for (let d = Atomics.load(ctrl, CTRL.done); d !== parts; d = Atomics.load(ctrl, CTRL.done)) {
        const left = deadline - Date.now();
        if (left <= 0) this.stall(parts, op);
        Atomics.wait(ctrl, CTRL.done, d, left);
      }
    } finally {
      Atomics.store(ctrl, CTRL.callerSleeping, 0);
    }
  }

  private stall(parts: number, op: number): never {
    const name = Object.entries(TASK).find(([, code]) => code === op)?.[0] ?? `op ${op}`;
    const done = Atomics.load(this.ctrl, CTRL.done);
    this.stalled = new Error(
      `wasm thread pool: task ${name} stalled with ${done} of ${parts} parts done after ` +
        `${this.stallMs / 1000} s (a helper thread stopped); this backend cannot run more work`,
    );
    throw this.stalled;
  }

  /** Stops and ends the helper threads. */
  close(): void {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.store(this.ctrl, CTRL.seq, (this.seq = (this.seq + 1) & 0x7fffffff));
    Atomics.notify(this.ctrl, CTRL.seq);
    for (const h of this.helpers) h.terminate();
    this.helpers.length = 0;
  }
}
