/**
 * The PyTorch export names and lays out each tensor as nn.Embedding / nn.LSTM / nn.GRU / nn.RNN
 * / nn.Linear / nn.Conv1d hold them (checked against the Keras weights element by element), and
 * refuses what those modules cannot compute.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { exportPytorch, PytorchExportError } from '../../src/interop/pytorch/export.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { Bidirectional } from '../../src/layers/bidirectional.js';
import { Conv1D } from '../../src/layers/conv1d.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GRU } from '../../src/layers/gru.js';
import { LSTM } from '../../src/layers/lstm.js';
import { GlobalMaxPooling1D } from '../../src/layers/pooling.js';
import { SimpleRNN } from '../../src/layers/simple-rnn.js';
import { Sequential } from '../../src/models/sequential.js';

const backend = createReferenceBackend('float32');

function weight(model: Sequential, name: string) {
  const w = model.weights().find((p) => p.name === name);
  assert.ok(w, name);
  return w.value;
}

test('names, shapes, transposes and gate orders of every module', () => {
  const model = new Sequential({ seed: 4, backend });
  model.add(new Embedding({ inputDim: 12, outputDim: 3, name: 'embedding' }));
  model.add(new Conv1D({ filters: 4, kernelSize: 2, padding: 'same', name: 'conv' }));
  model.add(new LSTM({ units: 2, returnSequences: true, name: 'lstm' }));
  model.add(
    new Bidirectional({ layer: new GRU({ units: 2, returnSequences: true }), name: 'bigru' }),
  );
  model.add(new SimpleRNN({ units: 3, name: 'rnn' }));
  model.add(new Dense({ units: 2, name: 'dense' }));
  model.build([5]);
  // Non-zero biases everywhere, so that their placement is checked too.
  model
    .weights()
    .forEach((w) => w.value.data.forEach((_, i, a) => (a[i] = Math.sin(i + a.length))));
  const { tensors } = decodeSafetensors(exportPytorch(model));
  const shapes = Object.fromEntries([...tensors].map(([k, t]) => [k, t.shape]));
  assert.deepEqual(shapes, {
    'embedding.weight': [12, 3],
    'conv.weight': [4, 3, 2],
    'conv.bias': [4],
    'lstm.weight_ih_l0': [8, 4],
    'lstm.weight_hh_l0': [8, 2],
    'lstm.bias_ih_l0': [8],
    'lstm.bias_hh_l0': [8],
    'bigru.weight_ih_l0': [6, 2],
    'bigru.weight_hh_l0': [6, 2],
    'bigru.bias_ih_l0': [6],
    'bigru.bias_hh_l0': [6],
    'bigru.weight_ih_l0_reverse': [6, 2],
    'bigru.weight_hh_l0_reverse': [6, 2],
    'bigru.bias_ih_l0_reverse': [6],
    'bigru.bias_hh_l0_reverse': [6],
    'rnn.weight_ih_l0': [3, 4],
    'rnn.weight_hh_l0': [3, 3],
    'rnn.bias_ih_l0': [3],
    'rnn.bias_hh_l0': [3],
    'dense.weight': [2, 3],
    'dense.bias': [2],
  });
  const at = (name: string) => (tensors.get(name) as { data: Float32Array | Float64Array }).data;
  // Conv: torch [f, c, j] = Keras [j, c, f].
  const ck = weight(model, 'conv/kernel').data;
  assert.equal(at('conv.weight')[(3 * 3 + 1) * 2 + 1], ck[(1 * 3 + 1) * 4 + 3]);
  // LSTM: same gate order, transposed: weight_ih[g·H + j, d] = kernel[d, g·H + j]; bias_hh zero.
  const lk = weight(model, 'lstm/kernel').data;
  assert.equal(at('lstm.weight_ih_l0')[(2 * 2 + 1) * 4 + 3], lk[3 * 8 + 2 * 2 + 1]);
  assert.deepEqual(Array.from(at('lstm.bias_ih_l0')), Array.from(weight(model, 'lstm/bias').data));
  assert.deepEqual(Array.from(at('lstm.bias_hh_l0')), Array(8).fill(0));
  // GRU: torch r, z, n from Keras z, r, h; bias rows: input → bias_ih, recurrent → bias_hh.
  const gk = weight(model, 'bigru/backward_gru/recurrent_kernel').data;
  assert.equal(at('bigru.weight_hh_l0_reverse')[(0 * 2 + 1) * 2 + 0], gk[0 * 6 + 1 * 2 + 1]);
  assert.equal(at('bigru.weight_hh_l0_reverse')[(1 * 2 + 0) * 2 + 1], gk[1 * 6 + 0 * 2 + 0]);
  const gb = weight(model, 'bigru/forward_gru/bias').data;
  assert.equal(at('bigru.bias_hh_l0')[0], gb[6 + 2]);
  assert.equal(at('bigru.bias_ih_l0')[2], gb[0]);
  // Linear: weight [out, in] = kernelᵀ.
  assert.equal(at('dense.weight')[1 * 3 + 2], weight(model, 'dense/kernel').data[2 * 2 + 1]);
});

test('what the torch modules cannot compute is refused by name', () => {
  const cases: [Sequential['layers'][number], RegExp][] = [
    [new GRU({ units: 2, resetAfter: false, name: 'g' }), /layer 'g': nn\.GRU .* resetAfter false/],
    [
      new SimpleRNN({ units: 2, activation: 'sigmoid', name: 's' }),
      /layer 's': nn\.RNN has tanh or relu/,
    ],
    [
      new LSTM({ units: 2, goBackwards: true, name: 'l' }),
      /layer 'l': nn\.LSTM has no go_backwards/,
    ],
  ];
  for (const [layer, message] of cases) {
    const model = new Sequential({ seed: 1, backend });
    model.add(new Embedding({ inputDim: 5, outputDim: 2 }));
    model.add(layer);
    model.add(new GlobalMaxPooling1D());
    model.build([3]);
    assert.throws(
      () => exportPytorch(model),
      (err: Error) => err instanceof PytorchExportError && message.test(err.message),
    );
  }
});
