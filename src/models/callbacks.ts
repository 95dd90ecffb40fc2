/** Numbers reported at the end of a batch or an epoch: loss, accuracy, val_loss, val_accuracy, … */
export type Logs = Record<string, number>;

/**
 * Hooks called by Sequential.fit, with Keras's names and meaning. Epochs and batches are counted
 * from 0 here as in Keras; the log lines show them from 1. Any hook may be async.
 */
export interface Callback {
  onTrainBegin?(info: TrainInfo): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

/** What fit tells callbacks when it starts. */
export interface TrainInfo {
  readonly epochs: number;
  readonly initialEpoch: number;
  readonly stepsPerEpoch: number;
  readonly samples: number;
  readonly validationSamples: number;
}

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  constructor(private readonly callbacks: readonly Callback[]) {}

  async call<K extends keyof Callback>(
    hook: K,
    ...args: Parameters<NonNullable<Callback[K]>>
  ): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as ((...a: typeof args) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(cb, args);
    }
  }
}
