import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { TextClassifier as SentimentClassifier } from '../../src/classify/text-classifier.js';
import type { Vocabulary as VocabularyType } from '../../src/text/vocabulary.js';
import { loadModel, ModelFileError, saveModel } from '../../src/io/model-dir.js';
import { Sequential } from '../../src/models/sequential.js';
import { Vocabulary } from '../../src/text/vocabulary.js';
import { tempDir } from '../helpers/imdb-fixture.js';

const backend = createReferenceBackend('float32');

function tinyModel(): Sequential {
  const model = buildSentimentModel({
    architecture: 'gru',
    numWords: 20,
    maxlen: 6,
    embeddingDim: 3,
    units: 2,
    seed: 3,
    backend,
  });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  return model;
}

/** A freshly saved model directory. */
async function savedDir(): Promise<string> {
  const dir = await tempDir('gated-model-dir-');
  await saveModel(tinyModel(), dir);
  return dir;
}

/** The safetensors header as JSON and the data bytes after it. */
function split(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return {
    header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()),
    data: bytes.subarray(8 + n),
  };
}

function join8(header: unknown, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };
const F32 = (bytes: Uint8Array, entry: Entry, i: number) =>
  new DataView(bytes.buffer, bytes.byteOffset + entry.data_offsets[0] + 4 * i, 4);

/** Each case breaks weights.safetensors one way; loading must say so, naming the file. */
const weightCases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
  ['an empty file', () => new Uint8Array(0), /too short for a header/],
  ['truncated data', (b) => b.subarray(0, b.length - 10), /data runs past the end of the file/],
  [
    'a header longer than the file',
    (b) => {
      const c = b.slice();
      new DataView(c.buffer).setBigUint64(0, BigInt(c.length), true);
      return c;
    },
    /header length \d+ is longer than the file/,
  ],
  [
    'a header length of 2^63',
    (b) => {
      const c = b.slice();
      new DataView(c.buffer).setBigUint64(0, 1n << 63n, true);
      return c;
    },
    /over the limit of/,
  ],
  [
    'a header that is not JSON',
    (b) => {
      const c = b.slice();
      c[8] = 0x7b;
      c[9] = 0x7b;
      return c;
    },
    /header is not valid JSON/,
  ],
  [
    'a missing tensor',
    (b) => {
      const { header, data } = split(b);
      delete header['dense/bias'];
      return join8(header, data);
    },
    // Its bytes are still there, covered by no tensor: refused before the model is consulted.
    /bytes after the last tensor/,
  ],
  [
    'an extra tensor',
    (b) => {
      const { header, data } = split(b);
      header['dense/extra'] = header['dense/bias'];
      return join8(header, data);
    },
    /overlap|unexpected tensor\(s\) dense\/extra/,
  ],
  [
    'a wrong shape',
    (b) => {
      const { header, data } = split(b);
      const e = header['gru/kernel'] as Entry;
      e.shape = [e.shape[1], e.shape[0]];
      return join8(header, data);
    },
    /tensor gru\/kernel has shape \[6, 3\], the model needs \[3, 6\]/,
  ],
  [
    'a wrong dtype (F16)',
    (b) => {
      const { header, data } = split(b);
      (header['dense/bias'] as Entry).dtype = 'F16';
      return join8(header, data);
    },
    /tensor dense\/bias: dtype F16 is not supported/,
  ],
  [
    'a size that does not hold the shape',
    (b) => {
      const { header, data } = split(b);
      (header['dense/kernel'] as Entry).shape = [2, 2];
      return join8(header, data);
    },
    /tensor dense\/kernel: 8 bytes do not hold shape \[2, 2\] of F32/,
  ],
  [
    'a NaN weight',
    (b) => {
      const { header, data } = split(b);
      F32(data, header['gru/bias'] as Entry, 1).setFloat32(0, NaN, true);
      return join8(header, data);
    },
    /tensor gru\/bias holds NaN or infinite values/,
  ],
  [
    'an infinite weight',
    (b) => {
      const { header, data } = split(b);
      F32(data, header['embedding/embeddings'] as Entry, 0).setFloat32(0, -Infinity, true);
      return join8(header, data);
    },
    /tensor embedding\/embeddings holds NaN or infinite values/,
  ],
  [
    'negative offsets',
    (b) => {
      const { header, data } = split(b);
      (header['dense/bias'] as Entry).data_offsets = [-4, 0];
      return join8(header, data);
    },
    /data_offsets must be \[begin, end\]/,
  ],
];

