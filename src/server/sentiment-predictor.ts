/**
 * The Predictor over today's models: a binary sentiment classifier (one sigmoid output, P(positive))
 * saved by `gated train`. Texts are encoded and padded exactly as `gated predict` does, so the
 * server returns the same numbers. This is the one file to replace for another kind of classifier.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { SentimentClassifier } from '../experiments/sentiment.js';
import { VOCAB_FILE } from '../experiments/train-run.js';
import { loadModel, ModelFileError } from '../io/model-dir.js';
import { Embedding } from '../layers/embedding.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { padSequences } from '../text/pad.js';
import type { Vocabulary } from '../text/vocabulary.js';
import type { ModelFacts, Prediction, Predictor } from './predictor.js';

const CLASSES = ['negative', 'positive'] as const;

class SentimentPredictor implements Predictor {
  readonly facts: ModelFacts;

  constructor(
    private readonly model: Sequential,
    private readonly vocabulary: Vocabulary | null,
    idLimit: number,
  ) {
    const { backend } = model;
    this.facts = {
      architecture: model.layers.map((l) => l.className),
      classes: CLASSES,
      parameters: model.countParams(),
      vocabularySize: vocabulary?.numWords ?? null,
      idLimit,
      maxlen: model.inputShape[0],
      backend: backend.name,
      threads: (backend as Partial<{ threads: number }>).threads ?? 1,
    };
  }

  encode(text: string): ArrayLike<number> {
    if (!this.vocabulary) throw new Error('this model has no vocabulary: send token ids');
    return this.vocabulary.encode(text);
  }

  predictBatch(inputs: readonly ArrayLike<number>[]): Prediction[] {
    if (inputs.length === 0) return [];
    const { maxlen } = this.facts;
    const ids = padSequences([...inputs], maxlen);
    // One forward pass for the whole batch (predict's default would cut it into 32-row passes).
    const out = this.model.predict(new Tensor(Float32Array.from(ids), [inputs.length, maxlen]), {
      batchSize: inputs.length,
    });
    return inputs.map((_, i) => {
      const positive = out.data[i];
      return {
        probabilities: { negative: 1 - positive, positive },
        label: positive >= 0.5 ? 'positive' : 'negative',
      };
    });
  }
}

/**
 * Loads a run directory: model.json and weights.safetensors, and vocab.json when there is one
 * (without it the model takes token ids only). Checks that the model is a binary classifier over
 * token ids before the server offers it.
 */
export async function loadPredictor(dir: string, backend?: Backend): Promise<Predictor> {
  const hasVocabulary = await access(join(dir, VOCAB_FILE)).then(
    () => true,
    () => false,
  );
  const { model, vocabulary } = hasVocabulary
    ? await SentimentClassifier.load(dir, backend)
    : { model: (await loadModel(dir, backend)).model, vocabulary: null };
  const first = model.layers[0];
  if (!(first instanceof Embedding))
    throw new ModelFileError(`${dir}: the model must start with an Embedding layer to take text`);
  const predictor = new SentimentPredictor(model, vocabulary, first.inputDim);
  // A first pass both warms the backend up and checks the output is one sigmoid per input.
  const { maxlen } = predictor.facts;
  const width = model.predict(new Tensor(new Float32Array(maxlen), [1, maxlen])).size;
  if (width !== 1)
    throw new ModelFileError(
      `${dir}: the model has ${width} outputs; serve takes binary classifiers (one sigmoid output)`,
    );
  return predictor;
}
