/** A small saved run (model, weights, vocabulary) and its explanation, for the explain tests. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { buildSentimentModel } from '../../src/experiments/architectures.js';
import { explain, type Explanation } from '../../src/explain/index.js';
import { saveModel } from '../../src/io/model-dir.js';
import { Vocabulary } from '../../src/text/vocabulary.js';
import { tempDir } from './imdb-fixture.js';

export const TEXT = 'I wanted to love it, but the plot was not good and the acting was bad';
const WORDS = 'the was i to it but and not good bad love plot acting wanted'.split(' ');

/**
 * Saves an untrained model whose embeddings are scaled up (so its cells saturate and the
 * output moves with the words) as `gated train` would, and explains TEXT with it.
 */
export async function savedRun(
  architecture: 'lstm' | 'cnn',
  backend?: Backend,
): Promise<{ dir: string; e: Explanation }> {
  const dir = await tempDir('gated-explain-');
  const vocabulary = new Vocabulary(WORDS, 16);
  const model = buildSentimentModel({
    architecture,
    numWords: 16,
    maxlen: 24,
    embeddingDim: 6,
    units: 5,
    filters: 6,
    kernelSize: 3,
    seed: 2,
    ...(backend ? { backend } : {}),
  });
  const table = model.layers[0].params()[0].value.data;
  for (let i = 0; i < table.length; i++) table[i] *= 30;
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  await saveModel(model, dir);
  await writeFile(join(dir, 'vocab.json'), JSON.stringify(vocabulary.toJSON()));
  return { dir, e: explain(model, TEXT, { vocabulary }) };
}
