import type { FloatArray } from '../tensor/tensor.js';
import type { LayerConfig } from './layer.js';
import {
  RecurrentLayer,
  registerRecurrentLayer,
  type BackwardBuffers,
  type RecurrentOptions,
  type SequencePass,
} from './recurrent.js';

export interface LSTMOptions extends RecurrentOptions {
  /** Start the forget-gate bias at 1 (Keras default), so early training remembers. */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber), Keras layout: kernel [D, 4H],
 * recurrent_kernel [H, 4H], bias [4H], gates side by side in the order i, f, c (written g
 * below), o. Activation tanh, recurrent activation sigmoid:
 *   i, f, o = σ(x·W + h_{t−1}·U + b) slices; g = tanh(…); c = f⊙c_{t−1} + i⊙g; h = o⊙tanh(c).
 * (PyTorch orders its gates i, f, g, o too, but stores weight_ih as [4H, D], i.e. Wᵀ, and
 * splits the bias into b_ih + b_hh.)
 */
export class LSTM extends RecurrentLayer {
  readonly className = 'LSTM';
  readonly unitForgetBias: boolean;
  protected readonly gateCount = 4;
  readonly gateNames: readonly string[] = ['input', 'forget', 'candidate', 'output'];
  protected readonly cell = { kind: 'lstm' } as const;

  constructor(options: LSTMOptions) {
    super(options, 'LSTM', ['unitForgetBias']);
    if (options.unitForgetBias !== undefined && typeof options.unitForgetBias !== 'boolean') {
      throw new Error('LSTM: unitForgetBias must be a boolean');
    }
    this.unitForgetBias = options.unitForgetBias ?? true;
  }

  protected override initBias(bias: FloatArray): void {
    if (this.unitForgetBias) bias.fill(1, this.units, 2 * this.units);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }

  protected override beginForward(p: SequencePass): void {
    const BH = p.batch * this.units;
    p.c = this.ws.get('c', (p.steps + 1) * BH);
    p.c.fill(0, 0, BH);
  }

  protected override beginBackward(p: SequencePass): BackwardBuffers {
    const dc = this.ws.get('dc', p.batch * this.units);
    return { dc: dc.fill(0), dRec: null, dRh: null };
  }
}

registerRecurrentLayer('LSTM', (config) => new LSTM(config as unknown as LSTMOptions));
