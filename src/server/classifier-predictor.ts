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
import { meanOutput } from '../classify/ensemble.js';
import { ensembleOf, loadEnsembleMembers } from '../io/ensemble-dir.js';
import { isEnsembleDir, loadModel, ModelFileError } from '../io/model-dir.js';
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

  /** The model's outputs for a batch of id sequences, in one forward pass. */
  outputs(inputs: readonly ArrayLike<number>[]): Tensor {
    const { maxlen } = this.facts;
    // Encoded texts are already maxlen long; token ids are padded as Keras pads (at the front).
    const ids = padSequences([...inputs], maxlen);
    // One forward pass for the whole batch (predict's default would cut it into 32-row passes).
    return this.model.predict(new Tensor(Float32Array.from(ids), [inputs.length, maxlen]), {
      batchSize: inputs.length,
    });
  }

  predictBatch(inputs: readonly ArrayLike<number>[]): Prediction[] {
    if (inputs.length === 0) return [];
    return predictionsOf(this.labels, this.outputs(inputs), inputs.length);
  }

  /** A first pass warms the backend up. */
  warmUp(): void {
    const { maxlen } = this.facts;
    this.model.predict(new Tensor(new Float32Array(maxlen), [1, maxlen]));
  }
}

/** Each row of a classifier's outputs as probabilities by class name and the top label. */
function predictionsOf(labels: LabelSet, out: Tensor, count: number): Prediction[] {
  const units = out.size / count;
  return Array.from({ length: count }, (_, i) => {
    const scores = classScores(labels, out.data.subarray(i * units, (i + 1) * units));
    const probabilities: Record<string, number> = {};
    for (const name of labels.classNames) probabilities[name] = 0;
    for (const s of scores) probabilities[s.label] = s.probability;
    return { probabilities, label: scores[0].label };
  });
}

/**
 * An ensemble (src/io/ensemble-dir.ts) behind the same interface: a text is encoded by every
 * member's vectorizer, the encodings laid end to end (members may differ in vocabulary and
 * maxlen), and each member's outputs averaged. It takes texts only: a token id means something
 * else to each member, so idLimit is 0 and the server refuses "ids".
 */
class EnsemblePredictor implements Predictor {
  readonly facts: ModelFacts;
  private readonly lengths: number[];

  constructor(
    private readonly members: readonly ClassifierPredictor[],
    private readonly labels: LabelSet,
  ) {
    const facts = members.map((m) => m.facts);
    this.lengths = facts.map((f) => f.maxlen);
    this.facts = {
      architecture: [
        `Ensemble of ${members.length} (${facts.map((f) => f.architecture.join(' → ')).join('; ')})`,
      ],
      classes: labels.classNames,
      parameters: facts.reduce((n, f) => n + f.parameters, 0),
      vocabularySize: Math.max(...facts.map((f) => f.vocabularySize ?? 0)),
      idLimit: 0,
      maxlen: Math.max(...this.lengths),
      backend: facts[0].backend,
      threads: facts[0].threads,
    };
  }

  encode(text: string): ArrayLike<number> {
    const parts = this.members.map((m) => m.encode(text));
    const all = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(Array.from(p), at);
      at += p.length;
    }
    return all;
  }

  predictBatch(inputs: readonly ArrayLike<number>[]): Prediction[] {
    if (inputs.length === 0) return [];
    let at = 0;
    const outputs = this.members.map((m, i) => {
      const from = at;
      at += this.lengths[i];
      return m.outputs(inputs.map((ids) => Array.prototype.slice.call(ids, from, at) as number[]));
    });
    return predictionsOf(this.labels, meanOutput(outputs), inputs.length);
  }
}

/**
 * Loads a model directory with its vectorizer and labels (without a vectorizer the model takes
 * token ids only; without labels.json it is read as IMDB sentiment, as runs saved before it), or
 * an ensemble directory. Checks the output fits the task before the server offers it.
 */
export async function loadPredictor(dir: string, backend?: Backend): Promise<Predictor> {
  if (await isEnsembleDir(dir)) {
    const members = await loadEnsembleMembers(dir, backend);
    const { labels } = ensembleOf(dir, members);
    const predictors = members.map((m) => classifierPredictor(m.classifier.model, m.dir));
    predictors.forEach((p) => p.warmUp());
    return new EnsemblePredictor(predictors, labels);
  }
  const { model } = await loadModel(dir, backend);
  const predictor = classifierPredictor(model, dir);
  predictor.warmUp();
  return predictor;
}

/** The predictor of one loaded model; `where` names it in errors. */
function classifierPredictor(model: Sequential, where: string): ClassifierPredictor {
  const first = model.layers[0];
  if (!(first instanceof Embedding || first instanceof EmbeddingBag))
    throw new ModelFileError(
      `${where}: the model must start with an Embedding or EmbeddingBag layer to take text`,
    );
  let labels: LabelSet;
  if (model.vectorizer) {
    labels = new TextClassifier(model, where).labels;
  } else {
    labels = model.labels ?? IMDB_SENTIMENT_LABELS;
    const config = model.layers.at(-1)?.getConfig() ?? {};
    const output = { units: Number(config.units), activation: String(config.activation) };
    checkOutputMatches(labels, output, where);
  }
  return new ClassifierPredictor(model, model.vectorizer ?? null, labels, first.inputDim);
}
