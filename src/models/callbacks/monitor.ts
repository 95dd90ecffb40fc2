import type { Logs } from '../callbacks.js';
import type { Sequential } from '../sequential.js';

export type MonitorMode = 'auto' | 'min' | 'max';

/** Keras's 'auto': accuracy-like quantities are maximised, everything else (losses) minimised. */
export function resolveMode(owner: string, monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto')
    throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got ${String(mode)}`);
  return /acc/.test(monitor) ? 'max' : 'min';
}

/** Keras's test: `current` beats `reference` by more than minDelta (any value beats null). */
export function improves(
  mode: 'min' | 'max',
  current: number,
  reference: number | null,
  minDelta: number,
): boolean {
  if (reference === null) return true;
  return mode === 'min' ? current + minDelta < reference : current - minDelta > reference;
}

/** The monitored value; a missing one is an error rather than Keras's warning, so no run silently ignores it. */
export function monitored(owner: string, monitor: string, logs: Logs): number {
  const value = logs[monitor];
  if (typeof value !== 'number') {
    throw new Error(
      `${owner}: '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})` +
        (monitor.startsWith('val_') ? ': give fit a validationSplit or validationData' : ''),
    );
  }
  return value;
}

export function nonNegative(owner: string, key: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0))
    throw new Error(`${owner}: ${key} must be a non-negative number, got ${String(value)}`);
  return value;
}

/** A checkpointed best value: JSON has no Infinity, so "none yet" is null. */
export function numberOrNull(owner: string, key: string, value: unknown): number | null {
  if (value === null || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new Error(`${owner}: saved ${key} must be a number or null, got ${String(value)}`);
}

export function savedCount(owner: string, key: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new Error(`${owner}: saved ${key} must be a non-negative integer, got ${String(value)}`);
}

/** The model fit handed over with setModel; a hook called outside fit is a clear error. */
export function requireModel(owner: string, model: Sequential | null): Sequential {
  if (!model) throw new Error(`${owner}: no model; fit calls setModel(model) before any hook`);
  return model;
}
