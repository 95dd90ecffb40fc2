import type { FloatArray, Shape } from '../tensor/tensor.js';
import type { LayerConfig } from './layer.js';
import {
  RecurrentLayer,
  registerRecurrentLayer,
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
  /** [T, B, 3H] recurrent projection of every step (what hh and backward read). */
  private rec: FloatArray | null = null;
  /** resetAfter: [T, B, 3H] gradient of the recurrent projection. */
  private dRec: FloatArray | null = null;
  /** resetAfter=false: [T, B, H] r ⊙ h_in per step, and the [B, H] scratch for its gradient. */
  private rh: FloatArray | null = null;
  private dRh: FloatArray | null = null;

  constructor(options: GRUOptions) {
    super(options, 'GRU', ['resetAfter']);
    if (options.resetAfter !== undefined && typeof options.resetAfter !== 'boolean') {
      throw new Error('GRU: resetAfter must be a boolean');
    }
    this.resetAfter = options.resetAfter ?? true;
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

  protected beginForward(p: SequencePass): void {
    const rows = p.steps * p.batch;
    const H3 = 3 * this.units;
    this.rec = this.ws.get('rec', rows * H3);
    const recBias = this.recurrentBias('value');
    // The per-step gemm accumulates onto the recurrent bias, broadcast once here.
    if (recBias !== null) {
      this.rec.fill(0);
      this.backend.addRowVector(this.rec, rows, H3, recBias);
    }
    this.rh = this.resetAfter ? null : this.ws.get('rh', rows * this.units);
  }

  protected forwardStep(p: SequencePass, s: number): void {
    const H = this.units;
    const B = p.batch;
    const sH = s * B * H;
    const sG = 3 * sH;
    const rec = this.rec as FloatArray;
    const U = this.U.value.data;
    const be = this.backend;
    if (this.resetAfter) {
      const beta = this.bias === null ? 0 : 1;
      be.gemm(false, false, B, 3 * H, H, p.hIn, sH, H, U, 0, 3 * H, rec, sG, 3 * H, beta);
    } else {
      const rh = this.rh as FloatArray;
      be.gemm(false, false, B, 2 * H, H, p.hIn, sH, H, U, 0, 3 * H, rec, sG, 3 * H, 0);
      be.gruResetForward(B, H, p.gates, sG, rec, sG, p.hIn, sH, rh, sH);
      be.gemm(false, false, B, H, H, rh, sH, H, U, 2 * H, 3 * H, rec, sG + 2 * H, 3 * H, 0);
    }
    be.gruCellForward(
      this.resetAfter,
      B,
      H,
      p.gates,
      sG,
      rec,
      sG,
      p.h,
      sH,
      p.h,
      sH + B * H,
      p.mask,
      s * B,
    );
  }

  protected beginBackward(p: SequencePass): void {
    const BH = p.batch * this.units;
    this.dRec = this.resetAfter ? this.ws.get('dRec', p.steps * 3 * BH) : null;
    this.dRh = this.resetAfter ? null : this.ws.get('dRh', BH);
  }

  protected backwardStep(
    p: SequencePass,
    s: number,
    dGates: FloatArray,
    dH: FloatArray,
    dHIn: FloatArray,
    dHInOffset: number,
  ): void {
    const H = this.units;
    const B = p.batch;
    const sH = s * B * H;
    const sG = 3 * sH;
    const be = this.backend;
    const rec = this.rec as FloatArray;
    const dhPrev = s > 0 ? dH : null;
    be.gruCellBackward(
      this.resetAfter,
      B,
      H,
      p.gates,
      sG,
      rec,
      sG,
      p.h,
      sH,
      dH,
      sH,
      dGates,
      sG,
      this.dRec,
      sG,
      dhPrev,
      sH - B * H,
      p.mask,
      s * B,
    );
    if (this.resetAfter) {
      if (s > 0) this.backpropRecurrent(p, s, this.dRec as FloatArray, dHIn, dHInOffset);
      return;
    }
    // resetAfter=false: the r gradient needs dL/d(r⊙h_in) = dG_h·U_hᵀ first, even at s = 0.
    const dRh = this.dRh as FloatArray;
    dRh.fill(0);
    this.backpropRecurrent(p, s, dGates, dRh, 0, 2, 3);
    be.gruResetBackward(
      B,
      H,
      p.gates,
      sG,
      p.hIn,
      sH,
      dRh,
      0,
      dGates,
      sG,
      s > 0 ? dHIn : null,
      dHInOffset,
    );
    if (s > 0) this.backpropRecurrent(p, s, dGates, dHIn, dHInOffset, 0, 2);
  }

  protected override recurrentGradients(p: SequencePass, dGates: FloatArray): void {
    const H = this.units;
    const rows = p.steps * p.batch;
    const dU = this.U.grad.data;
    const be = this.backend;
    if (this.resetAfter) {
      const dRec = this.dRec as FloatArray;
      be.gemm(true, false, H, 3 * H, rows, p.hIn, 0, H, dRec, 0, 3 * H, dU, 0, 3 * H, 1);
      const recBiasGrad = this.recurrentBias('grad');
      if (recBiasGrad !== null) be.sumRows(dRec, rows, 3 * H, recBiasGrad, 1);
      return;
    }
    // z and r see h_in; the candidate sees r ⊙ h_in.
    be.gemm(true, false, H, 2 * H, rows, p.hIn, 0, H, dGates, 0, 3 * H, dU, 0, 3 * H, 1);
    const rh = this.rh as FloatArray;
    be.gemm(true, false, H, H, rows, rh, 0, H, dGates, 2 * H, 3 * H, dU, 2 * H, 3 * H, 1);
  }
}

registerRecurrentLayer('GRU', (config) => new GRU(config as unknown as GRUOptions));
