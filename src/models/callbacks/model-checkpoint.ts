import type { CallbackState, Logs, StatefulCallback } from '../callbacks.js';
import type { Sequential } from '../sequential.js';
import {
  improves,
  monitored,
  numberOrNull,
  requireModel,
  resolveMode,
  type MonitorMode,
} from './monitor.js';

export interface ModelCheckpointOptions {
  /**
   * The model directory to write (model.json + weights.safetensors). As in Keras it may name
   * the epoch (from 1) and any log value: `runs/ckpt-{epoch:02d}-{val_loss:.3f}`.
   */
  filepath: string;
  /** Default 'val_loss'. */
  monitor?: string;
  /** Save only when the monitored value beats the best so far. Default false. */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
}

/** Keras's ModelCheckpoint: saves the model at the end of every epoch, or of every better one. */
export class ModelCheckpoint implements StatefulCallback {
  readonly stateKey = 'model_checkpoint';
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: 'min' | 'max';
  best: number | null = null;
  /** The directory written last, or null. */
  lastSaved: string | null = null;
  private model: Sequential | null = null;

  constructor(options: ModelCheckpointOptions) {
    if (typeof options?.filepath !== 'string' || options.filepath === '')
      throw new Error('ModelCheckpoint: filepath must be a non-empty string');
    this.filepath = options.filepath;
    this.monitor = options.monitor ?? 'val_loss';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.mode = resolveMode('ModelCheckpoint', this.monitor, options.mode ?? 'auto');
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.best = null;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const current = monitored('ModelCheckpoint', this.monitor, logs);
      if (!improves(this.mode, current, this.best, 0)) return;
      this.best = current;
    }
    this.lastSaved = formatPath(this.filepath, { epoch: epoch + 1, ...logs });
    await requireModel('ModelCheckpoint', this.model).save(this.lastSaved);
  }

  getState(): CallbackState {
    return { values: { best: this.best } };
  }

  setState({ values }: CallbackState): void {
    this.best = numberOrNull('ModelCheckpoint', 'best', values.best);
  }
}

/** Python-style `{name}`, `{name:02d}`, `{name:.4f}` fields filled from the logs. */
export function formatPath(template: string, values: Logs): string {
  return template.replace(
    /\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g,
    (field, key, zero, width, digits, kind) => {
      if (!Object.hasOwn(values, key))
        throw new Error(
          `ModelCheckpoint: ${field} names no log value (${Object.keys(values).join(', ')})`,
        );
      const v = values[key];
      const text =
        kind === 'd'
          ? String(Math.round(v))
          : kind === 'f'
            ? v.toFixed(Number(digits || 6))
            : String(v);
      return width ? text.padStart(Number(width), zero ? '0' : ' ') : text;
    },
  );
}
