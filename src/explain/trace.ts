import { Bidirectional } from '../layers/bidirectional.js';
import type { Layer } from '../layers/layer.js';
import { RecurrentLayer, type RecurrentStep } from '../layers/recurrent.js';
import type { RecurrentTrace } from './schema.js';

/** Every recurrent layer of the stack, the two directions of a Bidirectional included. */
export function recurrentLayers(layers: readonly Layer[]): RecurrentLayer[] {
  return layers.flatMap((l) =>
    l instanceof Bidirectional
      ? [l.forwardLayer, l.backwardLayer]
      : l instanceof RecurrentLayer
        ? [l]
        : [],
  );
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * Records, through each layer's observer, the gates and states of row 0 of the next forward
 * pass; `finish` detaches the observers and returns one trace per layer.
 */
export function recordRecurrent(layers: readonly RecurrentLayer[]): () => RecurrentTrace[] {
  const recorders = layers.map((layer) => {
    const cell = layer.className as RecurrentTrace['cell'];
    const H = layer.units;
    const names = layer.gateNames;
    const gates: number[][][] = names.map(() => []);
    const h: number[][] = [];
    const c: number[][] = [];
    const step = (step: RecurrentStep) => {
      const t = step.time;
      names.forEach((_, g) => {
        const from = step.gatesOffset + g * H;
        gates[g][t] = Array.from(step.gates.subarray(from, from + H));
      });
      h[t] = Array.from(step.h.subarray(step.stateOffset, step.stateOffset + H));
      if (step.c !== null)
        c[t] = Array.from(step.c.subarray(step.stateOffset, step.stateOffset + H));
    };
    layer.observer = { step };
    return (): RecurrentTrace => {
      layer.observer = null;
      return {
        layer: layer.name,
        cell,
        direction: layer.goBackwards ? 'backward' : 'forward',
        units: H,
        gates: Object.fromEntries(names.map((name, g) => [name, gates[g]])),
        gateMeans: Object.fromEntries(names.map((name, g) => [name, gates[g].map(mean)])),
        h,
        hNorm: h.map(norm),
        cNorm: cell === 'LSTM' ? c.map(norm) : null,
      };
    };
  });
  return () => recorders.map((finish) => finish());
}
