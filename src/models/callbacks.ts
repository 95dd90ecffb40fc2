import type { NamedWeight, Sequential } from './sequential.js';

/** Numbers reported at the end of a batch or an epoch: loss, accuracy, val_loss, val_accuracy, … */
export type Logs = Record<string, number>;

/**
 * Hooks called by Sequential.fit, with Keras's names and meaning. Epochs and batches are counted
 * from 0 here as in Keras; the log lines show them from 1. Any hook may be async.
 */
export interface Callback {
  /** Called by fit before any hook, with the model being trained (Keras's set_model). */
  setModel?(model: Sequential): void;
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

/** A callback's memory (best value, patience counter, best weights…), as a checkpoint keeps it. */
export interface CallbackState {
  /** JSON-safe numbers, strings, booleans or nulls. */
  values: Record<string, number | string | boolean | null>;
  weights?: NamedWeight[];
}

/**
 * A callback whose memory must survive a resumed run (EarlyStopping's patience, for one). fit
 * restores the state after onTrainBegin, which would otherwise reset it.
 */
export interface StatefulCallback extends Callback {
  /** Names this callback's part of a checkpoint; unique among one fit's callbacks. */
  readonly stateKey: string;
  getState(): CallbackState;
  setState(state: CallbackState): void;
}

export function isStateful(cb: Callback): cb is StatefulCallback {
  const s = cb as Partial<StatefulCallback>;
  return typeof s.stateKey === 'string' && typeof s.getState === 'function';
}

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {
    const keys = callbacks.filter(isStateful).map((cb) => cb.stateKey);
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice !== undefined) throw new Error(`two callbacks share the state key '${twice}'`);
  }

  async call<K extends keyof Omit<Callback, 'setModel'>>(
    hook: K,
    ...args: Parameters<NonNullable<Callback[K]>>
  ): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as ((...a: typeof args) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(cb, args);
    }
  }

  setModel(model: Sequential): void {
    for (const cb of this.callbacks) cb.setModel?.(model);
  }

  /** Every stateful callback's state, by key. */
  getState(): Record<string, CallbackState> {
    const out: Record<string, CallbackState> = Object.create(null);
    for (const cb of this.callbacks.filter(isStateful)) out[cb.stateKey] = cb.getState();
    return out;
  }

  /** Restores the callbacks found in `states`; a callback without a saved state keeps its own. */
  setState(states: Record<string, CallbackState>): void {
    for (const cb of this.callbacks.filter(isStateful)) {
      if (Object.hasOwn(states, cb.stateKey)) cb.setState(states[cb.stateKey]);
    }
  }
}
