import type { Sequential } from '../models/sequential.js';
import { PAD_CHAR } from '../text/vocabulary.js';
import { Tensor } from '../tensor/tensor.js';
import type { Attribution } from './schema.js';
import { embed, outputUnits, unitGradient } from './stack.js';

export interface IntegratedGradientsOptions {
  /** Intervals to start with; doubled until completeness holds or maxSteps is reached. */
  steps: number;
  maxSteps: number;
  /** Relative completeness tolerance (0.01: within 1%). */
  tolerance: number;
  /** Path points per forward/backward batch (bounds memory). */
  chunk: number;
}

const BASELINE =
  'the same input with every non-padding embedding replaced by zeros (padding keeps its own embedding)';

/**
 * Integrated gradients of output `unit` with respect to the embeddings of one id row: the
 * straight path from the baseline e′ to e, ∂f/∂e averaged over steps + 1 points by the
 * trapezoid rule, times (e − e′), summed over each position's embedding dimensions. The layers
 * after the Embedding run in inference mode (no dropout) keeping what backward needs. The
 * model's weight gradients are scratch here, as in training. If Σ attributions misses
 * f(e) − f(e′) by more than the tolerance, the steps are doubled (up to maxSteps); the result
 * states the steps used and the check.
 */
export function integratedGradients(
  model: Sequential,
  ids: Int32Array,
  unit: number,
  o: IntegratedGradientsOptions,
): Attribution {
  const T = ids.length;
  const { vectors: e, maskFor } = embed(model, ids);
  const D = e.length / T;
  const base = Float64Array.from(e);
  for (let t = 0; t < T; t++) if (ids[t] !== PAD_CHAR) base.fill(0, t * D, (t + 1) * D);
  const units = outputUnits(model);

  /** f at each α, and Σ_k w_k ∂f/∂e(α_k) over the points with their weights. */
  const walk = (alphas: readonly number[], weights: readonly number[]) => {
    const outputs: number[] = [];
    const gradSum = new Float64Array(T * D);
    // Equal chunks: 33 points as 17 + 16 rows, not 32 + 1.
    const size = Math.ceil(alphas.length / Math.ceil(alphas.length / o.chunk));
    for (let from = 0; from < alphas.length; from += size) {
      const rows = Math.min(size, alphas.length - from);
      const x = new Tensor(model.backend.alloc(rows * T * D), [rows, T, D]);
      for (let r = 0; r < rows; r++) {
        const a = alphas[from + r];
        for (let i = 0; i < T * D; i++) x.data[r * T * D + i] = base[i] + a * (e[i] - base[i]);
      }
      const y = model.forwardFrom(1, x, maskFor(rows), { training: false, keepForBackward: true });
      for (let r = 0; r < rows; r++) outputs.push(y.data[r * units + unit]);
      const grad = model.backward(unitGradient(model, rows, units, unit), 1);
      if (grad === null) throw new Error('explain: no gradient reached the embeddings');
      for (let r = 0; r < rows; r++) {
        const w = weights[from + r];
        for (let i = 0; i < T * D; i++) gradSum[i] += w * grad.data[r * T * D + i];
      }
    }
    return { outputs, gradSum };
  };

  let steps = o.steps;
  for (;;) {
    const alphas = Array.from({ length: steps + 1 }, (_, k) => k / steps);
    const weights = alphas.map((_, k) => (k === 0 || k === steps ? 0.5 : 1) / steps);
    const { outputs, gradSum } = walk(alphas, weights);
    const values = Array.from({ length: T }, (_, t) => {
      let s = 0;
      for (let d = t * D; d < (t + 1) * D; d++) s += (e[d] - base[d]) * gradSum[d];
      return s;
    });
    const sum = values.reduce((a, b) => a + b, 0);
    const output = outputs[steps];
    const baselineOutput = outputs[0];
    const expected = output - baselineOutput;
    const relativeError = Math.abs(sum - expected) / Math.max(Math.abs(expected), 0.01);
    const ok = relativeError <= o.tolerance;
    if (ok || steps * 2 > o.maxSteps) {
      return {
        method: 'integrated-gradients',
        steps,
        baseline: BASELINE,
        values,
        output,
        baselineOutput,
        completeness: { sum, expected, relativeError, tolerance: o.tolerance, ok },
      };
    }
    steps *= 2;
  }
}
