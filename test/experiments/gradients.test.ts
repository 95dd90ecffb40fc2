import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSentimentModel, type Architecture } from '../../src/experiments/architectures.js';
import { gradientFlow } from '../../src/experiments/gradients.js';
import type { RecurrentLayer } from '../../src/layers/recurrent.js';
import { getLoss } from '../../src/losses/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { f64 } from '../helpers/gradcheck.js';

const B = 2;
const T = 6;
const D = 3;
const H = 4;
const EPS = 1e-6;

function tinyModel(architecture: Architecture) {
  const model = buildSentimentModel({
    architecture,
    numWords: 30,
    maxlen: T,
    embeddingDim: D,
    units: H,
    seed: 3,
    backend: f64,
  });
  return model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
}

// A distinct id at every (sample, step): perturbing an embedding row perturbs exactly one e_t.
const x = new Tensor(
  Float64Array.from({ length: B * T }, (_, i) => 4 + i),
  [B, T],
);
const y = new Tensor(Float64Array.from([1, 0]), [B, 1]);

const close = (actual: number, expected: number, what: string): void => {
  const err = Math.abs(actual - expected) / Math.max(1e-12, Math.abs(expected));
  assert.ok(err < 1e-6, `${what}: ${actual} vs finite differences ${expected} (rel err ${err})`);
};

/** ‖dL/dv‖ by central differences over the entries `at` of `values`, restoring each. */
function numericNorm(
  loss: () => number,
  values: Float64Array | Float32Array,
  at: readonly number[],
): number {
  let sq = 0;
  for (const i of at) {
    const keep = values[i];
    values[i] = keep + EPS;
    const plus = loss();
    values[i] = keep - EPS;
    const minus = loss();
    values[i] = keep;
    sq += ((plus - minus) / (2 * EPS)) ** 2;
  }
  return Math.sqrt(sq);
}

describe('gradientFlow', () => {
  for (const architecture of ['rnn', 'lstm', 'gru'] as const) {
    it(`${architecture}: ‖∂L/∂h_t‖ and ‖∂L/∂e_t‖ agree with finite differences`, () => {
      const model = tinyModel(architecture);
      const flow = gradientFlow(model, x, y);
      const layer = model.layers[1] as RecurrentLayer;
      const bce = getLoss('binary_crossentropy');
      const scratch = new Tensor(new Float64Array(B), [B, 1]);
      const loss = (): number => bce.compute(model.forward(x, false), y, scratch);
      close(flow.loss, loss(), 'loss');
      assert.equal(flow.stateNorms.length, T);
      assert.equal(flow.ratio, flow.stateNorms[0] / flow.stateNorms[T - 1]);

      for (let t = 0; t < T; t++) {
        // Perturb one entry of h_t through the layer's step observer; the rest of the pass runs on.
        let sq = 0;
        for (let k = 0; k < B * H; k++) {
          const shifted = (delta: number): number => {
            layer.observer = {
              step: (step) => {
                if (step.time === t) step.h[step.stateOffset + k] += delta;
              },
            };
            return loss();
          };
          sq += ((shifted(EPS) - shifted(-EPS)) / (2 * EPS)) ** 2;
        }
        layer.observer = null;
        close(flow.stateNorms[t], Math.sqrt(sq), `${architecture} ‖∂L/∂h_${t + 1}‖`);
      }

      const embeddings = model.layers[0].params()[0].value.data;
      for (let t = 0; t < T; t++) {
        const at: number[] = [];
        for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) at.push(x.data[b * T + t] * D + d);
        close(
          flow.inputNorms[t],
          numericNorm(loss, embeddings, at),
          `${architecture} ‖∂L/∂e_${t + 1}‖`,
        );
      }
    });
  }

  it('LSTM gate means are the mean gate activations (checked at step 1, where h_0 = 0)', () => {
    const model = tinyModel('lstm');
    const flow = gradientFlow(model, x, y);
    const [E] = model.layers[0].params();
    const [W, , bias] = model.layers[1].params();
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    const mean = (gate: number): number => {
      let sum = 0;
      for (let b = 0; b < B; b++) {
        const id = x.data[b * T];
        for (let j = 0; j < H; j++) {
          let z = bias.value.data[gate * H + j];
          for (let d = 0; d < D; d++)
            z += E.value.data[id * D + d] * W.value.data[d * 4 * H + gate * H + j];
          sum += sigmoid(z);
        }
      }
      return sum / (B * H);
    };
    close(flow.gateMeans.input[0], mean(0), 'input gate');
    close(flow.gateMeans.forget[0], mean(1), 'forget gate');
    for (const gate of ['input', 'forget', 'candidate', 'output'])
      assert.equal(flow.gateMeans[gate].length, T);
    assert.deepEqual(gradientFlow(tinyModel('rnn'), x, y).gateMeans, {});
  });

  it('leaves the weights unchanged and the layer flags as they were', () => {
    const model = tinyModel('gru');
    const before = model.getWeights().map((w) => Array.from(w.value.data));
    gradientFlow(model, x, y);
    assert.deepEqual(
      model.getWeights().map((w) => Array.from(w.value.data)),
      before,
    );
    const layer = model.layers[1] as RecurrentLayer;
    assert.equal(layer.observer, null);
  });

  it('refuses a model without a recurrent layer', () => {
    assert.throws(() => gradientFlow(tinyModel('cnn'), x, y), /no SimpleRNN, LSTM or GRU/);
  });
});
