import type { FloatArray } from '../tensor/tensor.js';
import type { ActivationKind } from './core-ops.js';

/** Activations a SimpleRNN cell may use (softmax makes no sense on a hidden state). */
export type RecurrentActivation = Exclude<ActivationKind, 'softmax'>;

/** The per-step cell kernels (what the whole-sequence loops are made of, with gemm and multiplyAt). */
export type CellOpName =
  | 'lstmCellForward'
  | 'lstmCellBackward'
  | 'gruCellForward'
  | 'gruResetForward'
  | 'gruCellBackward'
  | 'gruResetBackward'
  | 'rnnCellForward'
  | 'rnnCellBackward';

/** The cell a whole-sequence op runs; G (gates per unit) is 1, 4 and 3. */
export type SequenceCell =
  | { readonly kind: 'simpleRnn'; readonly activation: RecurrentActivation }
  | { readonly kind: 'lstm' }
  | { readonly kind: 'gru'; readonly resetAfter: boolean };

/** G of a cell: gate blocks per unit. */
export function gateCount(cell: SequenceCell): number {
  return cell.kind === 'simpleRnn' ? 1 : cell.kind === 'lstm' ? 4 : 3;
}

/** What both sequence transposes take after their two arrays. */
export type TransposeShape = [
  batch: number,
  steps: number,
  features: number,
  reverse: boolean,
  scale: FloatArray | null,
];

/**
 * Blocks [s, s + count) of a time-major sequence buffer of `width`-value blocks, as a view: what
 * a sequence op takes to start at step s (null stays null).
 */
export function sequenceBlocks<A extends FloatArray | Uint8Array>(
  a: A,
  s: number,
  width: number,
  count?: number,
): A;
export function sequenceBlocks<A extends FloatArray | Uint8Array>(
  a: A | null,
  s: number,
  width: number,
  count?: number,
): A | null;
export function sequenceBlocks<A extends FloatArray | Uint8Array>(
  a: A | null,
  s: number,
  width: number,
  count = 1,
): A | null {
  return a && (a.subarray(s * width, (s + count) * width) as A);
}

/** `data` from `offset` on: one step's block of a sequence buffer (or of a mask). */
export interface View<A extends FloatArray | Uint8Array = FloatArray> {
  readonly data: A;
  readonly offset: number;
}

/** What every step op reads first: its shape and its [batch, G·units] block of gates. */
export interface StepShape {
  readonly batch: number;
  readonly units: number;
  readonly gates: View;
}

/** A cell step: its shape and the step's [batch] mask (null: no padding). */
export interface CellStep extends StepShape {
  readonly mask: View<Uint8Array> | null;
}

/** A forward step's states: hPrev read, h written. */
export interface StepStates {
  readonly hPrev: View;
  readonly h: View;
}

/** A backward step's gradients: dh read, dGates written, dhPrev added to (null at t = 0). */
export interface StepGrads {
  readonly dh: View;
  readonly dGates: View;
  readonly dhPrev: View | null;
}

/** The records of the three cells' steps (forward adds StepStates, backward StepGrads). */
export interface RnnStep extends CellStep {
  readonly activation: RecurrentActivation;
}
export interface LstmStep extends CellStep {
  readonly cPrev: View;
  readonly c: View;
}
export interface GruStep extends CellStep {
  readonly resetAfter: boolean;
  readonly rec: View;
}

/**
 * Fused pointwise kernels of the recurrent cells, plus the data movement the sequence loop needs.
 *
 * The loop over time is written once over these ops and `gemm` (./recurrent-sequence.ts); a fast
 * backend runs it as one call (sequenceForward, …). All sequence buffers the kernels see are
 * time-major, in processing order (step s of a goBackwards layer is time T−1−s): one step is a
 * contiguous [batch, width] block, which a step op takes as a View (the array and the block's
 * offset), all of a step in one record. Within a block, row b of a [batch, G·units] gate array
 * holds the gates side by side, each `units` wide, in Keras order (LSTM i, f, c, o; GRU z, r, h).
 *
 * Masks: `mask.data[mask.offset + b]` is 0 when row b is padding at this step (null: no
 * padding). A masked row keeps its state (h_t = h_{t−1}, c_t = c_{t−1}) and gets zero gate
 * gradients; its dL/dh passes straight to the previous step.
 *
 * Gradient outputs named `dhPrev` are accumulated (+=) because dL/dh_{t−1} also receives the
 * recurrent-kernel term from a gemm and, with returnSequences, the output gradient; null means
 * there is no previous step (t = 0, the zero initial state).
 */
