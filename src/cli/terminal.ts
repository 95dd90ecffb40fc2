import type { ProgressSink } from '../models/progbar.js';

/** Where commands write: results and logs on stdout, live progress on stdout too (as Keras). */
export const terminal = {
  log: (line: string): void => {
    process.stdout.write(line + '\n');
  },
  progress: {
    isTTY: process.stdout.isTTY === true,
    write: (text: string) => process.stdout.write(text),
  } satisfies ProgressSink,
};
