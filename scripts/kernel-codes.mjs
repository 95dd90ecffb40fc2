// The numbers the kernels know activations, cell kinds and wasm tasks by have one table,
// src/backend/kernel-codes.json, which the TypeScript side imports. The build writes it as
// constants for the kernels (native/codes.h, assembly/codes.ts; not committed): ACT_SIGMOID,
// CELL_LSTM, TASK_GEMM, and each group's count (ACT_COUNT).
/* global URL */
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const PREFIXES = { activations: 'ACT', cells: 'CELL', tasks: 'TASK' };

/** simpleRnn → SIMPLE_RNN */
const constantName = (name) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/**
 * Writes `path` (from the repository root): `head` lines, then `constant(name, value)` for every
 * code of `groups` and their counts.
 */
export function writeKernelCodes(path, groups, constant, head = []) {
  const table = JSON.parse(readFileSync(new URL('src/backend/kernel-codes.json', root), 'utf8'));
  const lines = groups.flatMap((group) => {
    const codes = Object.entries(table[group]);
    // Codes 0…count−1 in order: a kernel bounds a code by its group's count.
    const gap = codes.find(([, code], i) => code !== i);
    if (gap) throw new Error(`kernel-codes.json: ${group}.${gap[0]} is not ${codes.indexOf(gap)}`);
    const prefix = PREFIXES[group];
    const named = codes.map(([name, code]) => constant(`${prefix}_${constantName(name)}`, code));
    return [...named, constant(`${prefix}_COUNT`, codes.length)];
  });
  const note =
    '// Written by scripts/kernel-codes.mjs from src/backend/kernel-codes.json: edit the table.';
  writeFileSync(new URL(path, root), [note, ...head, ...lines, ''].join('\n'));
}