export interface RecurrentOps {
  /**
   * y[s, b, :] = x[b, t, :] ⊙ scale[b, :] with t = reverse ? steps−1−s : s: a batch-major
   * [batch, steps, features] array to time-major [steps, batch, features]. scale (a per-sample
   * dropout mask of `batch·features` values) is optional.
   */
  sequenceToTimeMajor(x: FloatArray, y: FloatArray, ...shape: TransposeShape): void;
  /** The inverse: x[b, t, :] = y[s, b, :] ⊙ scale[b, :] with t as above. */
  timeMajorToSequence(y: FloatArray, x: FloatArray, ...shape: TransposeShape): void;
  /** out[oOff + i] = beta·out[oOff + i] + a[aOff + i]·b[bOff + i] for i < n. */
  multiplyAt(
    n: number,
    a: FloatArray,
    aOffset: number,
    b: FloatArray,
    bOffset: number,
    out: FloatArray,
    outOffset: number,
    beta: 0 | 1,
  ): void;

  /**
   * SimpleRNN step: y = f(a), h = masked ? hPrev : y. `gates` [batch, units] holds the
   * pre-activation a = x·W + b + h_{t−1}·U on entry and y on return.
   */
  rnnCellForward(step: RnnStep & StepStates): void;
  /** dGates = dh ⊙ f′(a) (f′ written in terms of y); masked rows: dGates = 0, dhPrev += dh. */
  rnnCellBackward(step: RnnStep & StepGrads): void;

  /**
   * LSTM step. `gates` [batch, 4·units] holds the pre-activations (x·W + b + h_{t−1}·U) on entry
   * and the activations i = σ, f = σ, g = tanh, o = σ on return (kept for backward).
   * c = f⊙cPrev + i⊙g, h = o⊙tanh(c); masked rows copy cPrev and hPrev.
   */
  lstmCellForward(step: LstmStep & StepStates): void;
  /**
   * LSTM step backward. gates: the activations kept by forward; c, cPrev: the cell states.
   * dh: total dL/dh_t. dc [batch, units] is in/out: dL/dc_t from later steps on entry,
   * dL/dc_{t−1} on return. Writes dGates (pre-activation gradients, [batch, 4·units]);
   * masked rows get dGates = 0, dc unchanged, dhPrev += dh (unmasked rows leave dhPrev alone:
   * their whole contribution is dGates·Uᵀ).
   */
  lstmCellBackward(step: LstmStep & StepGrads & { readonly dc: View }): void;

