import { Tensor, type FloatArray, type Shape } from '../tensor/tensor.js';
import { checkKeys, optionalName } from './common.js';
import { Layer, type ForwardContext, type LayerConfig } from './layer.js';

export interface DropoutOptions {
  /** Fraction of inputs zeroed during training, in [0, 1). */
  rate: number;
  name?: string;
}

/**
 * Keras Dropout (inverted): in training each value is kept with probability 1 − rate and scaled
 * by 1/(1 − rate), the mask drawn from ctx.rng; at inference it is the identity.
 */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  /** The last training mask, already scaled (0 or 1/(1 − rate)); null after an identity pass. */
  private mask: FloatArray | null = null;

  constructor(options: DropoutOptions) {
    checkKeys('Dropout', options, ['rate', 'name']);
    super(optionalName('Dropout', options.name));
    const { rate } = options;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new Error(`Dropout: rate must be a number in [0, 1), got ${String(rate)}`);
    }
    this.rate = rate;
  }

  outputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (!ctx.training || this.rate === 0) {
      this.mask = null;
      return x;
    }
    const mask = this.ws.get('mask', x.size);
    const keep = 1 / (1 - this.rate);
    for (let i = 0; i < x.size; i++) mask[i] = ctx.rng.next() < this.rate ? 0 : keep;
    const y = this.ws.get('y', x.size);
    this.backend.multiply(x.data, mask, y, x.size);
    this.mask = mask;
    return new Tensor(y, x.shape);
  }

  backward(dy: Tensor): Tensor {
    if (this.mask === null) return dy;
    const dx = this.ws.get('dx', dy.size);
    this.backend.multiply(dy.data, this.mask, dx, dy.size);
    return new Tensor(dx, dy.shape);
  }

  getConfig(): LayerConfig {
    return { name: this.name, rate: this.rate } satisfies DropoutOptions;
  }
}
