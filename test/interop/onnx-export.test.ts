/**
 * gated models exported to ONNX run in onnxruntime-node and predict what gated predicts, to
 * 1e-5: every Keras fixture model (LSTM, GRU both ways, SimpleRNN, Bidirectional in every merge
 * mode, stacked, masked with padding anywhere, go_backwards, CNN, Dense on sequences).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { importKeras } from '../../src/interop/keras/file.js';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../../src/interop/onnx/export.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GRU } from '../../src/layers/gru.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';
import {
  fixtureBytes,
  kerasFixtures,
  maxDifference,
  predictRows,
} from '../helpers/keras-fixtures.js';

async function runOnnx(bytes: Uint8Array, ids: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  const steps = ids[0].length;
  const input = new ort.Tensor('int64', BigInt64Array.from(ids.flat().map(BigInt)), [
    ids.length,
    steps,
  ]);
  const result = await session.run({ [ONNX_INPUT]: input });
  const out = result[ONNX_OUTPUT];
  const data = out.data as Float32Array;
  const width = data.length / ids.length;
  await session.release();
  return ids.map((_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
}

const backend = createReferenceBackend('float32');

describe('ONNX export runs in onnxruntime and matches gated to 1e-5', () => {
  for (const f of kerasFixtures()) {
    test(f.name, async () => {
      const { model } = await importKeras(fixtureBytes(`${f.name}.keras`), backend);
      const got = await runOnnx(exportOnnx(model), f.ids);
      const want = predictRows(model, f.ids);
      const diff = maxDifference(got, want);
      assert.ok(diff <= 1e-5, `max difference ${diff}`);
    });
  }

  test('a batch size the graph was not built for, and rows that are all padding', async () => {
    const model = new Sequential({ seed: 3, backend });
    model.add(new Embedding({ inputDim: 30, outputDim: 5, maskZero: true }));
    model.add(new GRU({ units: 4, returnSequences: true }));
    model.add(new GRU({ units: 3, resetAfter: false }));
    model.add(new Dense({ units: 2, activation: 'softmax' }));
    model.build([6]);
    const ids = [
      [0, 0, 0, 0, 0, 0],
      [1, 2, 3, 4, 5, 6],
      [0, 7, 0, 8, 0, 29],
    ];
    const diff = maxDifference(await runOnnx(exportOnnx(model), ids), predictRows(model, ids));
    assert.ok(diff <= 1e-5, `max difference ${diff}`);
  });
});
