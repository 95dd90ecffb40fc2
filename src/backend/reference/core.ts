import type { CoreOps } from '../core-ops.js';
import { gemm } from './gemm.js';

/** Plain TypeScript loops: the oracle every fast backend is tested against. */
export const referenceCoreOps: CoreOps = {
  gemm,

  addRowVector(x, rows, cols, v) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) x[base + c] += v[c];
    }
  },

  sumRows(x, rows, cols, out, beta) {
    if (beta === 0) out.fill(0, 0, cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) out[c] += x[base + c];
    }
  },

  activation(kind, x, y, n, cols) {
    switch (kind) {
      case 'linear':
        if (x !== y) y.set(x.subarray(0, n));
        return;
      case 'sigmoid':
        for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
        return;
      case 'tanh':
        for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
        return;
      case 'relu':
        for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
        return;
      case 'softmax':
        for (let base = 0; base < n; base += cols) {
          let max = -Infinity;
          for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]);
          let sum = 0;
          for (let c = 0; c < cols; c++) {
            const e = Math.exp(x[base + c] - max);
            y[base + c] = e;
            sum += e;
          }
          for (let c = 0; c < cols; c++) y[base + c] /= sum;
        }
        return;
    }
  },

  activationBackward(kind, y, dy, dx, n, cols) {
    switch (kind) {
      case 'linear':
        if (dx !== dy) dx.set(dy.subarray(0, n));
        return;
      case 'sigmoid':
        for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
        return;
      case 'tanh':
        for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
        return;
      case 'relu':
        for (let i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
        return;
      case 'softmax':
        for (let base = 0; base < n; base += cols) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += dy[base + c] * y[base + c];
          for (let c = 0; c < cols; c++) dx[base + c] = y[base + c] * (dy[base + c] - dot);
        }
        return;
    }
  },

  multiply(a, b, out, n) {
    for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
  },

  axpy(alpha, x, y, n) {
    for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  },

  scale(x, alpha, n) {
    for (let i = 0; i < n; i++) x[i] *= alpha;
  },

  sumSquares(x, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return s;
  },
};
