import type { FloatArray } from '../../tensor/tensor.js';
import type { RecurrentActivation } from '../recurrent-ops.js';

// The per-step cell kernels of the reference backend: what its whole-sequence loops
// (./sequence.ts) are made of, with gemm. A step's arrays are Views of the sequence buffers (the
// array and the step's block offset), all of a step in one record. Gradient outputs named
// `dhPrev` are accumulated (+=) because dL/dh_{t−1} also receives the recurrent-kernel term from
// a gemm and, with returnSequences, the output gradient; null means there is no previous step.

/** `data` from `offset` on: one step's block of a sequence buffer (or of a mask). */
export interface View<A extends FloatArray | Uint8Array = FloatArray> {
  readonly data: A;
  readonly offset: number;
}

/** What every cell kernel reads first: its shape and its [batch, G·units] block of gates. */
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

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function activate(kind: RecurrentActivation, x: number): number {
  switch (kind) {
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return sigmoid(x);
    case 'relu':
      return x > 0 ? x : 0;
    case 'linear':
      return x;
  }
}

/** f′ expressed through y = f(a), so backward needs only the kept activations. */
function derivative(kind: RecurrentActivation, y: number): number {
  switch (kind) {
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'linear':
      return 1;
  }
}

function copyRow(
  src: FloatArray,
  srcOffset: number,
  dst: FloatArray,
  dstOffset: number,
  n: number,
) {
  for (let j = 0; j < n; j++) dst[dstOffset + j] = src[srcOffset + j];
}

function addRow(src: FloatArray, srcOffset: number, dst: FloatArray, dstOffset: number, n: number) {
  for (let j = 0; j < n; j++) dst[dstOffset + j] += src[srcOffset + j];
}

/** Whether row b is padding at this step. */
function isMasked(mask: View<Uint8Array> | null, b: number): boolean {
  return mask !== null && mask.data[mask.offset + b] === 0;
}

/** Backward of padding row b: no gate gradients (G blocks of H), dL/dh straight to dhPrev. */
function passPadding(step: StepGrads, b: number, G: number, H: number): void {
  const { dh, dGates, dhPrev } = step;
  const dg = dGates.offset + b * G * H;
  dGates.data.fill(0, dg, dg + G * H);
  if (dhPrev !== null) addRow(dh.data, dh.offset + b * H, dhPrev.data, dhPrev.offset + b * H, H);
}

/** Where row b's r block starts in a GRU [batch, 3·units] view (z, r, h side by side). */
function rGates(v: View, b: number, H: number): number {
  return v.offset + b * 3 * H + H;
}

/**
 * SimpleRNN step: y = f(a), h = masked ? hPrev : y. `gates` [batch, units] holds the
 * pre-activation a = x·W + b + h_{t−1}·U on entry and y on return.
 */
export function rnnCellForward(step: RnnStep & StepStates): void {
  const { activation, batch, units, gates: g0, hPrev, h, mask } = step;
  const gates = g0.data;
  for (let b = 0; b < batch; b++) {
    const g = g0.offset + b * units;
    const ho = h.offset + b * units;
    for (let j = 0; j < units; j++) gates[g + j] = activate(activation, gates[g + j]);
    if (isMasked(mask, b)) copyRow(hPrev.data, hPrev.offset + b * units, h.data, ho, units);
    else copyRow(gates, g, h.data, ho, units);
  }
}

/** dGates = dh ⊙ f′(a) (f′ written in terms of y); masked rows: dGates = 0, dhPrev += dh. */
export function rnnCellBackward(step: RnnStep & StepGrads): void {
  const { activation, batch, units, gates, dh, dGates } = step;
  for (let b = 0; b < batch; b++) {
    if (isMasked(step.mask, b)) {
      passPadding(step, b, 1, units);
      continue;
    }
    const g = gates.offset + b * units;
    const d = dh.offset + b * units;
    const dg = dGates.offset + b * units;
    for (let j = 0; j < units; j++) {
      dGates.data[dg + j] = dh.data[d + j] * derivative(activation, gates.data[g + j]);
    }
  }
}

/**
 * LSTM step. `gates` [batch, 4·units] holds the pre-activations (x·W + b + h_{t−1}·U) on entry
 * and the activations i = σ, f = σ, g = tanh, o = σ on return (kept for backward).
 * c = f⊙cPrev + i⊙g, h = o⊙tanh(c); masked rows copy cPrev and hPrev.
 */
