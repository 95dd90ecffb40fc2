import type { CallbackState, Logs, StatefulCallback } from '../callbacks.js';
import type { Sequential } from '../sequential.js';
import {
  improves,
  monitored,
  nonNegative,
  numberOrNull,
  requireModel,
  resolveMode,
  savedCount,
  type MonitorMode,
} from './monitor.js';

export interface ReduceLROnPlateauOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** New rate = rate × factor, with 0 < factor < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  mode?: MonitorMode;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The rate never goes below this. Default 0. */
  minLr?: number;
}

/** Keras's ReduceLROnPlateau: lower the learning rate when the monitored value stalls. */
export class ReduceLROnPlateau implements StatefulCallback {
  readonly stateKey = 'reduce_lr_on_plateau';
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  wait = 0;
  cooldownCounter = 0;
  best: number | null = null;
  private model: Sequential | null = null;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    const owner = 'ReduceLROnPlateau';
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1))
      throw new Error(`${owner}: factor must be in (0, 1), got ${String(options.factor)}`);
    this.patience = nonNegative(owner, 'patience', options.patience ?? 10);
    this.mode = resolveMode(owner, this.monitor, options.mode ?? 'auto');
    this.minDelta = nonNegative(owner, 'minDelta', options.minDelta ?? 1e-4);
    this.cooldown = nonNegative(owner, 'cooldown', options.cooldown ?? 0);
    this.minLr = nonNegative(owner, 'minLr', options.minLr ?? 0);
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = null;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const current = monitored('ReduceLROnPlateau', this.monitor, logs);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter === 0 && ++this.wait >= this.patience) {
      const optimizer = requireModel('ReduceLROnPlateau', this.model).optimizer;
      // Compared in float32 as Keras does, so a rate already at minLr is left alone.
      if (optimizer.learningRate > Math.fround(this.minLr)) {
        optimizer.learningRate = Math.max(optimizer.learningRate * this.factor, this.minLr);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }

  getState(): CallbackState {
    return { values: { wait: this.wait, cooldownCounter: this.cooldownCounter, best: this.best } };
  }

  setState({ values }: CallbackState): void {
    const owner = 'ReduceLROnPlateau';
    this.wait = savedCount(owner, 'wait', values.wait);
    this.cooldownCounter = savedCount(owner, 'cooldownCounter', values.cooldownCounter);
    this.best = numberOrNull(owner, 'best', values.best);
  }
}
