/** A tiny sentiment model trained on Node and saved as `gated train` would (with vocab.json). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { saveModel } from '../../src/io/model-dir.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { LSTM } from '../../src/layers/lstm.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { padSequences } from '../../src/text/pad.js';
import { Vocabulary } from '../../src/text/vocabulary.js';

/** Its input size: ids run over [0, TINY_VOCAB); its sequences are TINY_MAXLEN ids. */
export const TINY_VOCAB = 40;
export const TINY_MAXLEN = 12;

/** Saves the model (and, unless `withVocabulary` is false, its vocabulary) into `dir`. */
export async function saveTinyModel(dir: string, withVocabulary = true): Promise<void> {
  const texts = ['great lovely wonderful film', 'awful boring worst film', 'great story', 'boring'];
  const vocabulary = Vocabulary.fromTexts(texts, { numWords: TINY_VOCAB });
  const backend = createReferenceBackend('float32');
  const model = new Sequential({ seed: 3, backend });
  model
    .add(new Embedding({ inputDim: TINY_VOCAB, outputDim: 8 }))
    .add(new LSTM({ units: 8 }))
    .add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.build([TINY_MAXLEN]);
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  const ids = padSequences(
    texts.map((t) => vocabulary.encode(t)),
    TINY_MAXLEN,
  );
  const x = new Tensor(Float32Array.from(ids), [texts.length, TINY_MAXLEN]);
  const y = new Tensor(Float32Array.from([1, 0, 1, 0]), [texts.length, 1]);
  for (let i = 0; i < 10; i++) model.trainOnBatch(x, y);
  await saveModel(model, dir);
  if (withVocabulary) writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocabulary.toJSON()));
}