export function lstmCellForward(step: LstmStep & StepStates): void {
  const { batch, units: H, gates: g0, cPrev, c, hPrev, h, mask } = step;
  const gates = g0.data;
  for (let b = 0; b < batch; b++) {
    const g = g0.offset + b * 4 * H;
    const cp = cPrev.offset + b * H;
    const co = c.offset + b * H;
    const hp = hPrev.offset + b * H;
    const ho = h.offset + b * H;
    const masked = isMasked(mask, b);
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g + j]);
      const f = sigmoid(gates[g + H + j]);
      const gg = Math.tanh(gates[g + 2 * H + j]);
      const o = sigmoid(gates[g + 3 * H + j]);
      gates[g + j] = i;
      gates[g + H + j] = f;
      gates[g + 2 * H + j] = gg;
      gates[g + 3 * H + j] = o;
      if (masked) {
        c.data[co + j] = cPrev.data[cp + j];
        h.data[ho + j] = hPrev.data[hp + j];
      } else {
        const cv = f * cPrev.data[cp + j] + i * gg;
        c.data[co + j] = cv;
        h.data[ho + j] = o * Math.tanh(cv);
      }
    }
  }
}

/**
 * LSTM step backward. gates: the activations kept by forward; c, cPrev: the cell states.
 * dh: total dL/dh_t. dc [batch, units] is in/out: dL/dc_t from later steps on entry,
 * dL/dc_{t−1} on return. Writes dGates (pre-activation gradients, [batch, 4·units]);
 * masked rows get dGates = 0, dc unchanged, dhPrev += dh (unmasked rows leave dhPrev alone:
 * their whole contribution is dGates·Uᵀ).
 */
export function lstmCellBackward(step: LstmStep & StepGrads & { readonly dc: View }): void {
  const { batch, units: H, gates: g0, cPrev, c, dh, dc, dGates } = step;
  const [gates, dG] = [g0.data, dGates.data];
  for (let b = 0; b < batch; b++) {
    if (isMasked(step.mask, b)) {
      passPadding(step, b, 4, H);
      continue;
    }
    const g = g0.offset + b * 4 * H;
    const dg = dGates.offset + b * 4 * H;
    const d = dh.offset + b * H;
    const cp = cPrev.offset + b * H;
    const co = c.offset + b * H;
    const dco = dc.offset + b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g + j];
      const f = gates[g + H + j];
      const gg = gates[g + 2 * H + j];
      const o = gates[g + 3 * H + j];
      const tc = Math.tanh(c.data[co + j]);
      const dhv = dh.data[d + j];
      const dct = dc.data[dco + j] + dhv * o * (1 - tc * tc);
      dG[dg + j] = dct * gg * i * (1 - i);
      dG[dg + H + j] = dct * cPrev.data[cp + j] * f * (1 - f);
      dG[dg + 2 * H + j] = dct * i * (1 - gg * gg);
      dG[dg + 3 * H + j] = dhv * tc * o * (1 - o);
      dc.data[dco + j] = dct * f;
    }
  }
}

/**
 * GRU step. `gates` [batch, 3·units] holds the input projection x·W + b_in on entry and the
 * activations z, r, hh on return. `rec` [batch, 3·units] is the recurrent projection:
 * resetAfter: h_{t−1}·U + b_rec, and hh = tanh(x_h + r ⊙ rec_h);
 * otherwise: [h_{t−1}·U_z, h_{t−1}·U_r, (r ⊙ h_{t−1})·U_h], and hh = tanh(x_h + rec_h).
 * z = σ(x_z + rec_z), r = σ(x_r + rec_r), h = z⊙hPrev + (1−z)⊙hh; masked rows copy hPrev.
 */
export function gruCellForward(step: GruStep & StepStates): void {
  const { resetAfter, batch, units: H, gates: g0, rec, hPrev, h, mask } = step;
  const gates = g0.data;
  for (let b = 0; b < batch; b++) {
    const g = g0.offset + b * 3 * H;
    const r0 = rec.offset + b * 3 * H;
    const hp = hPrev.offset + b * H;
    const ho = h.offset + b * H;
    const masked = isMasked(mask, b);
    for (let j = 0; j < H; j++) {
      const z = sigmoid(gates[g + j] + rec.data[r0 + j]);
      const r = sigmoid(gates[g + H + j] + rec.data[r0 + H + j]);
      const recH = rec.data[r0 + 2 * H + j];
      const hh = Math.tanh(gates[g + 2 * H + j] + (resetAfter ? r * recH : recH));
      gates[g + j] = z;
      gates[g + H + j] = r;
      gates[g + 2 * H + j] = hh;
      const hpv = hPrev.data[hp + j];
      h.data[ho + j] = masked ? hpv : z * hpv + (1 - z) * hh;
    }
  }
}

