import { CTRL } from './codes.js';

/** The CLAIM word of a task: its tag (seq's low 15 bits) above the next part to hand out. */
export function claimWord(seq: number, next: number): number {
  return ((seq & 0x7fff) << 16) | next;
}

/**
 * Claims the next part of task `seq` (of `parts`), or returns −1 when all are taken or the task
 * is no longer current: whoever is free takes the next part, so a descheduled thread never holds
 * up parts it has not started.
 */
export function claimPart(ctrl: Int32Array, seq: number, parts: number): number {
  for (;;) {
    const word = Atomics.load(ctrl, CTRL.claim);
    const next = word & 0xffff;
    if (word >>> 16 !== (seq & 0x7fff) || next >= parts) return -1;
    if (Atomics.compareExchange(ctrl, CTRL.claim, word, word + 1) === word) return next;
  }
}
