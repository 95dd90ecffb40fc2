import { lstmSequenceOps } from '../backend/recurrent-sequence.js';
import type { FloatArray, Tensor } from '../tensor/tensor.js';
import type { LayerConfig } from './layer.js';
import {
  RecurrentLayer,
  registerRecurrentLayer,
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
  private c: FloatArray | null = null;
  private dc: FloatArray | null = null;

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

  /** One backend call that keeps only the current step (RecurrentOps.lstmSequenceLast), if any. */
  protected override forwardLastState(x: Tensor, mask: Uint8Array | null, y: FloatArray): boolean {
    const be = this.backend;
    if (be.lstmSequenceLast === undefined) return false;
    const [B, T, D] = x.shape;
    be.lstmSequenceLast(
      B,
      T,
      this.units,
      D,
      x.data,
      this.goBackwards,
      this.W.value.data,
      this.bias === null ? null : this.bias.value.data,
      this.U.value.data,
      mask,
      y,
    );
    return true;
  }

  protected override cellState(): FloatArray | null {
    return this.c;
  }

  protected beginForward(p: SequencePass): void {
    const BH = p.batch * this.units;
    this.c = this.ws.get('c', (p.steps + 1) * BH);
    this.c.fill(0, 0, BH);
  }

  /**
   * The whole recurrence in one backend call (a fast backend splits the batch between threads
   * for all steps at once); step by step only when a stepObserver must see every step.
   */
  protected override runForward(p: SequencePass): void {
    if (this.stepObserver !== null) return super.runForward(p);
    const scale = p.recurrentScale;
    lstmSequenceOps(this.backend).lstmSequenceForward(
      p.batch,
      p.steps,
      this.units,
      p.gates,
      this.U.value.data,
      this.c as FloatArray,
      p.h,
      scale === null ? null : p.hIn,
      scale,
      p.mask,
    );
  }

  protected override runBackward(p: SequencePass, dGates: FloatArray, dH: FloatArray): void {
    if (this.stepObserver !== null) return super.runBackward(p, dGates, dH);
    const scale = p.recurrentScale;
    lstmSequenceOps(this.backend).lstmSequenceBackward(
      p.batch,
      p.steps,
      this.units,
      p.gates,
      this.c as FloatArray,
      this.Ut as FloatArray,
      dH,
      this.dc as FloatArray,
      dGates,
      scale === null ? null : this.ws.get('dHIn', p.batch * this.units),
      scale,
      p.mask,
    );
  }

  protected forwardStep(p: SequencePass, s: number): void {
    const BH = p.batch * this.units;
    const c = this.c as FloatArray;
    this.addRecurrentProjection(p, s);
    this.backend.lstmCellForward(
      p.batch,
      this.units,
      p.gates,
      s * 4 * BH,
      c,
      s * BH,
      c,
      (s + 1) * BH,
      p.h,
      s * BH,
      p.h,
      (s + 1) * BH,
      p.mask,
      s * p.batch,
    );
  }

  protected beginBackward(p: SequencePass): void {
    this.dc = this.ws.get('dc', p.batch * this.units);
    this.dc.fill(0);
  }

  protected backwardStep(
    p: SequencePass,
    s: number,
    dGates: FloatArray,
    dH: FloatArray,
    dHIn: FloatArray,
    dHInOffset: number,
  ): void {
    const BH = p.batch * this.units;
    const c = this.c as FloatArray;
    this.backend.lstmCellBackward(
      p.batch,
      this.units,
      p.gates,
      s * 4 * BH,
      c,
      s * BH,
      c,
      (s + 1) * BH,
      dH,
      s * BH,
      this.dc as FloatArray,
      0,
      dGates,
      s * 4 * BH,
      s > 0 ? dH : null,
      (s - 1) * BH,
      p.mask,
      s * p.batch,
    );
    if (s > 0) this.backpropRecurrent(p, s, dGates, dHIn, dHInOffset);
  }
}

registerRecurrentLayer('LSTM', (config) => new LSTM(config as unknown as LSTMOptions));
