/** A finished run: its wall time and epochs. */
export interface RunTime {
  seconds: number;
  epochs: number;
}

/**
 * Seconds left in a comparison, or null before any epoch has been timed. The current run is
 * expected to last as many epochs as the finished runs did on average (early stopping), or the
 * whole budget before any has finished; a waiting run as long as a finished one on average, or
 * as the current run is expected to. An estimate: the architectures differ in speed.
 */
export function estimateSecondsLeft(
  finished: readonly RunTime[],
  current: { seconds: number; epochsDone: number },
  waiting: number,
  epochBudget: number,
): number | null {
  const mean = (f: (r: RunTime) => number): number =>
    finished.reduce((s, r) => s + f(r), 0) / finished.length;
  const expectedEpochs = finished.length > 0 ? mean((r) => r.epochs) : epochBudget;
  const perEpoch =
    current.epochsDone > 0
      ? current.seconds / current.epochsDone
      : finished.length > 0
        ? mean((r) => r.seconds / r.epochs)
        : null;
  if (perEpoch === null) return null;
  const currentLeft =
    Math.max(
      0,
      Math.min(epochBudget, Math.max(expectedEpochs, current.epochsDone)) - current.epochsDone,
    ) * perEpoch;
  const perWaiting = finished.length > 0 ? mean((r) => r.seconds) : expectedEpochs * perEpoch;
  return currentLeft + waiting * perWaiting;
}
