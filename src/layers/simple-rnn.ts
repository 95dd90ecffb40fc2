import type { RecurrentActivation, SequenceCell } from '../backend/recurrent-ops.js';
import type { LayerConfig } from './layer.js';
import { RecurrentLayer, registerRecurrentLayer, type RecurrentOptions } from './recurrent.js';

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
  protected readonly cell: SequenceCell;

  constructor(options: SimpleRNNOptions) {
    super(options, 'SimpleRNN', ['activation']);
    const activation = options.activation ?? 'tanh';
    if (!ACTIVATIONS.includes(activation)) {
      throw new Error(
        `SimpleRNN: activation must be one of ${ACTIVATIONS.join(', ')}, got ${String(activation)}`,
      );
    }
    this.activation = activation;
    this.cell = { kind: 'simpleRnn', activation };
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation };
  }
}

registerRecurrentLayer(
  'SimpleRNN',
  (config) => new SimpleRNN(config as unknown as SimpleRNNOptions),
);
