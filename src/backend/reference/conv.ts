import type { FloatArray } from '../../tensor/tensor.js';
import type { ConvOps } from '../conv-ops.js';
import type { ActivationKind } from '../core-ops.js';

/** Unmasked steps of row b (all steps without a mask). */
function countSteps(mask: Uint8Array | null, b: number, steps: number): number {
  if (mask === null) return steps;
  let n = 0;
  for (let t = 0; t < steps; t++) if (mask[b * steps + t] !== 0) n++;
  return n;
}

/** dy·f'(y) for an elementwise f given its output y: the formulas of activationBackward. */
function activationGrad(kind: ActivationKind, y: number, dy: number): number {
  switch (kind) {
    case 'sigmoid':
      return dy * y * (1 - y);
    case 'tanh':
      return dy * (1 - y * y);
    case 'relu':
      return y > 0 ? dy : 0;
    default:
      return dy;
  }
}

/** A zero-filled array of dx's dtype (sums are rounded like the backend's other ops). */
function zerosLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

export const referenceConvOps: ConvOps = {
  im2col1d(x, w, cols) {
    const { batch, steps, channels: C, size, stride, dilation, padLeft, outSteps } = w;
    const rowLen = size * C;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const row = (b * outSteps + t) * rowLen;
        for (let j = 0; j < size; j++) {
          const tin = t * stride + j * dilation - padLeft;
          const dst = row + j * C;
          if (tin < 0 || tin >= steps) cols.fill(0, dst, dst + C);
          else cols.set(x.subarray((b * steps + tin) * C, (b * steps + tin + 1) * C), dst);
        }
      }
    }
  },

  col2im1d(dCols, w, dx) {
    const { batch, steps, channels: C, size, stride, dilation, padLeft, outSteps } = w;
    const rowLen = size * C;
    dx.fill(0, 0, batch * steps * C);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const row = (b * outSteps + t) * rowLen;
        for (let j = 0; j < size; j++) {
          const tin = t * stride + j * dilation - padLeft;
          if (tin < 0 || tin >= steps) continue;
          const src = row + j * C;
          const dst = (b * steps + tin) * C;
          for (let c = 0; c < C; c++) dx[dst + c] += dCols[src + c];
        }
      }
    }
  },

  maxPool1d(x, w, y, argmax) {
    const { batch, steps, channels: C, size, stride, dilation, padLeft, outSteps } = w;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const out = (b * outSteps + t) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let arg = -1;
          for (let j = 0; j < size; j++) {
            const tin = t * stride + j * dilation - padLeft;
            if (tin < 0 || tin >= steps) continue;
            const i = (b * steps + tin) * C + c;
            // The first in-range value always wins, so a NaN window still has an argmax.
            if (arg < 0 || x[i] > best) {
              best = x[i];
              arg = i;
            }
          }
          y[out + c] = best;
          argmax[out + c] = arg;
        }
      }
    }
  },

  maxPool1dBackward(dy, argmax, w, dx) {
    dx.fill(0, 0, w.batch * w.steps * w.channels);
    const n = w.batch * w.outSteps * w.channels;
    for (let i = 0; i < n; i++) dx[argmax[i]] += dy[i];
  },

  conv1dBackwardSparse({ kind, y, dy, at, count }, x, w, kernel, filters, grads) {
    const { dKernel, dBias, dx } = grads;
    const { batch, steps, channels: C, size, stride, dilation, padLeft, outSteps } = w;
    const K = size * C;
    // Per filter, the sums of its entries from 0 (kept transposed: one row of K per filter).
    const sums = zerosLike(dKernel, filters * K);
    const biasSums = zerosLike(dKernel, filters);
    dx.fill(0, 0, batch * steps * C);
    for (let e = 0; e < count; e++) {
      const i = at[e];
      const f = i % filters;
      const r = (i - f) / filters;
      const t = r % outSteps;
      const b = (r - t) / outSteps;
      const g = activationGrad(kind, y[i], dy[i]);
      biasSums[f] += g;
      for (let j = 0; j < size; j++) {
        const tin = t * stride + j * dilation - padLeft;
        if (tin < 0 || tin >= steps) continue;
        const src = (b * steps + tin) * C;
        const row = f * K + j * C;
        for (let c = 0; c < C; c++) {
          sums[row + c] += g * x[src + c];
          dx[src + c] += g * kernel[(j * C + c) * filters + f];
        }
      }
    }
    for (let k = 0; k < K; k++) {
      for (let f = 0; f < filters; f++) dKernel[k * filters + f] += sums[f * K + k];
    }
    if (dBias !== null) for (let f = 0; f < filters; f++) dBias[f] += biasSums[f];
  },

  globalAvgPool1d(x, batch, steps, channels, mask, y) {
    for (let b = 0; b < batch; b++) {
      const out = b * channels;
      y.fill(0, out, out + channels);
      const n = countSteps(mask, b, steps);
      if (n === 0) continue;
      for (let t = 0; t < steps; t++) {
        if (mask !== null && mask[b * steps + t] === 0) continue;
        const src = (b * steps + t) * channels;
        for (let c = 0; c < channels; c++) y[out + c] += x[src + c];
      }
      for (let c = 0; c < channels; c++) y[out + c] /= n;
    }
  },

  globalAvgPool1dBackward(dy, batch, steps, channels, mask, dx) {
    for (let b = 0; b < batch; b++) {
      const inv = 1 / countSteps(mask, b, steps);
      for (let t = 0; t < steps; t++) {
        const dst = (b * steps + t) * channels;
        if (mask !== null && mask[b * steps + t] === 0) dx.fill(0, dst, dst + channels);
        else for (let c = 0; c < channels; c++) dx[dst + c] = dy[b * channels + c] * inv;
      }
    }
  },
};