for (const [what, corrupt, message] of weightCases) {
  test(`loadModel rejects weights.safetensors with ${what}`, async () => {
    const dir = await savedDir();
    const path = join(dir, 'weights.safetensors');
    await writeFile(path, corrupt(await readFile(path)));
    await assert.rejects(loadModel(dir, backend), (err: Error) => {
      assert.ok(err instanceof ModelFileError, `${err.constructor.name}: ${err.message}`);
      assert.ok(err.message.startsWith(`${path}: `), err.message);
      assert.match(err.message, message);
      return true;
    });
    await rm(dir, { recursive: true });
  });
}

/** Each case breaks model.json one way. */
const jsonCases: [string, (j: Record<string, unknown>) => unknown, RegExp][] = [
  ['not JSON', () => '{"format": "gated-model",', /not valid JSON/],
  ['an array', () => [], /not a JSON object/],
  [
    'an unknown version',
    (j) => ({ ...j, version: 2 }),
    /version 2 is not supported \(this gated reads version 1\)/,
  ],
  [
    'another format',
    (j) => ({ ...j, format: 'keras' }),
    /format is "keras", expected "gated-model"/,
  ],
  ['a non-integer seed', (j) => ({ ...j, seed: '1' }), /seed must be an integer/],
  [
    'a bad inputShape',
    (j) => ({ ...j, inputShape: ['6'] }),
    /inputShape must be a list of 1 to 8 positive integers/,
  ],
  // Used to take 140 s and 15.7 GB before failing.
  [
    'an inputShape of a billion steps',
    (j) => ({ ...j, inputShape: [1000000000] }),
    /inputShape \[1000000000\] holds 1,000,000,000 values per sample, more than the limit of 1,048,576/,
  ],
  [
    'a recurrent layer of 100,000 units',
    (j) => withLayer(j, 1, (c) => ({ ...c, units: 100000 })),
    /weight recurrent_kernel \[100000, 300000\] holds 30,000,000,000 values, more than the limit/,
  ],
  ['no layers', (j) => ({ ...j, layers: [] }), /layers must be a non-empty list/],
  [
    'an unknown layer class',
    (j) => ({ ...j, layers: [{ className: 'Transformer', config: {} }] }),
    /unknown layer class 'Transformer'/,
  ],
  [
    "a class named after an Object method ('constructor')",
    (j) => ({ ...j, layers: [{ className: 'constructor', config: {} }] }),
    /unknown layer class 'constructor'/,
  ],
  [
    'a layer without config',
    (j) => ({ ...j, layers: [{ className: 'Dense' }] }),
    /layer Dense needs a config object/,
  ],
  [
    'a bad layer option value',
    (j) => withLayer(j, 1, (c) => ({ ...c, units: -2 })),
    /GRU: units must be a positive integer, got -2/,
  ],
  [
    'an option of the wrong type',
    (j) => withLayer(j, 2, (c) => ({ ...c, activation: 7 })),
    /Dense: activation must be one of/,
  ],
  [
    'an unknown (Keras snake_case) option',
    (j) => withLayer(j, 1, (c) => ({ ...c, return_sequences: true })),
    /unknown option 'return_sequences'/,
  ],
  [
    'a __proto__ key in a layer config',
    // As text: JSON.parse makes "__proto__" an own key, which an object literal would not.
    (j) =>
      JSON.stringify(withLayer(j, 2, (c) => ({ ...c, PROTO: { units: 99 } }))).replace(
        '"PROTO"',
        '"__proto__"',
      ),
    /unknown option '__proto__'/,
  ],
  [
    'a __proto__ key in the optimizer config',
    (j) => ({
      ...j,
      compile: {
        ...(j.compile as object),
        optimizer: JSON.parse('{"name": "adam", "__proto__": {"polluted": 1}}'),
      },
    }),
    /Adam: unknown option '__proto__'/,
  ],
  [
    'metrics that are not names',
    (j) => ({ ...j, compile: { ...(j.compile as object), metrics: [1] } }),
    /compile must hold/,
  ],
  [
    'training that is not an object',
    (j) => ({ ...j, training: 'lstm' }),
    /training must be an object/,
  ],
  [
    'an architecture whose weights do not match the file',
    (j) => withLayer(j, 1, (c) => ({ ...c, units: 3 })),
    /weights\.safetensors: tensor gru\/kernel has shape \[3, 6\], the model needs \[3, 9\]/,
  ],
];

