/**
 * Keras 3 .keras files made by real Keras (test/fixtures/keras/generate.py) import into gated and
 * predict what Keras predicted, on every backend; files gated cannot represent are refused with
 * one clear error each.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { importKeras } from '../../src/interop/keras/file.js';
import { ModelFileError } from '../../src/io/model-json.js';
import {
  everyBackend,
  fixtureBytes,
  kerasFixtures,
  maxDifference,
  predictRows,
} from '../helpers/keras-fixtures.js';

const fixtures = kerasFixtures();

describe('importKeras matches Keras predictions to 1e-5', () => {
  test('there is a fixture for every layer kind', () => {
    assert.ok(fixtures.length >= 20, `${fixtures.length} fixtures`);
  });
  for (const { name, backend } of everyBackend()) {
    test(`${name} backend: every fixture`, async () => {
      for (const f of fixtures) {
        const { model } = await importKeras(fixtureBytes(`${f.name}.keras`), backend);
        const diff = maxDifference(predictRows(model, f.ids), f.predictions);
        assert.ok(diff <= 1e-5, `${f.name}: max difference ${diff}`);
      }
    });
  }
});

test('importKeras keeps names, masks, options and compile settings', async () => {
  const { model, json, kerasVersion } = await importKeras(
    new URL('../../../test/fixtures/keras/lstm.keras', import.meta.url).pathname,
  );
  assert.equal(kerasVersion, '3.15.1');
  assert.deepEqual(model.inputShape, [8]);
  assert.deepEqual(
    json.layers.map((l) => l.className),
    ['Embedding', 'LSTM', 'Dense'],
  );
  assert.deepEqual(json.compile, {
    optimizer: {
      name: 'adam',
      learningRate: 0.0010000000474974513,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    },
    loss: 'binary_crossentropy',
    metrics: ['accuracy'],
  });
  const masked = await importKeras(fixtureBytes('bilstm_mul_masked.keras'));
  assert.equal(masked.json.layers[0].config.maskZero, true);
  assert.equal(masked.json.layers[1].config.mergeMode, 'mul');
});

/** The part of config.json the cases below edit. */
interface KerasConfig {
  config: { layers: { config: Record<string, unknown> }[] };
}

/** Rewrites one entry of a fixture's archive. */
function edited(fixture: string, edit: (entries: Record<string, Uint8Array>) => void): Uint8Array {
  const entries = unzipSync(fixtureBytes(fixture));
  edit(entries);
  return zipSync(entries);
}

function editConfig(fixture: string, edit: (config: KerasConfig) => void): Uint8Array {
  return edited(fixture, (entries) => {
    const config = JSON.parse(new TextDecoder().decode(entries['config.json']));
    edit(config);
    entries['config.json'] = strToU8(JSON.stringify(config));
  });
}

const lstm = () => fixtureBytes('lstm.keras');

