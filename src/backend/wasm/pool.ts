import { claimPart, claimWord } from './claim.js';
import { CTRL, TASK_SLOTS } from './codes.js';
import type { HelperSetup } from './helper-loop.js';
import type { Kernels } from './kernels.js';

/** Starts a helper thread running helperLoop with this setup (worker_threads or a Web Worker). */
export type SpawnHelper = (setup: HelperSetup) => { terminate(): void };

/**
 * The caller plus helper threads over one shared memory. A task is written to the task record,
 * cut into parts and published by bumping `seq`; every thread, the caller included, claims parts
 * until none is left (claim.ts), so a helper another process has descheduled delays nothing it
 * has not started. The caller then waits for the parts others took (bounded spin, then
 * Atomics.wait where the thread may block — not a browser window's main thread, which only
 * spins). The kernels give the same bits for any split, so who runs which part is free.
 */
export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly task: Int32Array;
  private readonly helpers: { terminate(): void }[] = [];
  private seq = 0;

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
  ) {
    this.ctrl = new Int32Array(memory.buffer, ctrlPtr, CTRL.size);
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
    const task = this.task;
    task[0] = op;
    for (let i = 0; i < args.length; i++) task[i + 1] = args[i];
    if (work < this.parallelWork || this.helpers.length === 0) {
      this.kernels.runTask(this.taskPtr, 0, 1, this.scratch[0]);
      return;
    }
    const ctrl = this.ctrl;
    const parts = this.threads * split;
    const seq = ++this.seq;
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.store(ctrl, CTRL.parts, parts);
    Atomics.store(ctrl, CTRL.claim, claimWord(seq, 0));
    Atomics.store(ctrl, CTRL.seq, seq);
    if (Atomics.load(ctrl, CTRL.helpersSleeping) !== 0) Atomics.notify(ctrl, CTRL.seq);
    for (let p = claimPart(ctrl, seq, parts); p >= 0; p = claimPart(ctrl, seq, parts)) {
      this.kernels.runTask(this.taskPtr, p, parts, this.scratch[0]);
      Atomics.add(ctrl, CTRL.done, 1);
    }
    this.waitDone(parts);
  }

  /** Until all `parts` are done. */
  private waitDone(parts: number): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < this.spin; i++) if (Atomics.load(ctrl, CTRL.done) === parts) return;
    if (!this.canBlock) {
      while (Atomics.load(ctrl, CTRL.done) !== parts);
      return;
    }
    Atomics.store(ctrl, CTRL.callerSleeping, 1);
    for (let d = Atomics.load(ctrl, CTRL.done); d !== parts; d = Atomics.load(ctrl, CTRL.done)) {
      Atomics.wait(ctrl, CTRL.done, d);
    }
    Atomics.store(ctrl, CTRL.callerSleeping, 0);
  }

  /** Stops and ends the helper threads. */
  close(): void {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.store(this.ctrl, CTRL.seq, ++this.seq);
    Atomics.notify(this.ctrl, CTRL.seq);
    for (const h of this.helpers) h.terminate();
    this.helpers.length = 0;
  }
}