/**
 * resetAfter=false only, before the U_h gemm: rh[b, :] = σ(x_r + rec_r) ⊙ hPrev, where hPrev
 * is the recurrent input (the state after recurrent dropout) and rh [batch, units].
 */
export function gruResetForward(
  step: StepShape & { readonly rec: View; readonly hPrev: View; readonly rh: View },
): void {
  const { batch, units: H, gates, rec, hPrev, rh } = step;
  for (let b = 0; b < batch; b++) {
    const [g, r0] = [rGates(gates, b, H), rGates(rec, b, H)];
    const [hp, o] = [hPrev.offset + b * H, rh.offset + b * H];
    for (let j = 0; j < H; j++) {
      rh.data[o + j] = sigmoid(gates.data[g + j] + rec.data[r0 + j]) * hPrev.data[hp + j];
    }
  }
}

/**
 * GRU step backward. Writes dGates (gradient of the input projection, [batch, 3·units]) and
 * adds dh⊙z to dhPrev (masked rows: dGates = dRec = 0, dhPrev += dh).
 * resetAfter: also writes dRec, the gradient of the recurrent projection
 * (equal to dGates except dRec_h = dGates_h ⊙ r).
 * resetAfter=false: dRec is unused (it equals dGates) and the r part of dGates is left for
 * gruResetBackward, which needs dGates_h·U_hᵀ first.
 */
export function gruCellBackward(
  step: GruStep & StepGrads & { readonly hPrev: View; readonly dRec: View | null },
): void {
  const { resetAfter, batch, units: H, gates, rec, hPrev, dh, dGates, dRec, dhPrev } = step;
  const dG = dGates.data;
  for (let b = 0; b < batch; b++) {
    if (isMasked(step.mask, b)) {
      if (resetAfter && dRec !== null) {
        dRec.data.fill(0, dRec.offset + b * 3 * H, dRec.offset + (b + 1) * 3 * H);
      }
      passPadding(step, b, 3, H);
      continue;
    }
    const g = gates.offset + b * 3 * H;
    const dg = dGates.offset + b * 3 * H;
    const d = dh.offset + b * H;
    const r0 = rec.offset + b * 3 * H;
    const hp = hPrev.offset + b * H;
    for (let j = 0; j < H; j++) {
      const z = gates.data[g + j];
      const hh = gates.data[g + 2 * H + j];
      const dhv = dh.data[d + j];
      const dz = dhv * (hPrev.data[hp + j] - hh) * z * (1 - z);
      const dah = dhv * (1 - z) * (1 - hh * hh);
      dG[dg + j] = dz;
      dG[dg + 2 * H + j] = dah;
      if (resetAfter && dRec !== null) {
        const r = gates.data[g + H + j];
        const dar = dah * rec.data[r0 + 2 * H + j] * r * (1 - r);
        const dr = dRec.offset + b * 3 * H;
        dG[dg + H + j] = dar;
        dRec.data[dr + j] = dz;
        dRec.data[dr + H + j] = dar;
        dRec.data[dr + 2 * H + j] = dah * r;
      }
      if (dhPrev !== null) dhPrev.data[dhPrev.offset + b * H + j] += dhv * z;
    }
  }
}

/**
 * resetAfter=false only: given dRh = dL/d(r⊙hPrev) = dGates_h·U_hᵀ ([batch, units]), writes
 * the r part of dGates (dRh ⊙ hPrev ⊙ r(1−r)) and adds dRh ⊙ r to dhPrev (the gradient of the
 * recurrent input). Masked rows need no care: their dRh is zero.
 */
export function gruResetBackward(
  step: StepShape & Omit<StepGrads, 'dh'> & { readonly hPrev: View; readonly dRh: View },
): void {
  const { batch, units: H, gates, hPrev, dRh, dGates, dhPrev } = step;
  for (let b = 0; b < batch; b++) {
    const [g, dg] = [rGates(gates, b, H), rGates(dGates, b, H)];
    const [hp, d] = [hPrev.offset + b * H, dRh.offset + b * H];
    for (let j = 0; j < H; j++) {
      const r = gates.data[g + j];
      dGates.data[dg + j] = dRh.data[d + j] * hPrev.data[hp + j] * r * (1 - r);
      if (dhPrev !== null) dhPrev.data[dhPrev.offset + b * H + j] += dRh.data[d + j] * r;
    }
  }
}
