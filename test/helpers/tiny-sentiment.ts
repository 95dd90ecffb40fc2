/** A tiny trained sentiment model saved as `gated train` saves one (for page and README tests). */
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

/** Trains a tiny sentiment model on Node and saves it as `gated train` would. */
export async function saveTinyModel(dir: string): Promise<void> {
  const texts = ['great lovely wonderful film', 'awful boring worst film', 'great story', 'boring'];
  const vocabulary = Vocabulary.fromTexts(texts, { numWords: 40 });
  const backend = createReferenceBackend('float32');
  const model = new Sequential({ seed: 3, backend });
  model
    .add(new Embedding({ inputDim: 40, outputDim: 8 }))
    .add(new LSTM({ units: 8 }))
    .add(new Dense({ units: 1, activation: 'sigmoid' }));
  model.build([12]);
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  const ids = padSequences(
    texts.map((t) => vocabulary.encode(t)),
    12,
  );
  const x = new Tensor(Float32Array.from(ids), [texts.length, 12]);
  const y = new Tensor(Float32Array.from([1, 0, 1, 0]), [texts.length, 1]);
  for (let i = 0; i < 10; i++) model.trainOnBatch(x, y);
  await saveModel(model, dir);
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocabulary.toJSON()));
}