const invalid: [string, () => Uint8Array, RegExp][] = [
  [
    'a Functional model',
    () => fixtureBytes('invalid/functional.keras'),
    /a Functional model; gated imports Sequential models only/,
  ],
  [
    'an unknown layer',
    () => fixtureBytes('invalid/unknown_layer.keras'),
    /layer 'layer_normalization' \(LayerNormalization\) is not supported/,
  ],
  [
    'a custom object',
    () => fixtureBytes('invalid/custom_object.keras'),
    /layer 'doubling' \(Doubling\) is a custom object/,
  ],
  [
    'an activation gated lacks (Dense elu)',
    () => fixtureBytes('invalid/dense_elu.keras'),
    /\(Dense\).*activation must be one of .* got elu/,
  ],
  [
    'an LSTM with relu',
    () => fixtureBytes('invalid/lstm_relu.keras'),
    /\(LSTM\): activation="relu" is not supported/,
  ],
  [
    'a GRU with hard_sigmoid',
    () => fixtureBytes('invalid/gru_hard_sigmoid.keras'),
    /recurrent_activation="hard_sigmoid" is not supported/,
  ],
  [
    'a regularizer',
    () => fixtureBytes('invalid/lstm_regularizer.keras'),
    /kernel_regularizer=L2 is not supported/,
  ],
  [
    'a variable sequence length',
    () => fixtureBytes('invalid/variable_length.keras'),
    /gated needs a fixed sequence length/,
  ],
  [
    'masked steps Keras fills differently',
    () => fixtureBytes('invalid/masked_sequences_max_pool.keras'),
    /reads the masked steps of/,
  ],
  ['a legacy .h5 file', () => fixtureBytes('invalid/legacy.h5'), /a legacy HDF5 \(\.h5\) model/],
  [
    'a truncated archive',
    () => lstm().subarray(0, 9000),
    /damaged or truncated zip archive|missing from the archive/,
  ],
  ['not a zip at all', () => strToU8('{"class_name": "Sequential"}'), /not a zip archive/],
  [
    'missing weights',
    () => edited('lstm.keras', (e) => delete e['model.weights.h5']),
    /model\.weights\.h5 is missing/,
  ],
  [
    'missing config',
    () => edited('lstm.keras', (e) => delete e['config.json']),
    /config\.json is missing/,
  ],
  [
    'config that is not JSON',
    () => edited('lstm.keras', (e) => (e['config.json'] = strToU8('{"class'))),
    /config\.json is not valid JSON/,
  ],
  [
    'weights that are not HDF5',
    () => edited('lstm.keras', (e) => (e['model.weights.h5'] = strToU8('hello'))),
    /model\.weights\.h5: not an HDF5 file/,
  ],
  [
    'truncated weights',
    () =>
      edited(
        'lstm.keras',
        (e) => (e['model.weights.h5'] = e['model.weights.h5'].subarray(0, 3000)),
      ),
    /model\.weights\.h5: (cannot be opened as HDF5|cannot read layers\/.*damaged or truncated)/,
  ],
  [
    'weights of the wrong shape',
    () => editConfig('lstm.keras', (c) => (c.config.layers[2].config.units = 4)),
    /has shape \[4, 12\], lstm\/kernel needs \[4, 16\]/,
  ],
  [
    'weights of another model',
    () =>
      edited(
        'lstm.keras',
        (e) =>
          (e['model.weights.h5'] = unzipSync(fixtureBytes('gru_reset_after.keras'))[
            'model.weights.h5'
          ]),
      ),
    /missing layers\/lstm\/cell\/vars \(layer 'lstm'\)/,
  ],
  [
    'a frozen layer',
    () => editConfig('lstm.keras', (c) => (c.config.layers[2].config.trainable = false)),
    /frozen layers \(trainable=false\) are not supported/,
  ],
  [
    'float16 weights',
    () => editConfig('lstm.keras', (c) => (c.config.layers[2].config.dtype = 'float16')),
    /dtype "float16" is not supported/,
  ],
  [
    'a stateful LSTM',
    () => editConfig('lstm.keras', (c) => (c.config.layers[2].config.stateful = true)),
    /stateful=true is not supported/,
  ],
  [
    'an option gated does not know',
    () => editConfig('lstm.keras', (c) => (c.config.layers[2].config.time_major = true)),
    /option time_major=true is not supported/,
  ],
  [
    'causal padding',
    () => editConfig('conv1d_pooling.keras', (c) => (c.config.layers[2].config.padding = 'causal')),
    /padding must be one of 'valid', 'same', got causal/,
  ],
];

describe('unsupported or malformed files: one clear error each', () => {
  for (const [what, bytes, message] of invalid) {
    test(what, async () => {
      await assert.rejects(importKeras(bytes()), (err: Error) => {
        assert.ok(err instanceof ModelFileError, `${err.constructor.name}: ${err.message}`);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    });
  }
});
