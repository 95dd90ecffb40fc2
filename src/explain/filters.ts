import { window1d } from '../backend/conv-ops.js';
import { Conv1D } from '../layers/conv1d.js';
import { GlobalMaxPooling1D } from '../layers/pooling.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor, type SequenceMask } from '../tensor/tensor.js';
import type { ExplainedToken, FilterEvidence } from './schema.js';
import { unitGradient } from './stack.js';

/**
 * For the Kim-style CNN (Embedding → Conv1D → GlobalMaxPooling1D → …): the `top` filters with
 * the largest |pooled activation × ∂f/∂pooled activation|, each with the window of its max (the
 * tokens it fired on) and its activation at every position. Null for other models.
 */
export function topFilters(
  model: Sequential,
  embedded: Float64Array,
  mask: SequenceMask | null,
  tokens: readonly ExplainedToken[],
  unit: number,
  units: number,
  top: number,
): FilterEvidence[] | null {
  const [, conv, pool] = model.layers;
  if (!(conv instanceof Conv1D) || !(pool instanceof GlobalMaxPooling1D)) return null;
  const T = tokens.length;
  const D = embedded.length / T;
  const x = new Tensor(model.backend.alloc(T * D), [1, T, D]);
  x.data.set(embedded);
  model.forwardFrom(1, x, mask, { training: false, keepForBackward: true });
  const dPooled = model.backward(unitGradient(model, 1, units, unit), 3);
  if (dPooled === null) throw new Error('explain: no gradient reached the pooled features');
  const gradient = Float64Array.from(dPooled.data);
  const activations = conv.forward(x, { training: false, mask, rng: model.rng });
  const F = conv.filters;
  const w = window1d(
    'Conv1D',
    1,
    T,
    D,
    conv.kernelSize,
    conv.strides,
    conv.dilationRate,
    conv.padding,
  );
  const steps = w.outSteps;
  const evidence = Array.from({ length: F }, (_, f) => {
    const series = Array.from({ length: steps }, (_, s) => activations.data[s * F + f]);
    let at = 0;
    for (let s = 1; s < steps; s++) if (series[s] > series[at]) at = s;
    const positions = Array.from(
      { length: w.size },
      (_, j) => at * w.stride + j * w.dilation - w.padLeft,
    ).filter((p) => p >= 0 && p < T);
    return {
      filter: f,
      contribution: series[at] * gradient[f],
      activation: series[at],
      positions,
      tokens: positions.map((p) => tokens[p].text),
      activations: series,
    };
  });
  return evidence.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, top);
}