  /**
   * The whole recurrence of a batch, exactly the loop sequenceForwardBySteps in
   * ./recurrent-sequence.ts over the per-step ops above: for s = 0 … steps−1,
   *   hIn_s = h_s ⊙ recurrentScale (only when recurrentScale is given; else h_s is the input);
   *   the cell's recurrent projection of hIn_s (U [units, G·units]) and its step kernel.
   * Buffers are whole sequences from offset 0: gates [steps, batch, G·units] (input projections
   * on entry, activations on return), h [steps+1, batch, units] (block 0 the initial state), hIn
   * [steps, batch, units] (written when recurrentScale [batch, units] is given, else null), mask
   * [steps, batch] or null; per cell (null for the others): LSTM c [steps+1, batch, units] (block
   * 0 the initial cell state); GRU rec [steps, batch, 3·units] (resetAfter: the recurrent bias,
   * or zeros, on entry) and, resetAfter=false, rh [steps, batch, units] (r ⊙ hIn per step).
   * Optional: a backend may run it as one call, so that threads split the batch for the whole
   * sequence instead of handshaking at every step; callers without it run that loop
   * (sequenceOps in ./recurrent-sequence.ts).
   */
  sequenceForward?(
    cell: SequenceCell,
    batch: number,
    steps: number,
    units: number,
    gates: FloatArray,
    U: FloatArray,
    h: FloatArray,
    hIn: FloatArray | null,
    recurrentScale: FloatArray | null,
    mask: Uint8Array | null,
    c: FloatArray | null,
    rec: FloatArray | null,
    rh: FloatArray | null,
  ): void;
  /**
   * Backward through time after sequenceForward, exactly sequenceBackwardBySteps: for s =
   * steps−1 … 0 the cell's step backward (dh = dH block s, dhPrev = dH block s−1 when s > 0),
   * then the gradient through U (Ut = Uᵀ [G·units, units]) into dH block s−1, through
   * recurrentScale when given (dHIn [batch, units] is its scratch, else null). gates, h, hIn, c,
   * rec as left by sequenceForward. dH [steps, batch, units] holds the output gradients on entry
   * and the complete dL/dh per step on return; dGates [steps, batch, G·units] is written. Per
   * cell: LSTM dc [batch, units], zero on entry; GRU resetAfter dRec [steps, batch, 3·units]
   * (written), resetAfter=false dRh [batch, units] (scratch).
   */
  sequenceBackward?(
    cell: SequenceCell,
    batch: number,
    steps: number,
    units: number,
    gates: FloatArray,
    h: FloatArray,
    hIn: FloatArray | null,
    Ut: FloatArray,
    dH: FloatArray,
    dGates: FloatArray,
    dHIn: FloatArray | null,
    recurrentScale: FloatArray | null,
    mask: Uint8Array | null,
    c: FloatArray | null,
    dc: FloatArray | null,
    rec: FloatArray | null,
    dRec: FloatArray | null,
    dRh: FloatArray | null,
  ): void;
  /**
   * Inference of the last state, exactly sequenceLastBySteps: x [batch, steps, inputDim]
   * batch-major to time-major (reversed when `reverse`), gates = x·W (W [inputDim, G·units]) +
   * bias (or none; GRU resetAfter: bias [2, 3·units], row 0 here and row 1 the recurrent bias),
   * zero initial states, sequenceForward with `mask` ([steps, batch] in processing order, or
   * null), and the state after the last step into out [batch, units]. Optional: a backend may run
   * it without keeping what only backward needs; without it callers run the training path.
   */
  sequenceLast?(
    cell: SequenceCell,
    batch: number,
    steps: number,
    units: number,
    inputDim: number,
    x: FloatArray,
    reverse: boolean,
    W: FloatArray,
    bias: FloatArray | null,
    U: FloatArray,
    mask: Uint8Array | null,
    out: FloatArray,
  ): void;

  /**
   * GRU step. `gates` [batch, 3·units] holds the input projection x·W + b_in on entry and the
   * activations z, r, hh on return. `rec` [batch, 3·units] is the recurrent projection:
   * resetAfter: h_{t−1}·U + b_rec, and hh = tanh(x_h + r ⊙ rec_h);
   * otherwise: [h_{t−1}·U_z, h_{t−1}·U_r, (r ⊙ h_{t−1})·U_h], and hh = tanh(x_h + rec_h).
   * z = σ(x_z + rec_z), r = σ(x_r + rec_r), h = z⊙hPrev + (1−z)⊙hh; masked rows copy hPrev.
   */
  gruCellForward(step: GruStep & StepStates): void;
  /**
   * resetAfter=false only, before the U_h gemm: rh[b, :] = σ(x_r + rec_r) ⊙ hPrev, where hPrev
   * is the recurrent input (the state after recurrent dropout) and rh [batch, units].
   */
  gruResetForward(
    step: StepShape & { readonly rec: View; readonly hPrev: View; readonly rh: View },
  ): void;
  /**
   * GRU step backward. Writes dGates (gradient of the input projection, [batch, 3·units]) and
   * adds dh⊙z to dhPrev (masked rows: dGates = dRec = 0, dhPrev += dh).
   * resetAfter: also writes dRec, the gradient of the recurrent projection
   * (equal to dGates except dRec_h = dGates_h ⊙ r).
   * resetAfter=false: dRec is unused (it equals dGates) and the r part of dGates is left for
   * gruResetBackward, which needs dGates_h·U_hᵀ first.
   */
  gruCellBackward(
    step: GruStep & StepGrads & { readonly hPrev: View; readonly dRec: View | null },
  ): void;
  /**
   * resetAfter=false only: given dRh = dL/d(r⊙hPrev) = dGates_h·U_hᵀ ([batch, units]), writes
   * the r part of dGates (dRh ⊙ hPrev ⊙ r(1−r)) and adds dRh ⊙ r to dhPrev (the gradient of the
   * recurrent input). Masked rows need no care: their dRh is zero.
   */
  gruResetBackward(
    step: StepShape & Omit<StepGrads, 'dh'> & { readonly hPrev: View; readonly dRh: View },
  ): void;
}
