import type { CallbackState, Logs, StatefulCallback } from '../callbacks.js';
import type { NamedWeight, Sequential } from '../sequential.js';
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

export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** An improvement must beat the best by more than this. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  mode?: MonitorMode;
  /** Training stops unless the monitored value beats this. */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all. Default 0. */
  startFromEpoch?: number;
}

/** Keras 3's EarlyStopping: stop when the monitored value has stopped improving. */
export class EarlyStopping implements StatefulCallback {
  readonly stateKey = 'early_stopping';
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement. */
  wait = 0;
  best: number | null = null;
  /** 0-based epoch of the best value. */
  bestEpoch = 0;
  /** 0-based epoch at which training was stopped, or 0. */
  stoppedEpoch = 0;
  private bestWeights: NamedWeight[] | null = null;
  private model: Sequential | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const owner = 'EarlyStopping';
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(nonNegative(owner, 'minDelta', options.minDelta ?? 0));
    this.patience = nonNegative(owner, 'patience', options.patience ?? 0);
    this.mode = resolveMode(owner, this.monitor, options.mode ?? 'auto');
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = nonNegative(owner, 'startFromEpoch', options.startFromEpoch ?? 0);
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = null;
    this.bestEpoch = 0;
    this.stoppedEpoch = 0;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = monitored('EarlyStopping', this.monitor, logs);
    if (epoch < this.startFromEpoch) return;
    const model = requireModel('EarlyStopping', this.model);
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Until something improves, the weights at hand are the best seen.
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (improves(this.mode, current, this.best, this.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // Patience restarts only once the value also beats the baseline.
      if (this.baseline === null || improves(this.mode, current, this.baseline, this.minDelta))
        this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null)
      requireModel('EarlyStopping', this.model).setWeights(this.bestWeights);
  }

  getState(): CallbackState {
    return {
      values: {
        wait: this.wait,
        best: this.best,
        bestEpoch: this.bestEpoch,
        stoppedEpoch: this.stoppedEpoch,
      },
      ...(this.bestWeights ? { weights: this.bestWeights } : {}),
    };
  }

  setState({ values, weights }: CallbackState): void {
    const owner = 'EarlyStopping';
    this.wait = savedCount(owner, 'wait', values.wait);
    this.best = numberOrNull(owner, 'best', values.best);
    this.bestEpoch = savedCount(owner, 'bestEpoch', values.bestEpoch);
    this.stoppedEpoch = savedCount(owner, 'stoppedEpoch', values.stoppedEpoch);
    this.bestWeights = weights ?? null;
  }
}
