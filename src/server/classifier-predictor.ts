/**
 * The Predictor over the models `gated train` (or model.save) writes: a classifier with any
 * number of classes, its class names from labels.json, texts encoded by the saved vectorizer
 * exactly as `gated predict` encodes them, so the server returns the same numbers.
 */
import type { Backend } from '../backend/backend.js';
import {
  checkOutputMatches,
  classScores,
  IMDB_SENTIMENT_LABELS,
  type LabelSet,
} from '../classify/task.js';
import { TextClassifier } from '../classify/text-classifier.js';
import { loadModel, ModelFileError } from '../io/model-dir.js';
import { Embedding } from '../layers/embedding.js';
import { EmbeddingBag } from '../layers/embedding-bag.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { padSequences } from '../text/pad.js';
import type { Vectorizer } from '../text/vectorizer.js';
import type { ModelFacts, Prediction, Predictor } from './predictor.js';

class ClassifierPredictor implements Predictor {
  readonly facts: ModelFacts;

  constructor(
    private readonly model: Sequential,
    private readonly vectorizer: Vectorizer | null,
    private readonly labels: LabelSet,
    idLimit: number,
  ) {
    const { backend } = model;
    this.facts = {
      architecture: model.layers.map((l) => l.className),
      classes: labels.classNames,
      parameters: model.countParams(),
      vocabularySize: vectorizer?.vocabularySize ?? null,
      idLimit,
      maxlen: model.inputShape[0],
      backend: backend.name,
      threads: (backend as Partial<{ threads: number }>).threads ?? 1,
    };
  }

  encode(text: string): ArrayLike<number> {
    if (!this.vectorizer) throw new Error('this model has no vocabulary: send token ids');
    return this.vectorizer.encode([text]);
  }

  predictBatch(inputs: readonly ArrayLike<number>[]): Prediction[] {
    if (inputs.length === 0) return [];
    const { maxlen } = this.facts;
    // Encoded texts are already maxlen long; token ids are padded as Keras pads (at the front).
    const ids = padSequences([...inputs], maxlen);
    // One forward pass for the whole batch (predict's default would cut it into 32-row passes).
    const out = this.model.predict(new Tensor(Float32Array.from(ids), [inputs.length, maxlen]), {
      batchSize: inputs.length,
    });
    const units = out.size / inputs.length;
    return inputs.map((_, i) => {
      const scores = classScores(this.labels, out.data.subarray(i * units, (i + 1) * units));
      const probabilities: Record<string, number> = {};
      for (const name of this.labels.classNames) probabilities[name] = 0;
      for (const s of scores) probabilities[s.label] = s.probability;
      return { probabilities, label: scores[0].label };
    });
  }
}

/**
 * Loads a model directory with its vectorizer and labels (without a vectorizer the model takes
 * token ids only; without labels.json it is read as IMDB sentiment, as runs saved before it).
 * Checks the output fits the task before the server offers it.
 */
export async function loadPredictor(dir: string, backend?: Backend): Promise<Predictor> {
  const { model } = await loadModel(dir, backend);
  const first = model.layers[0];
  if (!(first instanceof Embedding || first instanceof EmbeddingBag))
    throw new ModelFileError(
      `${dir}: the model must start with an Embedding or EmbeddingBag layer to take text`,
    );
  let labels: LabelSet;
  if (model.vectorizer) {
    labels = new TextClassifier(model, dir).labels;
  } else {
    labels = model.labels ?? IMDB_SENTIMENT_LABELS;
    const config = model.layers.at(-1)?.getConfig() ?? {};
    const output = { units: Number(config.units), activation: String(config.activation) };
    checkOutputMatches(labels, output, dir);
  }
  const predictor = new ClassifierPredictor(
    model,
    model.vectorizer ?? null,
    labels,
    first.inputDim,
  );
  // A first pass warms the backend up.
  const { maxlen } = predictor.facts;
  model.predict(new Tensor(new Float32Array(maxlen), [1, maxlen]));
  return predictor;
}
