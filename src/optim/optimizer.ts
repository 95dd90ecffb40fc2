import type { Backend } from '../backend/backend.js';
import type { GradientClip } from '../backend/optimizer-ops.js';
import { getBackend } from '../backend/registry.js';
import type { Param } from '../layers/layer.js';
import type { FloatArray } from '../tensor/tensor.js';

/** What a checkpoint stores: the step count and every parameter's slots, in params() order. */
export interface OptimizerState {
  /** Updates applied so far (Keras's `iterations`). */
  step: number;
  /** slots[i] are the arrays of parameter i (e.g. Adam: [m, v]); empty before the first step. */
  slots: FloatArray[][];
}

/** The settings that rebuild an optimizer through getOptimizer (name included). */
export interface OptimizerConfig {
  name: string;
  [option: string]: unknown;
}

export interface Optimizer {
  /** Keras name: 'sgd', 'rmsprop', 'adam'. */
  readonly name: string;
  /** Read at every apply(), so a scheduler may change it between steps. */
  learningRate: number;
  /**
   * One update of every param from its grad (grads are read, never written; the caller zeroes
   * them afterwards). Slots are allocated through `backend` on first use, so pass the model's
   * backend; it defaults to the current global one. Params must come in the same order, with
   * the same sizes, at every call.
   */
  apply(params: Param[], backend?: Backend): void;
  /** Arrays the optimizer keeps per parameter once it has stepped (Adam: m and v). */
  readonly slotsPerParam: number;
  getConfig(): OptimizerConfig;
  /** A copy of the state: later steps do not change it. */
  getState(): OptimizerState;
  /** Continues from a saved state: the next apply() behaves exactly as the saver's would. */
  setState(state: OptimizerState): void;
}

/** Options every optimizer takes. At most one of clipnorm and clipvalue (as Keras). */
export interface ClipOptions {
  /** Rescale each parameter's gradient so its L2 norm is at most this. */
  clipnorm?: number;
  /** Clamp every gradient value to [−clipvalue, clipvalue]. */
  clipvalue?: number;
}

/** Validates an optimizer's options: `<Name>: <option> must be …, got …`. */
export class OptionChecker {
  constructor(
    readonly owner: string,
    options: object,
    allowed: readonly string[],
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new Error(`${owner}: expected an options object, got ${String(options)}`);
    }
    const known = [...allowed, 'clipnorm', 'clipvalue'];
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new Error(`${owner}: unknown option '${key}' (known: ${known.join(', ')})`);
      }
    }
  }

  /** A finite number in [low, high] (high exclusive when `open`). */
  range(key: string, value: unknown, low: number, high: number, open = false): number {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= low &&
      (open ? value < high : value <= high);
    if (!ok) {
      const upper = high === Infinity ? '∞)' : `${high}${open ? ')' : ']'}`;
      throw new Error(
        `${this.owner}: ${key} must be a number in [${low}, ${upper}, got ${String(value)}`,
      );
    }
    return value as number;
  }

  positive(key: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error(`${this.owner}: ${key} must be a positive number, got ${String(value)}`);
    }
    return value;
  }

  boolean(key: string, value: unknown): boolean {
    if (typeof value !== 'boolean') {
      throw new Error(`${this.owner}: ${key} must be a boolean, got ${String(value)}`);
    }
    return value;
  }
}

/**
 * The shared machinery: gradient clipping, the step count and slot storage. A subclass says how
 * many slots a parameter has and runs its fused backend kernel in update().
 */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: string;
  learningRate: number;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  private step = 0;
  private slots: FloatArray[][] | null = null;
  /** The backend the slots live on; null after setState until the next apply moves them there. */
  private slotBackend: Backend | null = null;

  protected constructor(check: OptionChecker, learningRate: number, clip: ClipOptions) {
    this.learningRate = check.positive('learningRate', learningRate);
    this.clipnorm = clip.clipnorm === undefined ? null : check.positive('clipnorm', clip.clipnorm);
    this.clipvalue =
      clip.clipvalue === undefined ? null : check.positive('clipvalue', clip.clipvalue);
    if (this.clipnorm !== null && this.clipvalue !== null) {
      throw new Error(`${check.owner}: set at most one of clipnorm and clipvalue`);
    }
  }

  /** Updates applied so far (Keras's `iterations`). */
  get iterations(): number {
    return this.step;
  }

  abstract readonly slotsPerParam: number;

  /** One fused update of p; `step` counts from 1 at the first apply(). */
  protected abstract update(
    backend: Backend,
    p: Param,
    clip: GradientClip,
    slots: FloatArray[],
    step: number,
  ): void;

  abstract getConfig(): OptimizerConfig;

  apply(params: Param[], backend: Backend = getBackend()): void {
    const slots = this.slotsFor(params, backend);
    const step = this.step + 1;
    params.forEach((p, i) => this.update(backend, p, this.clipFor(p, backend), slots[i], step));
    this.step = step;
  }

  getState(): OptimizerState {
    return { step: this.step, slots: (this.slots ?? []).map((s) => s.map((a) => a.slice())) };
  }

  setState(state: OptimizerState): void {
    const { step, slots } = state;
    if (!Number.isInteger(step) || step < 0) {
      throw new Error(`${this.name}: state step must be a non-negative integer, got ${step}`);
    }
    if (!Array.isArray(slots) || slots.some((s) => s.length !== this.slotsPerParam)) {
      throw new Error(
        `${this.name}: state must hold ${this.slotsPerParam} slot arrays per parameter`,
      );
    }
    this.step = step;
    this.slots = slots.length === 0 ? null : slots.map((s) => s.map((a) => a.slice()));
    this.slotBackend = null;
  }

  /** Clip options as they appear in getConfig (only those set). */
  protected clipConfig(): ClipOptions {
    return {
      ...(this.clipnorm !== null && { clipnorm: this.clipnorm }),
      ...(this.clipvalue !== null && { clipvalue: this.clipvalue }),
    };
  }

  /** Keras's per-variable clip_by_norm (g·c / max(‖g‖, c)) folded into a scale. */
  private clipFor(p: Param, backend: Backend): GradientClip {
    let scale = 1;
    if (this.clipnorm !== null) {
      const norm = Math.sqrt(backend.sumSquares(p.grad.data, p.grad.size));
      scale = this.clipnorm / Math.max(norm, this.clipnorm);
    }
    return { scale, clipValue: this.clipvalue ?? Infinity };
  }

  private slotsFor(params: Param[], backend: Backend): FloatArray[][] {
    const { slotsPerParam } = this;
    if (this.slots === null) {
      this.slots = params.map((p) =>
        Array.from({ length: slotsPerParam }, () => backend.alloc(p.value.size)),
      );
      this.slotBackend = backend;
      return this.slots;
    }
    const slots = this.slots;
    if (slots.length !== params.length) {
      throw new Error(
        `${this.name}: state has slots for ${slots.length} parameters, got ${params.length}`,
      );
    }
    params.forEach((p, i) => {
      for (const slot of slots[i]) {
        if (slot.length !== p.value.size) {
          throw new Error(
            `${this.name}: slot of parameter ${i} ('${p.name}') holds ${slot.length} values, ` +
              `the parameter ${p.value.size}`,
          );
        }
      }
    });
    if (this.slotBackend !== backend) {
      // Restored (or moved) state: the backend owns the memory its kernels run on.
      this.slots = slots.map((s) =>
        s.map((a) => {
          const copy = backend.alloc(a.length);
          copy.set(a);
          return copy;
        }),
      );
      this.slotBackend = backend;
    }
    return this.slots;
  }
}
