import { CTRL } from './codes.js';

/**
 * The CLAIM word of a task, one 64-bit value: seq (31 bits) above the task's part count (16) above
 * the next part to hand out (16). Because the part count travels in the same word a thread
 * claims with, a thread can never pair one task's tag with another task's count: the hang this
 * replaces came from a helper that read a newer task's (larger) count from a separate slot and
 * claimed a part past the end of its own, finished task, counting one part too many.
 * 31 bits of seq wrap after 2^31 tasks, far beyond any time a thread stays descheduled.
 */
export function claimWord(seq: number, parts: number, next: number): bigint {
  return (BigInt(seq & 0x7fffffff) << 32n) | BigInt(((parts & 0xffff) << 16) | next);
}

/** The claim word as a 64-bit view over the control block at byte address `ctrl`. */
export function claimView(buffer: ArrayBufferLike, ctrl: number): BigInt64Array {
  return new BigInt64Array(buffer, ctrl + CTRL.claim * 4, 1);
}

/** Largest part count a claim word holds. */
export const MAX_PARTS = 0xffff;

/**
 * Claims the next part of task `seq`: returns (parts << 16) | part, or −1 when every part is
 * taken or the task is no longer current. Whoever is free takes the next part, so a descheduled
 * thread never holds up parts it has not started.
 */
export function claimPart(claim: BigInt64Array, seq: number): number {
  const tag = BigInt(seq & 0x7fffffff);
  for (;;) {
    const word = Atomics.load(claim, 0);
    if (word >> 32n !== tag) return -1;
    const low = Number(word & 0xffffffffn);
    if ((low & 0xffff) >= low >>> 16) return -1;
    if (Atomics.compareExchange(claim, 0, word, word + 1n) === word) return low;
  }
}
