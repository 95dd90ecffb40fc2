import type { Callback, Logs, TrainInfo } from './callbacks.js';

/** Where the progress goes: a terminal gets a live bar, anything else one line per epoch. */
export interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
}

const BAR_WIDTH = 20;
const REDRAW_MS = 100;

/** Keras's metric order: the training metrics (alphabetically), then the validation ones. */
export function formatLogs(logs: Logs): string {
  const keys = Object.keys(logs).filter((k) => k !== 'seconds');
  const train = keys.filter((k) => !k.startsWith('val_')).sort();
  const val = keys.filter((k) => k.startsWith('val_')).sort();
  return [...train, ...val].map((k) => ` - ${k}: ${logs[k].toFixed(4)}`).join('');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m < 60 ? `${m}m ${s}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

function formatPerStep(seconds: number): string {
  const ms = seconds * 1000;
  return ms >= 1 ? `${Math.round(ms)}ms/step` : `${Math.round(ms * 1000)}us/step`;
}

/**
 * Keras-style progress: `313/313 ━━━━━━━━━━━━━━━━━━━━ 5s 11ms/step - accuracy: 0.9123 - loss: …`.
 * On a terminal the bar is redrawn in place during the epoch (with the time left); otherwise one
 * clean line is written when the epoch ends.
 */
export class ProgressLogger implements Callback {
  private epochs = 0;
  private steps = 0;
  private epochStart = 0;
  private lastDraw = 0;

  constructor(private readonly sink: ProgressSink) {}

  onTrainBegin(info: TrainInfo): void {
    this.epochs = info.epochs;
    this.steps = info.stepsPerEpoch;
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.sink.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.sink.isTTY) return;
    const now = performance.now();
    const done = batch + 1;
    if (done < this.steps && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const perStep = elapsed / done;
    const filled = Math.round((BAR_WIDTH * done) / this.steps);
    const bar = `\x1b[1m${'━'.repeat(filled)}\x1b[0m\x1b[2m${'━'.repeat(BAR_WIDTH - filled)}\x1b[0m`;
    const time =
      done < this.steps
        ? `${formatDuration(perStep * (this.steps - done))} `
        : `${formatDuration(elapsed)} `;
    const eta = done < this.steps ? 'ETA ' : '';
    this.sink.write(
      `\r\x1b[2K${this.pad(done)}/${this.steps} ${bar} ${eta}${time}${formatPerStep(perStep)}${formatLogs(logs)}`,
    );
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const elapsed = (performance.now() - this.epochStart) / 1000;
    const perStep = formatPerStep(elapsed / Math.max(1, this.steps));
    const head = `${this.steps}/${this.steps}`;
    if (this.sink.isTTY) {
      const bar = '━'.repeat(BAR_WIDTH);
      this.sink.write(
        `\r\x1b[2K${head} ${bar} ${formatDuration(elapsed)} ${perStep}${formatLogs(logs)}\n`,
      );
    } else {
      this.sink.write(`${head} - ${formatDuration(elapsed)} - ${perStep}${formatLogs(logs)}\n`);
    }
  }

  private pad(done: number): string {
    return String(done).padStart(String(this.steps).length);
  }
}

/** Keras's fit verbosity: 0 silent, 1 progress bar, 2 one line per epoch. */
export type Verbosity = 0 | 1 | 2;

/** Lines for a console (a browser, or Node without a stdout stream): written whole. */
function consoleSink(): ProgressSink {
  let line = '';
  return {
    isTTY: false,
    write(text: string) {
      line += text;
      const end = line.lastIndexOf('\n');
      if (end < 0) return;
      for (const l of line.slice(0, end).split('\n')) console.log(l);
      line = line.slice(end + 1);
    },
  };
}

/** The logger fit adds for `verbose`: stdout in Node (a bar on a terminal), else the console. */
export function progressLogger(verbose: Verbosity): ProgressLogger | null {
  if (verbose !== 0 && verbose !== 1 && verbose !== 2)
    throw new Error(`verbose must be 0, 1 or 2, got ${String(verbose)}`);
  if (verbose === 0) return null;
  const stdout = (globalThis as { process?: { stdout?: ProgressSink } }).process?.stdout;
  const sink = stdout ?? consoleSink();
  const tty = verbose === 1 && Boolean(sink.isTTY);
  return new ProgressLogger({ isTTY: tty, write: (text) => sink.write(text) });
}
