import type { RecurrentActivation } from '../backend/recurrent-ops.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { LayerConfig } from './layer.js';
import {
  RecurrentLayer,
  registerRecurrentLayer,
  type RecurrentOptions,
  type SequencePass,
} from './recurrent.js';

export interface SimpleRNNOptions extends RecurrentOptions {
  activation?: RecurrentActivation;
}

const ACTIVATIONS: readonly RecurrentActivation[] = ['tanh', 'sigmoid', 'relu', 'linear'];

/**
 * Fully connected recurrence h = f(x·W + h_{t−1}·U + b), Keras layout: kernel [D, H],
 * recurrent_kernel [H, H], bias [H].
 */
export class SimpleRNN extends RecurrentLayer {
  readonly className = 'SimpleRNN';
  readonly activation: RecurrentActivation;
  protected readonly gateCount = 1;
  readonly gateNames: readonly string[] = [];

  constructor(options: SimpleRNNOptions) {
    super(options, 'SimpleRNN', ['activation']);
    const activation = options.activation ?? 'tanh';
    if (!ACTIVATIONS.includes(activation)) {
      throw new Error(
        `SimpleRNN: activation must be one of ${ACTIVATIONS.join(', ')}, got ${String(activation)}`,
      );
    }
    this.activation = activation;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation };
  }

  protected beginForward(): void {}

  protected forwardStep(p: SequencePass, s: number): void {
    const BH = p.batch * this.units;
    this.addRecurrentProjection(p, s);
    this.backend.rnnCellForward(
      this.activation,
      p.batch,
      this.units,
      p.gates,
      s * BH,
      p.h,
      s * BH,
      p.h,
      (s + 1) * BH,
      p.mask,
      s * p.batch,
    );
  }

  protected beginBackward(): void {}

  protected backwardStep(
    p: SequencePass,
    s: number,
    dGates: FloatArray,
    dH: FloatArray,
    dHIn: FloatArray,
    dHInOffset: number,
  ): void {
    const BH = p.batch * this.units;
    this.backend.rnnCellBackward(
      this.activation,
      p.batch,
      this.units,
      p.gates,
      s * BH,
      dH,
      s * BH,
      dGates,
      s * BH,
      s > 0 ? dH : null,
      (s - 1) * BH,
      p.mask,
      s * p.batch,
    );
    if (s > 0) this.backpropRecurrent(p, s, dGates, dHIn, dHInOffset);
  }
}

registerRecurrentLayer(
  'SimpleRNN',
  (config) => new SimpleRNN(config as unknown as SimpleRNNOptions),
);
