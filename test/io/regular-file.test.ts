import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { TextClassifier } from '../../src/classify/text-classifier.js';
import { WriteError, writeFileAtomic } from '../../src/io/atomic.js';
import { loadModel, ModelFileError, saveModel } from '../../src/io/model-dir.js';
import { readRegularFile } from '../../src/io/regular-file.js';
import { Vocabulary } from '../../src/text/vocabulary.js';
import { tempDir } from '../helpers/imdb-fixture.js';

const backend = createReferenceBackend('float32');
const modelError = (message: string): Error => new ModelFileError(message);

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
}

async function savedRun(numWords = 20): Promise<string> {
  const dir = await tempDir('gated-hostile-');
  const model = buildSentimentModel({
    architecture: 'lstm',
    ...{ numWords: 20, maxlen: 6, embeddingDim: 3, units: 2, seed: 3, backend },
  });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  await saveModel(model, dir);
  const vocab = new Vocabulary(['good', 'bad', 'film'], numWords);
  await writeFile(join(dir, 'vocab.json'), JSON.stringify(vocab.toJSON()));
  return dir;
}

/** Each replaces one file of a saved model with something that is not a regular file. */
const notFiles: [string, string, (path: string) => Promise<void> | void, RegExp][] = [
  // A plain open() of a FIFO blocks until a writer comes: forever.
  ['model.json', 'a FIFO', (p) => mkfifo(p), /model\.json: not a regular file$/],
  ['weights.safetensors', 'a FIFO', (p) => mkfifo(p), /weights\.safetensors: not a regular file$/],
  // Used to grow to 14 GB.
  [
    'weights.safetensors',
    'a symbolic link to /dev/zero',
    (p) => symlink('/dev/zero', p),
    /weights\.safetensors: not a regular file$/,
  ],
  [
    'weights.safetensors',
    'a directory',
    (p) => mkdir(p),
    /weights\.safetensors: is a directory, expected a file$/,
  ],
  ['vocab.json', 'a FIFO', (p) => mkfifo(p), /vocab\.json: not a regular file$/],
];

for (const [file, what, make, message] of notFiles) {
  test(`${file} as ${what} is refused at once, naming it`, async () => {
    const dir = await savedRun();
    await rm(join(dir, file));
    await make(join(dir, file));
    await assert.rejects(TextClassifier.load(dir, backend), (err: Error) => {
      assert.ok(err instanceof ModelFileError, `${err.constructor.name}: ${err.message}`);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('a file over its size limit is refused before it is read', async () => {
  const path = join(await tempDir(), 'big.json');
  await writeFile(path, Buffer.alloc(1000));
  await assert.rejects(
    readRegularFile(path, 999, modelError),
    /big\.json: 1,000 bytes, more than the 999 this file may have$/,
  );
  assert.equal((await readRegularFile(path, 1000, modelError)).length, 1000);
});

test('weights.safetensors larger than the model could need is refused unread', async () => {
  const dir = await savedRun();
  await writeFile(join(dir, 'weights.safetensors'), Buffer.alloc(4 * 1024 * 1024));
  await assert.rejects(loadModel(dir, backend), /weights\.safetensors: 4,194,304 bytes, more than/);
});

test('vocab.json with numWords larger than the embedding is refused at load', async () => {
  const dir = await savedRun(25);
  await assert.rejects(
    TextClassifier.load(dir, backend),
    /vocab\.json: a vocabulary of 25 is larger than the model's embedding \(inputDim 20\)$/,
  );
  const fits = await savedRun(20);
  assert.equal((await TextClassifier.load(fits, backend)).vectorizer.vocabularySize, 20);
});

test('a write that fails names the file and says why in words (EISDIR)', async () => {
  const path = join(await tempDir(), 'log.csv');
  await mkdir(path);
  await assert.rejects(writeFileAtomic(path, 'x'), (err: Error) => {
    assert.ok(err instanceof WriteError);
    assert.equal(err.message, `${path}: cannot write (is a directory)`);
    return true;
  });
});
