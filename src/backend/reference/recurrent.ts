import type { FloatArray } from '../../tensor/tensor.js';
import type { RecurrentActivation, RecurrentOps } from '../recurrent-ops.js';

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

/** Shared by both transposes: copies rows between the two layouts, in the direction asked. */
function transposeSequence(
  batchMajor: FloatArray,
  timeMajor: FloatArray,
  batch: number,
  steps: number,
  features: number,
  reverse: boolean,
  scale: FloatArray | null,
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
  sequenceToTimeMajor(x, y, batch, steps, features, reverse, scale) {
    transposeSequence(x, y, batch, steps, features, reverse, scale, true);
  },

  timeMajorToSequence(y, x, batch, steps, features, reverse, scale) {
    transposeSequence(x, y, batch, steps, features, reverse, scale, false);
  },

  multiplyAt(n, a, aOffset, b, bOffset, out, outOffset, beta) {
    for (let i = 0; i < n; i++) {
      const v = a[aOffset + i] * b[bOffset + i];
      out[outOffset + i] = beta === 0 ? v : out[outOffset + i] + v;
    }
  },

  rnnCellForward(activation, batch, units, gates, gOff, hPrev, hpOff, h, hOff, mask, mOff) {
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * units;
      const hp = hpOff + b * units;
      const ho = hOff + b * units;
      for (let j = 0; j < units; j++) gates[g + j] = activate(activation, gates[g + j]);
      if (mask !== null && mask[mOff + b] === 0) copyRow(hPrev, hp, h, ho, units);
      else copyRow(gates, g, h, ho, units);
    }
  },

  rnnCellBackward(activation, batch, units, ...a) {
    const [gates, gOff, dh, dhOff, dG, dgOff, dhPrev, dpOff, mask, mOff] = a;
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * units;
      const d = dhOff + b * units;
      const dg = dgOff + b * units;
      if (mask !== null && mask[mOff + b] === 0) {
        dG.fill(0, dg, dg + units);
        if (dhPrev !== null) addRow(dh, d, dhPrev, dpOff + b * units, units);
        continue;
      }
      for (let j = 0; j < units; j++) dG[dg + j] = dh[d + j] * derivative(activation, gates[g + j]);
    }
  },

  lstmCellForward(batch, H, gates, gOff, cPrev, cpOff, c, cOff, hPrev, hpOff, h, hOff, mask, mOff) {
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 4 * H;
      const cp = cpOff + b * H;
      const co = cOff + b * H;
      const hp = hpOff + b * H;
      const ho = hOff + b * H;
      const masked = mask !== null && mask[mOff + b] === 0;
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
          c[co + j] = cPrev[cp + j];
          h[ho + j] = hPrev[hp + j];
        } else {
          const cv = f * cPrev[cp + j] + i * gg;
          c[co + j] = cv;
          h[ho + j] = o * Math.tanh(cv);
        }
      }
    }
  },

  lstmCellBackward(batch, H, ...a) {
    const [gates, gOff, cPrev, cpOff, c, cOff, dh, dhOff, dc, dcOff, dG, dgOff, ...tail] = a;
    const [dhPrev, dpOff, mask, mOff] = tail;
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 4 * H;
      const dg = dgOff + b * 4 * H;
      const d = dhOff + b * H;
      if (mask !== null && mask[mOff + b] === 0) {
        dG.fill(0, dg, dg + 4 * H);
        if (dhPrev !== null) addRow(dh, d, dhPrev, dpOff + b * H, H);
        continue;
      }
      const cp = cpOff + b * H;
      const co = cOff + b * H;
      const dco = dcOff + b * H;
      for (let j = 0; j < H; j++) {
        const i = gates[g + j];
        const f = gates[g + H + j];
        const gg = gates[g + 2 * H + j];
        const o = gates[g + 3 * H + j];
        const tc = Math.tanh(c[co + j]);
        const dhv = dh[d + j];
        const dct = dc[dco + j] + dhv * o * (1 - tc * tc);
        dG[dg + j] = dct * gg * i * (1 - i);
        dG[dg + H + j] = dct * cPrev[cp + j] * f * (1 - f);
        dG[dg + 2 * H + j] = dct * i * (1 - gg * gg);
        dG[dg + 3 * H + j] = dhv * tc * o * (1 - o);
        dc[dco + j] = dct * f;
      }
    }
  },

  gruCellForward(resetAfter, batch, H, gates, gOff, rec, rOff, hPrev, hpOff, h, hOff, mask, mOff) {
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 3 * H;
      const r0 = rOff + b * 3 * H;
      const hp = hpOff + b * H;
      const ho = hOff + b * H;
      const masked = mask !== null && mask[mOff + b] === 0;
      for (let j = 0; j < H; j++) {
        const z = sigmoid(gates[g + j] + rec[r0 + j]);
        const r = sigmoid(gates[g + H + j] + rec[r0 + H + j]);
        const recH = rec[r0 + 2 * H + j];
        const hh = Math.tanh(gates[g + 2 * H + j] + (resetAfter ? r * recH : recH));
        gates[g + j] = z;
        gates[g + H + j] = r;
        gates[g + 2 * H + j] = hh;
        const hpv = hPrev[hp + j];
        h[ho + j] = masked ? hpv : z * hpv + (1 - z) * hh;
      }
    }
  },

  gruResetForward(batch, H, gates, gOff, rec, rOff, hPrev, hpOff, rh, rhOff) {
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 3 * H + H;
      const r0 = rOff + b * 3 * H + H;
      const hp = hpOff + b * H;
      const o = rhOff + b * H;
      for (let j = 0; j < H; j++) rh[o + j] = sigmoid(gates[g + j] + rec[r0 + j]) * hPrev[hp + j];
    }
  },

  gruCellBackward(resetAfter, batch, H, ...a) {
    const [gates, gOff, rec, rOff, hPrev, hpOff, dh, dhOff, dG, dgOff, dRec, drOff, ...tail] = a;
    const [dhPrev, dpOff, mask, mOff] = tail;
    if (resetAfter && dRec === null) throw new Error('gruCellBackward: resetAfter needs dRec');
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 3 * H;
      const dg = dgOff + b * 3 * H;
      const dr = drOff + b * 3 * H;
      const d = dhOff + b * H;
      const dp = dpOff + b * H;
      if (mask !== null && mask[mOff + b] === 0) {
        dG.fill(0, dg, dg + 3 * H);
        if (resetAfter && dRec !== null) dRec.fill(0, dr, dr + 3 * H);
        if (dhPrev !== null) addRow(dh, d, dhPrev, dp, H);
        continue;
      }
      const r0 = rOff + b * 3 * H;
      const hp = hpOff + b * H;
      for (let j = 0; j < H; j++) {
        const z = gates[g + j];
        const hh = gates[g + 2 * H + j];
        const dhv = dh[d + j];
        const dz = dhv * (hPrev[hp + j] - hh) * z * (1 - z);
        const dah = dhv * (1 - z) * (1 - hh * hh);
        dG[dg + j] = dz;
        dG[dg + 2 * H + j] = dah;
        if (resetAfter && dRec !== null) {
          const r = gates[g + H + j];
          const dar = dah * rec[r0 + 2 * H + j] * r * (1 - r);
          dG[dg + H + j] = dar;
          dRec[dr + j] = dz;
          dRec[dr + H + j] = dar;
          dRec[dr + 2 * H + j] = dah * r;
        }
        if (dhPrev !== null) dhPrev[dp + j] += dhv * z;
      }
    }
  },

  gruResetBackward(batch, H, gates, gOff, hPrev, hpOff, dRh, drhOff, dG, dgOff, dhPrev, dpOff) {
    for (let b = 0; b < batch; b++) {
      const g = gOff + b * 3 * H + H;
      const dg = dgOff + b * 3 * H + H;
      const hp = hpOff + b * H;
      const d = drhOff + b * H;
      const dp = dpOff + b * H;
      for (let j = 0; j < H; j++) {
        const r = gates[g + j];
        dG[dg + j] = dRh[d + j] * hPrev[hp + j] * r * (1 - r);
        if (dhPrev !== null) dhPrev[dp + j] += dRh[d + j] * r;
      }
    }
  },
};
