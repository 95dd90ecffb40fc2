import type { EpochRecord, History } from './sequential.js';

/**
 * What fit returns: `epochs` (one record per epoch, as history.json stores it) and Keras's views
 * of the same numbers, `history.history.loss` and `history.epoch`. The views are getters, so the
 * object still serializes to `{"epochs": […]}`.
 */
export class FitHistory implements History {
  constructor(readonly epochs: EpochRecord[]) {}

  /** Keras's `History.history`: each metric's value per epoch, e.g. `{loss: […], val_loss: […]}`. */
  get history(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const record of this.epochs) {
      for (const [key, value] of Object.entries(record)) {
        if (key === 'epoch' || key === 'seconds') continue;
        (out[key] ??= []).push(value);
      }
    }
    return out;
  }

  /** Keras's `History.epoch`: the epochs run, counted from 0. */
  get epoch(): number[] {
    return this.epochs.map((e) => e.epoch - 1);
  }
}