function withLayer(
  j: Record<string, unknown>,
  index: number,
  edit: (config: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const layers = structuredClone(j.layers) as { config: Record<string, unknown> }[];
  layers[index].config = edit(layers[index].config);
  return { ...j, layers };
}

for (const [what, corrupt, message] of jsonCases) {
  test(`loadModel rejects model.json with ${what}`, async () => {
    const dir = await savedDir();
    const path = join(dir, 'model.json');
    const broken = corrupt(JSON.parse(await readFile(path, 'utf8')));
    await writeFile(path, typeof broken === 'string' ? broken : JSON.stringify(broken));
    await assert.rejects(loadModel(dir, backend), (err: Error) => {
      assert.ok(err instanceof ModelFileError, `${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /^\/.*(model\.json|weights\.safetensors): /);
      assert.match(err.message, message);
      return true;
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    assert.equal(({} as Record<string, unknown>).units, undefined, 'Object.prototype untouched');
    await rm(dir, { recursive: true });
  });
}

test('model.save(dir) and loadModel(dir) round-trip; JSON keys like __proto__ elsewhere are plain data', async () => {
  const dir = await tempDir('gated-model-dir-');
  const model = tinyModel();
  await model.save(dir);
  const path = join(dir, 'model.json');
  const text = (await readFile(path, 'utf8')).replace(
    '"format"',
    '"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "format"',
  );
  await writeFile(path, text);
  const { model: loaded } = await loadModel(dir, backend);
  assert.deepEqual(
    loaded.weights().map((w) => [...w.value.data]),
    model.weights().map((w) => [...w.value.data]),
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);

  // Words such as "__proto__" and "constructor" are words in vocab.json too.
  const vocab = new Vocabulary(['__proto__', 'constructor', 'good', 'hasownproperty'], 20).toJSON();
  await writeFile(join(dir, 'vocab.json'), JSON.stringify(vocab));
  assert.match(await readFile(join(dir, 'vocab.json'), 'utf8'), /"__proto__":1/);
  const classifier = await SentimentClassifier.load(dir, backend);
  const vocabulary = (classifier.vectorizer as unknown as { vocabulary: VocabularyType })
    .vocabulary;
  assert.equal(vocabulary.wordIndex.get('__proto__'), 1);
  assert.deepEqual([...vocabulary.encode('constructor hasOwnProperty good')], [1, 5, 7, 6]);
  assert.equal(classifier.predict(['constructor good']).length, 1);
  await writeFile(join(dir, 'vocab.json'), '{"format": "gated-vocab"');
  await assert.rejects(
    SentimentClassifier.load(dir, backend),
    (err: Error) => err instanceof ModelFileError && /vocab\.json: /.test(err.message),
  );
});
