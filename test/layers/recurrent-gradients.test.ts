import { describe, it } from 'node:test';
import { Bidirectional, type MergeMode } from '../../src/layers/bidirectional.js';
import { GRU } from '../../src/layers/gru.js';
import type { Layer } from '../../src/layers/layer.js';
import { LSTM } from '../../src/layers/lstm.js';
import type { RecurrentLayer, RecurrentOptions } from '../../src/layers/recurrent.js';
import { SimpleRNN } from '../../src/layers/simple-rnn.js';
import { Rng } from '../../src/random/rng.js';
import type { SequenceMask } from '../../src/tensor/tensor.js';
import { checkLayerGradients, f64, randomTensor } from '../helpers/gradcheck.js';

/** Builds on the float64 backend and randomises every weight (zero biases would hide bugs). */
function prepared<L extends Layer>(layer: L, steps: number, features: number, seed = 1): L {
  layer.build([steps, features], f64, new Rng(seed));
  const rng = new Rng(seed + 100);
  for (const p of layer.params()) {
    for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniform(-0.6, 0.6);
  }
  return layer;
}

/** Row b is padded at the front with pads[b] zeros (Keras 'pre'); a negative pad pads at the end. */
function paddingMask(batch: number, steps: number, pads: number[]): SequenceMask {
  const data = new Uint8Array(batch * steps).fill(1);
  for (let b = 0; b < batch; b++) {
    const n = Math.min(Math.abs(pads[b % pads.length]), steps);
    for (let k = 0; k < n; k++)
      data[b * steps + (pads[b % pads.length] >= 0 ? k : steps - 1 - k)] = 0;
  }
  return { data, batch, steps };
}

type Make = (o: RecurrentOptions) => RecurrentLayer;
const CELLS: [string, Make][] = [
  ['SimpleRNN tanh', (o) => new SimpleRNN(o)],
  ['SimpleRNN relu', (o) => new SimpleRNN({ ...o, activation: 'relu' })],
  ['LSTM', (o) => new LSTM(o)],
  ['GRU resetAfter', (o) => new GRU(o)],
  ['GRU resetBefore', (o) => new GRU({ ...o, resetAfter: false })],
];
/** [batch, steps, features, units], including batch 1 and length 1. */
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [1, 4, 3, 2],
  [2, 1, 3, 2],
  [3, 5, 2, 3],
];

function check(make: Make, options: RecurrentOptions, shape: number[], mask = false): void {
  const [B, T, D, H] = shape;
  const layer = prepared(make({ ...options, units: H }), T, D);
  const x = randomTensor([B, T, D], new Rng(3));
  checkLayerGradients(layer, x, { mask: mask ? paddingMask(B, T, [1, 0, -2, 3]) : null });
}

for (const [label, make] of CELLS) {
  describe(`${label} gradients`, () => {
    for (const returnSequences of [false, true]) {
      for (const goBackwards of [false, true]) {
        it(`returnSequences=${returnSequences} goBackwards=${goBackwards}, all shapes`, () => {
          for (const shape of SHAPES)
            check(make, { units: 0, returnSequences, goBackwards }, shape);
        });
        it(`returnSequences=${returnSequences} goBackwards=${goBackwards}, masked`, () => {
          check(make, { units: 0, returnSequences, goBackwards }, [4, 5, 2, 2], true);
          check(make, { units: 0, returnSequences, goBackwards }, [1, 3, 2, 2], true);
        });
      }
    }
    it('without bias', () =>
      check(make, { units: 0, useBias: false, returnSequences: true }, [2, 3, 2, 2]));
    it('with dropout and recurrent dropout (fixed masks)', () => {
      const options = { units: 0, dropout: 0.4, recurrentDropout: 0.3, returnSequences: true };
      check(make, options, [3, 4, 3, 3]);
      check(make, { ...options, goBackwards: true }, [3, 4, 3, 3], true);
    });
  });
}

describe('Bidirectional gradients', () => {
  const inners: [string, Make][] = [CELLS[2], CELLS[3], CELLS[4], CELLS[0]];
  for (const [label, make] of inners) {
    for (const returnSequences of [false, true]) {
      it(`${label} returnSequences=${returnSequences}`, () => {
        for (const [B, T, D, H] of [
          [1, 1, 2, 1],
          [2, 4, 3, 2],
        ]) {
          const layer = prepared(
            new Bidirectional({ layer: make({ units: H, returnSequences }) }),
            T,
            D,
          );
          checkLayerGradients(layer, randomTensor([B, T, D], new Rng(5)));
        }
        const masked = prepared(
          new Bidirectional({ layer: make({ units: 2, returnSequences }) }),
          4,
          2,
        );
        checkLayerGradients(masked, randomTensor([3, 4, 2], new Rng(6)), {
          mask: paddingMask(3, 4, [2, 0, -1]),
        });
      });
    }
  }
  for (const mergeMode of ['sum', 'ave', 'mul'] as MergeMode[]) {
    it(`mergeMode ${mergeMode}`, () => {
      const layer = prepared(
        new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }), mergeMode }),
        3,
        2,
      );
      checkLayerGradients(layer, randomTensor([2, 3, 2], new Rng(7)));
    });
  }
});
