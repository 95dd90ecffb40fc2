import type { CallbackState, StatefulCallback } from '../callbacks.js';
import type { Sequential } from '../sequential.js';
import { requireModel, savedCount } from './monitor.js';

/** The new rate for a 0-based epoch, given the current one. */
export type Schedule = (epoch: number, learningRate: number) => number;

/** Keras's LearningRateScheduler: sets the optimizer's rate at the start of every epoch. */
export class LearningRateScheduler implements StatefulCallback {
  readonly stateKey = 'learning_rate_scheduler';
  /** The epoch whose rate is set: a resumed epoch begins again and must not be scheduled twice. */
  private scheduledEpoch = -1;
  private model: Sequential | null = null;

  constructor(readonly schedule: Schedule) {
    if (typeof schedule !== 'function')
      throw new Error('LearningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    if (epoch === this.scheduledEpoch) return;
    const optimizer = requireModel('LearningRateScheduler', this.model).optimizer;
    const lr = this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
      throw new Error(
        `LearningRateScheduler: the schedule gave ${String(lr)} for epoch ${epoch}; a rate must be a positive number`,
      );
    }
    optimizer.learningRate = lr;
    this.scheduledEpoch = epoch;
  }

  getState(): CallbackState {
    return { values: { scheduledEpoch: this.scheduledEpoch + 1 } };
  }

  setState({ values }: CallbackState): void {
    this.scheduledEpoch =
      savedCount('LearningRateScheduler', 'scheduledEpoch', values.scheduledEpoch) - 1;
  }
}
