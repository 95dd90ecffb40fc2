/**
 * Runs `work` with a signal that the first Ctrl-C aborts (training finishes its batch and
 * saves); a second Ctrl-C quits at once.
 */
export async function withCtrlC<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write('\nStopping after this batch (Ctrl-C again to quit now)…\n');
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
