import table from './kernel-codes.json' with { type: 'json' };
import type { SequenceCell } from './recurrent-ops.js';

// The numbers the kernels know activations, cell kinds and wasm tasks by. kernel-codes.json is
// the one table: the build writes it as native/codes.h and assembly/codes.ts
// (scripts/kernel-codes.mjs), and indexing it by an ActivationKind or a cell's kind type-checks
// that each has a code.

/** An activation's code (ActivationKind in core-ops.ts). */
export const ACTIVATION_CODES = table.activations;

/** The wasm pool's task op codes (runTask in assembly/index.ts). */
export const TASK = table.tasks;

/** A cell as the kernels' two integers: its kind's code, then its activation's code or resetAfter. */
export function cellCode(cell: SequenceCell): [number, number] {
  if (cell.kind === 'simpleRnn') return [table.cells.simpleRnn, ACTIVATION_CODES[cell.activation]];
  return [table.cells[cell.kind], cell.kind === 'gru' ? +cell.resetAfter : 0];
}
