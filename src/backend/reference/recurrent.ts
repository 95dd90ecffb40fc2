import type { FloatArray } from '../../tensor/tensor.js';
import type {
  RecurrentActivation,
  RecurrentOps,
  StepGrads,
  TransposeShape,
  View,
} from '../recurrent-ops.js';

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

/** Shared by both transposes: copies rows between the two layouts, in the direction asked. */
function transposeSequence(
  batchMajor: FloatArray,
  timeMajor: FloatArray,
  [batch, steps, features, reverse, scale]: TransposeShape,
  toTimeMajor: boolean,
): void {
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const bm = (b * steps + t) * features;
      const tm = (s * batch + b) * features;
      const src = toTimeMajor ? batchMajor : timeMajor;
      const dst = toTimeMajor ? timeMajor : batchMajor;
      const so = toTimeMajor ? bm : tm;
      const d = toTimeMajor ? tm : bm;
      // Plain loops rather than set(subarray()): no view object per row.
      if (scale === null) {
        for (let j = 0; j < features; j++) dst[d + j] = src[so + j];
      } else {
        const sc = b * features;
        for (let j = 0; j < features; j++) dst[d + j] = src[so + j] * scale[sc + j];
      }
    }
  }
}

export const referenceRecurrentOps: RecurrentOps = {
  sequenceToTimeMajor: (x, y, ...shape) => transposeSequence(x, y, shape, true),
  timeMajorToSequence: (y, x, ...shape) => transposeSequence(x, y, shape, false),

  multiplyAt(n, a, aOffset, b, bOffset, out, outOffset, beta) {
    for (let i = 0; i < n; i++) {
      const v = a[aOffset + i] * b[bOffset + i];
      out[outOffset + i] = beta === 0 ? v : out[outOffset + i] + v;
    }
  },

  rnnCellForward({ activation, batch, units, gates: g0, hPrev, h, mask }) {
    const gates = g0.data;
    for (let b = 0; b < batch; b++) {
      const g = g0.offset + b * units;
      const ho = h.offset + b * units;
      for (let j = 0; j < units; j++) gates[g + j] = activate(activation, gates[g + j]);
      if (isMasked(mask, b)) copyRow(hPrev.data, hPrev.offset + b * units, h.data, ho, units);
      else copyRow(gates, g, h.data, ho, units);
    }
  },

  rnnCellBackward(step) {
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
  },

  lstmCellForward({ batch, units: H, gates: g0, cPrev, c, hPrev, h, mask }) {
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
  },

  lstmCellBackward(step) {
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
  },

  gruCellForward({ resetAfter, batch, units: H, gates: g0, rec, hPrev, h, mask }) {
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
  },

  gruResetForward({ batch, units: H, gates, rec, hPrev, rh }) {
    for (let b = 0; b < batch; b++) {
      const [g, r0] = [rGates(gates, b, H), rGates(rec, b, H)];
      const [hp, o] = [hPrev.offset + b * H, rh.offset + b * H];
      for (let j = 0; j < H; j++) {
        rh.data[o + j] = sigmoid(gates.data[g + j] + rec.data[r0 + j]) * hPrev.data[hp + j];
      }
    }
  },

  gruCellBackward(step) {
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
  },

  gruResetBackward({ batch, units: H, gates, hPrev, dRh, dGates, dhPrev }) {
    for (let b = 0; b < batch; b++) {
      const [g, dg] = [rGates(gates, b, H), rGates(dGates, b, H)];
      const [hp, d] = [hPrev.offset + b * H, dRh.offset + b * H];
      for (let j = 0; j < H; j++) {
        const r = gates.data[g + j];
        dGates.data[dg + j] = dRh.data[d + j] * hPrev.data[hp + j] * r * (1 - r);
        if (dhPrev !== null) dhPrev.data[dhPrev.offset + b * H + j] += dRh.data[d + j] * r;
      }
    }
  },
};
