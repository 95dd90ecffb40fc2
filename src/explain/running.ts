import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import type { Layer } from '../layers/layer.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import type { RecurrentTrace, RunningPrediction } from './schema.js';

/** A layer whose output at step t depends only on steps ≤ t. */
const causal = (l: Layer): boolean =>
  l instanceof Embedding || l instanceof Dropout || (l instanceof RecurrentLayer && !l.goBackwards);

/**
 * The index of the recurrent layer whose last state feeds the rest of the model, when running
 * the rest on its state after each token gives "the prediction had the text ended there": a
 * forward recurrent layer returning its last state with only causal layers before it. -1
 * otherwise (Bidirectional, CNN).
 */
function lastStateLayer(model: Sequential): number {
  const k = model.layers.findIndex((l) => l instanceof RecurrentLayer && !l.returnSequences);
  return k >= 0 && model.layers.slice(0, k + 1).every(causal) ? k : -1;
}

/**
 * Output `unit` had the text ended at each position: the layers after the recurrent layer
 * applied to its traced state after each token ('state'), or, for models without such a
 * state, the model on each prefix padded at the front as predict pads ('prefix').
 */
export function runningPrediction(
  model: Sequential,
  ids: Int32Array,
  traces: readonly RecurrentTrace[],
  unit: number,
  units: number,
): RunningPrediction {
  const T = ids.length;
  const k = lastStateLayer(model);
  const trace = traces.find((tr) => tr.layer === model.layers[k]?.name);
  let y: Tensor;
  let method: RunningPrediction['method'];
  if (trace !== undefined) {
    const H = trace.units;
    const states = new Tensor(model.backend.alloc(T * H), [T, H]);
    trace.h.forEach((h, t) => states.data.set(h, t * H));
    y = model.forwardFrom(k + 1, states, null, { training: false });
    method = 'state';
  } else {
    const prefixes = new Tensor(model.backend.alloc(T * T), [T, T]);
    prefixes.data.fill(0);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i <= t; i++) prefixes.data[t * T + T - 1 - t + i] = ids[i];
    }
    y = model.predict(prefixes);
    method = 'prefix';
  }
  return { method, values: Array.from({ length: T }, (_, t) => y.data[t * units + unit]) };
}
