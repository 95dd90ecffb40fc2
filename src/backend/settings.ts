/**
 * Backend settings from options and environment variables: validated before anything loads, so
 * a wrong value is a clear error rather than a silent fallback to a slower backend. No Node
 * imports: the browser build uses it too.
 */

/** A setting the user got wrong (not a backend that failed to load): never a reason to fall back. */
export class BackendSettingsError extends Error {}

/** Where the thread count may go: the machine's cores and the most the backend can run. */
export interface ThreadLimits {
  cores: number;
  /** Threads the backend supports (the wasm control block, the native pool). */
  max: number;
  backend: string;
  /** Let an explicit count exceed the cores (up to max): tests that provoke preemption. */
  oversubscribe?: boolean;
}

/**
 * The thread count (caller included), one rule for the native and wasm backends: unset means
 * every core; a request above the cores or the backend's maximum is clamped with a notice
 * (999 threads once meant 999 workers); anything but a positive integer is an error naming
 * `source` (the option or environment variable it came from).
 */
export function resolveThreads(
  requested: number | string | undefined,
  source: string,
  limits: ThreadLimits,
  notice: (message: string) => void,
): number {
  const fit = Math.max(1, Math.min(limits.cores, limits.max));
  if (requested === undefined || requested === '') return fit;
  const limit = limits.oversubscribe === true ? limits.max : fit;
  const n = typeof requested === 'number' ? requested : /^\d+$/.test(requested) ? +requested : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new BackendSettingsError(
      `${source} must be a positive integer, got '${String(requested)}'`,
    );
  }
  if (n <= limit) return n;
  const why =
    limit < limits.max
      ? `this machine has ${limits.cores} cores`
      : `the ${limits.backend} backend runs at most ${limits.max} threads`;
  notice(`${source} ${n}: ${why}; using ${limit}`);
  return limit;
}

/** A value of `source` that must be one of `options` (unset: undefined). */
export function resolveChoice<T extends string>(
  value: string | undefined,
  source: string,
  options: readonly T[],
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(options as readonly string[]).includes(value)) {
    throw new BackendSettingsError(
      `${source} must be one of ${options.join(', ')}, got '${value}'`,
    );
  }
  return value as T;
}
