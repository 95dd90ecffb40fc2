/**
 * gated import / gated export end to end: a Keras fixture becomes a model directory that
 * predicts like Keras, the directory exports to each format (vocab.json alongside), and bad
 * input is one `gated: …` line with exit status 1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { loadModel } from '../../src/io/model-dir.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { Vocabulary } from '../../src/text/vocabulary.js';
import { CLI } from '../helpers/cli-child.js';
import { tempDir } from '../helpers/imdb-fixture.js';
import {
  KERAS_FIXTURES,
  kerasFixtures,
  maxDifference,
  predictRows,
} from '../helpers/keras-fixtures.js';

const run = promisify(execFile);

async function gated(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('import a .keras file, then export it as keras, onnx and pytorch', async () => {
  const dir = await tempDir();
  const fixture = fileURLToPath(new URL('lstm_masked.keras', KERAS_FIXTURES));
  const imported = await gated('import', fixture, '--out', join(dir, 'model'));
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /Imported .*lstm_masked\.keras \(Keras 3\.15\.1\)/);
  const want = kerasFixtures().find((f) => f.name === 'lstm_masked');
  assert.ok(want);
  const { model } = await loadModel(join(dir, 'model'), createReferenceBackend('float32'));
  assert.ok(maxDifference(predictRows(model, want.ids), want.predictions) <= 1e-5);

  // A word index the model's embedding can take (it is copied next to every export).
  const vocab = JSON.stringify(Vocabulary.fromTexts(['good film'], { numWords: 5 }).toJSON());
  await writeFile(join(dir, 'model', 'vocab.json'), vocab);
  for (const [format, file] of [
    ['keras', 'm.keras'],
    ['onnx', 'm.onnx'],
    ['pytorch', 'm.safetensors'],
  ]) {
    const out = join(dir, format, file);
    const result = await gated('export', join(dir, 'model'), '--format', format, '--out', out);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Wrote ${out.replace(/[.]/g, '\\.')} `));
    assert.equal(await readFile(join(dir, format, 'vocab.json'), 'utf8'), vocab);
  }
  const torch = decodeSafetensors(await readFile(join(dir, 'pytorch', 'm.safetensors')));
  assert.deepEqual(torch.tensors.get('lstm_1.weight_ih_l0')?.shape, [12, 4]);
});

test('import a .keras file with a TextVectorization: gated predict takes text as Keras did', async () => {
  const dir = await tempDir();
  const name = 'text_vectorization_bigrams';
  const fixture = fileURLToPath(new URL(`text/${name}.keras`, KERAS_FIXTURES));
  const imported = await gated('import', fixture, '--out', join(dir, 'model'));
  assert.equal(imported.code, 0, imported.stderr);
  const want = JSON.parse(await readFile(new URL(`text/${name}.json`, KERAS_FIXTURES), 'utf8')) as {
    texts: string[];
    predictions: number[][];
  };
  const texts = want.texts.slice(0, 3);
  const predicted = await gated('predict', join(dir, 'model'), '--json', ...texts);
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = predicted.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { scores: { label: string; probability: number }[] });
  rows.forEach((row, i) =>
    want.predictions[i].forEach((keras, unit) => {
      const p = row.scores.find((s) => s.label === String(unit))?.probability ?? NaN;
      assert.ok(Math.abs(p - keras) <= 1e-5, `text ${i}, class ${unit}: ${p} vs Keras ${keras}`);
    }),
  );
});

test('bad input: one error line, exit status 1', async () => {
  const dir = await tempDir();
  const notKeras = join(dir, 'x.keras');
  await writeFile(notKeras, 'hello');
  const cases: [string[], RegExp][] = [
    [['import', notKeras, '--out', join(dir, 'o')], /x\.keras: not a zip archive/],
    [
      ['import', join(dir, 'missing.keras'), '--out', join(dir, 'o')],
      /missing\.keras: cannot read \(ENOENT\)/,
    ],
    [
      ['export', join(dir, 'none'), '--format', 'onnx', '--out', join(dir, 'm.onnx')],
      /none\/model\.json: no such file or directory/,
    ],
    [
      ['export', dir, '--format', 'tflite', '--out', join(dir, 'm')],
      /argument 'tflite' is invalid/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await gated(...args);
    assert.equal(result.code, 1, args.join(' '));
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n.*\bat /, 'no stack trace');
  }
});
