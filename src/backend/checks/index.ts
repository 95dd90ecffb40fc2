import type { Backend } from '../backend.js';
import { convOptimizerChecks } from './conv-optimizer.js';
import { coreChecks } from './core.js';
import { recurrentChecks } from './recurrent.js';
import type { Check, OpName } from './types.js';

export { Args } from './args.js';

/** The argument check of every op (the contract written in src/backend/backend.ts). */
export const OP_CHECKS: { readonly [K in OpName]: Check<K> } = {
  ...coreChecks,
  ...recurrentChecks,
  ...convOptimizerChecks,
};

/**
 * The backend with every op checking its arguments first (OP_CHECKS): an invalid call throws an
 * Error naming the op and the argument, and an op whose outputs are all empty returns at once.
 * The wasm and reference backends use it; the native addon makes the same checks in C++
 * (native/call.h). Other properties pass through unchanged. `onThrow` runs when an op that
 * passed its checks throws (the wasm backend frees the arrays it staged for it).
 */
export function withArgumentChecks<B extends Backend>(backend: B, onThrow?: () => void): B {
  const checked = { ...backend } as Record<string, unknown>;
  for (const name of Object.keys(OP_CHECKS) as OpName[]) {
    const op = backend[name] as (...args: unknown[]) => unknown;
    const check = OP_CHECKS[name] as (...args: unknown[]) => boolean;
    checked[name] = (...args: unknown[]) => {
      if (!check(...args)) return;
      if (onThrow === undefined) return op.apply(backend, args);
      try {
        return op.apply(backend, args);
      } catch (err) {
        onThrow();
        throw err;
      }
    };
  }
  return checked as B;
}
