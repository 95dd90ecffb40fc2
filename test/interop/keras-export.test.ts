/**
 * gated → .keras → gated is bit-identical: the same layers and options, the same weight bits.
 * (That real Keras loads these files and predicts the same was checked by hand; see README.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { exportKeras } from '../../src/interop/keras/export.js';
import { importKeras } from '../../src/interop/keras/file.js';
import { Bidirectional } from '../../src/layers/bidirectional.js';
import { Conv1D } from '../../src/layers/conv1d.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GlobalMaxPooling1D } from '../../src/layers/pooling.js';
import { GRU } from '../../src/layers/gru.js';
import { LSTM } from '../../src/layers/lstm.js';
import { Sequential } from '../../src/models/sequential.js';
import { fixtureBytes, kerasFixtures } from '../helpers/keras-fixtures.js';

const backend = createReferenceBackend('float32');

function assertSameModel(a: Sequential, b: Sequential): void {
  assert.deepEqual(b.inputShape, a.inputShape);
  assert.deepEqual(
    b.layers.map((l) => [l.className, l.getConfig()]),
    a.layers.map((l) => [l.className, l.getConfig()]),
  );
  const wa = a.weights();
  const wb = b.weights();
  assert.deepEqual(
    wb.map((w) => w.name),
    wa.map((w) => w.name),
  );
  wa.forEach((w, i) => {
    const bits = (t: typeof w) => Buffer.from(Float32Array.from(t.value.data).buffer);
    assert.ok(bits(wb[i]).equals(bits(w)), `${w.name} differs`);
  });
}

test('every Keras fixture: import, export, import again gives the same model bit for bit', async () => {
  for (const f of kerasFixtures()) {
    const first = await importKeras(fixtureBytes(`${f.name}.keras`), backend);
    const again = await importKeras(await exportKeras(first.model), backend);
    assertSameModel(first.model, again.model);
  }
});

test('a model built in gated round-trips, and the archive holds what Keras reads', async () => {
  const model = new Sequential({ name: 'mixed', seed: 5, backend });
  model.add(new Embedding({ inputDim: 40, outputDim: 6, maskZero: true }));
  model.add(
    new Bidirectional({
      layer: new GRU({ units: 3, returnSequences: true, resetAfter: false }),
      mergeMode: 'ave',
    }),
  );
  model.add(
    new LSTM({ units: 4, returnSequences: true, goBackwards: true, unitForgetBias: false }),
  );
  model.add(new Conv1D({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(new GlobalMaxPooling1D());
  model.add(new Dense({ units: 2, activation: 'softmax' }));
  model.build([7]);
  const bytes = await exportKeras(model);
  assert.deepEqual(Object.keys(unzipSync(bytes)).sort(), [
    'config.json',
    'metadata.json',
    'model.weights.h5',
  ]);
  assertSameModel(model, (await importKeras(bytes, backend)).model);
});
