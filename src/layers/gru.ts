import type { SequenceCell } from '../backend/recurrent-ops.js';
import { matrix } from '../backend/core-ops.js';
import type { FloatArray, Shape } from '../tensor/tensor.js';
import type { LayerConfig } from './layer.js';
import {
  RecurrentLayer,
  registerRecurrentLayer,
  type BackwardBuffers,
  type RecurrentOptions,
  type SequencePass,
} from './recurrent.js';

export interface GRUOptions extends RecurrentOptions {
  /** Apply the reset gate after the recurrent matmul (Keras 2.x+ default, cuDNN-compatible). */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit, Keras layout: kernel [D, 3H], recurrent_kernel [H, 3H], gates z, r, h.
 *   z = σ(x·W_z + h_{t−1}·U_z + b_z), r likewise, h = z⊙h_{t−1} + (1−z)⊙hh, with
 *   resetAfter=true:  hh = tanh(x·W_h + b_in_h + r ⊙ (h_{t−1}·U_h + b_rec_h)), bias [2, 3H]
 *                     (row 0 input bias, row 1 recurrent bias);
 *   resetAfter=false: hh = tanh(x·W_h + (r ⊙ h_{t−1})·U_h + b_h), bias [3H].
 * (PyTorch's nn.GRU is resetAfter=true with gates ordered r, z, n and h = (1−z)⊙n + z⊙h_{t−1},
 * the same z; weight_ih is [3H, D], i.e. Wᵀ with rows permuted.)
 */
export class GRU extends RecurrentLayer {
  readonly className = 'GRU';
  readonly resetAfter: boolean;
  protected readonly gateCount = 3;
  readonly gateNames: readonly string[] = ['update', 'reset', 'candidate'];
  protected readonly cell: SequenceCell;
  /** resetAfter: [T, B, 3H] gradient of the recurrent projection. */
  private dRec: FloatArray | null = null;

  constructor(options: GRUOptions) {
    super(options, 'GRU', ['resetAfter']);
    if (options.resetAfter !== undefined && typeof options.resetAfter !== 'boolean') {
      throw new Error('GRU: resetAfter must be a boolean');
    }
    this.resetAfter = options.resetAfter ?? true;
    this.cell = { kind: 'gru', resetAfter: this.resetAfter };
  }

  protected override biasShape(): Shape {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }

  /** Row 1 of the resetAfter bias (row 0, the input bias, is handled by the base). */
  private recurrentBias(which: 'value' | 'grad'): FloatArray | null {
    if (!this.resetAfter || this.bias === null) return null;
    return this.bias[which].data.subarray(3 * this.units);
  }

  protected override beginForward(p: SequencePass): void {
    const rows = p.steps * p.batch;
    const H3 = 3 * this.units;
    p.rec = this.ws.get('rec', rows * H3);
    // resetAfter: the sequence op starts each step's rec from the recurrent bias.
    p.recurrentBias = this.recurrentBias('value');
    p.rh = this.resetAfter ? null : this.ws.get('rh', rows * this.units);
  }

  protected override beginBackward(p: SequencePass): BackwardBuffers {
    const BH = p.batch * this.units;
    this.dRec = this.resetAfter ? this.ws.get('dRec', p.steps * 3 * BH) : null;
    return { dc: null, dRec: this.dRec, dRh: this.resetAfter ? null : this.ws.get('dRh', BH) };
  }

  protected override recurrentGradients(p: SequencePass, dGates: FloatArray): void {
    const H = this.units;
    const rows = p.steps * p.batch;
    const dU = this.U.grad.data;
    const be = this.backend;
    if (this.resetAfter) {
      const dRec = this.dRec as FloatArray;
      be.gemm(
        matrix(p.hIn, rows, H, { transposed: true }),
        matrix(dRec, rows, 3 * H),
        matrix(dU, H, 3 * H),
        1,
      );
      const recBiasGrad = this.recurrentBias('grad');
      if (recBiasGrad !== null) be.sumRows(dRec, rows, 3 * H, recBiasGrad, 1);
      return;
    }
    // z and r see h_in; the candidate sees r ⊙ h_in.
    be.gemm(
      matrix(p.hIn, rows, H, { transposed: true }),
      matrix(dGates, rows, 2 * H, { stride: 3 * H }),
      matrix(dU, H, 2 * H, { stride: 3 * H }),
      1,
    );
    const rh = p.rh as FloatArray;
    be.gemm(
      matrix(rh, rows, H, { transposed: true }),
      matrix(dGates, rows, H, { offset: 2 * H, stride: 3 * H }),
      matrix(dU, H, H, { offset: 2 * H, stride: 3 * H }),
      1,
    );
  }
}

registerRecurrentLayer('GRU', (config) => new GRU(config as unknown as GRUOptions));
