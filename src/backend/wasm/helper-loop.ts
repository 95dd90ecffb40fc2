import { claimPart, claimView } from './claim.js';
import { CTRL } from './codes.js';
import type { Kernels } from './kernels.js';

/** What a helper thread needs: the kernels on the shared memory and where its areas are. */
export interface HelperSetup {
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  ctrl: number;
  /** Byte address of the task record. */
  task: number;
  /** This helper's part number (1-based: the caller is part 0). */
  index: number;
  /** Byte address of this helper's GEMM scratch. */
  scratch: number;
  /** Atomics.load polls before sleeping (a wake-up from sleep costs ~65 µs on a VM). */
  spin: number;
}

/**
 * A helper thread's life: wait for a new task (spin a bounded time, then sleep in Atomics.wait),
 * claim and run its parts until none is left, counting each done; until the stop flag is set.
 * A task that is over by the time it looks finds nothing to claim; the part count comes with each
 * claim (claim.ts), never from a slot a newer task may already have overwritten.
 */
export function helperLoop(kernels: Kernels, s: HelperSetup): void {
  const ctrl = new Int32Array(s.memory.buffer, s.ctrl, CTRL.size);
  const claim = claimView(s.memory.buffer, s.ctrl);
  let seen = Atomics.load(ctrl, CTRL.seq);
  Atomics.store(ctrl, CTRL.ready + s.index, 1);
  for (;;) {
    let seq = Atomics.load(ctrl, CTRL.seq);
    for (let i = 0; seq === seen && i < s.spin; i++) seq = Atomics.load(ctrl, CTRL.seq);
    while (seq === seen) {
      Atomics.add(ctrl, CTRL.helpersSleeping, 1);
      Atomics.wait(ctrl, CTRL.seq, seen);
      Atomics.sub(ctrl, CTRL.helpersSleeping, 1);
      seq = Atomics.load(ctrl, CTRL.seq);
    }
    seen = seq;
    if (Atomics.load(ctrl, CTRL.stop) !== 0) return;
    for (let c = claimPart(claim, seq); c >= 0; c = claimPart(claim, seq)) {
      kernels.runTask(s.task, c & 0xffff, c >>> 16, s.scratch);
      Atomics.add(ctrl, CTRL.done, 1);
      if (Atomics.load(ctrl, CTRL.callerSleeping) !== 0) Atomics.notify(ctrl, CTRL.done);
    }
  }
}
