/**
 * Keras 3 models that start with a TextVectorization layer (test/fixtures/keras/text/, made by
 * real Keras): the layer's vocabulary and settings become the model's vectorizer, which turns
 * Keras's texts into Keras's own ids, and the model then predicts Keras's numbers to 1e-5.
 * Settings gated does not have are one clear error each.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { explainText } from '../../src/explain/index.js';
import { importKeras } from '../../src/interop/keras/file.js';
import { ModelFileError } from '../../src/io/model-json.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { TextVectorization } from '../../src/text/text-vectorization.js';
import { fixtureBytes, KERAS_FIXTURES } from '../helpers/keras-fixtures.js';

interface TextFixture {
  name: string;
  texts: string[];
  vocabulary: string[];
  ids: number[][];
  predictions: number[][];
}

const fixtures: TextFixture[] = readdirSync(new URL('text/', KERAS_FIXTURES))
  .filter((f) => f.endsWith('.keras'))
  .sort()
  .map((f) => {
    const name = f.slice(0, -'.keras'.length);
    const json = JSON.parse(readFileSync(new URL(`text/${name}.json`, KERAS_FIXTURES), 'utf8'));
    return { name, ...json } as TextFixture;
  });

test('two TextVectorization fixtures: defaults with max_tokens; lower case with 2-grams', () => {
  assert.deepEqual(
    fixtures.map((f) => f.name),
    ['text_vectorization_bigrams', 'text_vectorization_lstm'],
  );
});

for (const f of fixtures) {
  test(`${f.name}: Keras's vocabulary, ids and predictions`, async () => {
    const { model } = await importKeras(
      fixtureBytes(`text/${f.name}.keras`),
      createReferenceBackend(),
    );
    const vectorizer = model.vectorizer as unknown as { vectorization: TextVectorization };
    assert.ok(vectorizer?.vectorization, 'the model has a TextVectorization');
    assert.deepEqual(['', '[UNK]', ...vectorizer.vectorization.vocabulary], f.vocabulary);
    const ids = model.vectorizer!.encode(f.texts);
    assert.deepEqual(
      Array.from(ids),
      f.ids.flat(),
      'the same ids as Keras (padded and cut at the end)',
    );
    const x = new Tensor(Float32Array.from(ids), [f.texts.length, model.inputShape[0]]);
    const out = model.predict(x);
    const width = out.size / f.texts.length;
    f.predictions.forEach((row, i) =>
      row.forEach((keras, j) => {
        const v = out.data[i * width + j];
        assert.ok(Math.abs(v - keras) <= 1e-5, `text ${i} output ${j}: gated ${v}, Keras ${keras}`);
      }),
    );
  });
}

/** The lstm fixture with its TextVectorization config changed (or its vocabulary removed). */
function altered(
  change: (config: Record<string, unknown>) => void,
  dropVocabulary = false,
): Uint8Array {
  const entries = unzipSync(fixtureBytes('text/text_vectorization_lstm.keras'));
  const config = JSON.parse(new TextDecoder().decode(entries['config.json']));
  change(config.config.layers[1].config);
  entries['config.json'] = strToU8(JSON.stringify(config));
  if (dropVocabulary)
    for (const name of Object.keys(entries))
      if (name.endsWith('vocabulary.txt')) delete entries[name];
  return zipSync(entries);
}

for (const [what, bytes, message] of [
  [
    'output_mode multi_hot',
    altered((c) => (c.output_mode = 'multi_hot')),
    /output_mode="multi_hot" is not supported/,
  ],
  [
    'split by character',
    altered((c) => (c.split = 'character')),
    /split="character" is not supported/,
  ],
  [
    'a custom standardize',
    altered((c) => (c.standardize = { class_name: 'MyStandardize' })),
    /standardize=.*MyStandardize.* is not supported/,
  ],
  ['ngrams as a tuple', altered((c) => (c.ngrams = [1, 3])), /ngrams=\[1,3\] is not supported/],
  [
    'no output_sequence_length',
    altered((c) => (c.output_sequence_length = null)),
    /output_sequence_length=null: gated needs a fixed sequence length/,
  ],
  [
    'no vocabulary',
    altered(() => undefined, true),
    /no vocabulary \(the layer was never adapted\)/,
  ],
] as const) {
  test(`refused: ${what}`, async () => {
    await assert.rejects(importKeras(bytes), (err: Error) => {
      assert.ok(err instanceof ModelFileError, err.message);
      assert.match(err.message, /^model\.keras: /);
      assert.match(err.message, message);
      return true;
    });
  });
}

test("explainText names each position by the imported vocabulary, Keras's padding and cut", async () => {
  const f = fixtures.find((x) => x.name === 'text_vectorization_lstm')!;
  const { model } = await importKeras(
    fixtureBytes(`text/${f.name}.keras`),
    createReferenceBackend(),
  );
  // "It's the film's ENDING that I didn't love -- and the music...": 11 words, 10 ids.
  const e = explainText(model, f.texts[2]);
  assert.deepEqual(
    e.tokens.map((t) => t.id),
    f.ids[2],
  );
  assert.deepEqual(
    e.tokens.map((t) => t.text),
    ['[UNK:its]', 'the', '[UNK:films]', '[UNK:ending]', '[UNK:that]', 'i'].concat([
      '[UNK:didnt]',
      '[UNK:love]',
      '[UNK:and]',
      'the',
    ]),
  );
  assert.deepEqual(e.truncated, { count: 1, tokens: ['music'] });
  assert.ok(Math.abs(e.output.value - f.predictions[2][0]) <= 1e-5);
  const short = explainText(model, f.texts[1]);
  assert.deepEqual(
    short.tokens.map((t) => t.kind),
    ['oov', 'oov', 'oov', 'oov', 'pad', 'pad', 'pad', 'pad', 'pad', 'pad'],
  );
});
