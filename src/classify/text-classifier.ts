/**
 * TextClassifier: a trained model with the vectorizer and class names saved beside it, so raw
 * text goes in and class names with probabilities come out. No Node APIs except in load(), which
 * imports the directory reader on demand: the browser bundle uses the same class.
 */
import type { Backend } from '../backend/backend.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import type { Vectorizer } from '../text/vectorizer.js';
import {
  checkOutputMatches,
  classScores,
  IMDB_SENTIMENT_LABELS,
  predictedLabels,
  type ClassScore,
  type LabelSet,
} from './task.js';

export interface TextPrediction {
  readonly text: string;
  /** The most probable class (multi-label: the most probable label, on or not). */
  readonly label: string;
  /** The probability of `label`. */
  readonly probability: number;
  /** The predicted classes: [label], or every label over the threshold for multi-label. */
  readonly labels: string[];
  /** Every class with its probability, most probable first. */
  readonly scores: ClassScore[];
}

/** Texts in, class probabilities out: one model (TextClassifier) or an ensemble of them. */
export interface Classifier {
  readonly labels: LabelSet;
  readonly classNames: readonly string[];
  /** Outputs for `texts`: [texts.length, units] (units = 1 for binary). */
  probabilities(texts: readonly string[]): Tensor;
  predict(texts: readonly string[]): TextPrediction[];
}

export class TextClassifier implements Classifier {
  readonly model: Sequential;
  readonly vectorizer: Vectorizer;
  readonly labels: LabelSet;

  /**
   * Wraps a model that has a vectorizer and labels (as `gated train` and loadModel set them).
   * Throws when either is missing or the output layer does not fit the saved task.
   */
  constructor(model: Sequential, where = 'model') {
    if (!model.vectorizer)
      throw new Error(`${where}: no vectorizer (vectorizer.json or vocab.json) to encode text`);
    // A run saved before labels.json existed is IMDB sentiment with its word index.
    const labels =
      model.labels ?? (model.vectorizer.fileName === 'vocab.json' ? IMDB_SENTIMENT_LABELS : null);
    if (!labels) throw new Error(`${where}: no labels.json (the task and class names)`);
    checkOutputMatches(labels, outputLayerOf(model), where);
    if (model.inputShape.length !== 1 || model.inputShape[0] !== model.vectorizer.sequenceLength)
      throw new Error(
        `${where}: the model takes [${model.inputShape.join(', ')}], the vectorizer gives ${model.vectorizer.sequenceLength} ids`,
      );
    this.model = model;
    this.vectorizer = model.vectorizer;
    this.labels = labels;
  }

  /** Loads a directory written by `gated train` or `model.save(dir)` (Node only). */
  static async load(dir: string, backend?: Backend): Promise<TextClassifier> {
    const { loadModel } = await import('../io/model-dir.js');
    const { model } = await loadModel(dir, backend);
    return new TextClassifier(model, dir);
  }

  get classNames(): readonly string[] {
    return this.labels.classNames;
  }

  /** The model's outputs for `texts`: [texts.length, units] (units = 1 for binary). */
  probabilities(texts: readonly string[]): Tensor {
    const length = this.vectorizer.sequenceLength;
    // An ordinary array, not backend.alloc: a wasm block would come back only when a finalizer
    // runs, so a loop of predicts that never yields would grow wasm memory.
    const x = new Tensor(Float32Array.from(this.vectorizer.encode(texts)), [texts.length, length]);
    return this.model.predict(x);
  }

  /** Class names with probabilities for each text. */
  predict(texts: readonly string[]): TextPrediction[] {
    return texts.length === 0 ? [] : textPredictions(this.labels, texts, this.probabilities(texts));
  }
}

/** What `predict` returns, from a classifier's outputs for `texts` ([texts.length, units]). */
export function textPredictions(
  labels: LabelSet,
  texts: readonly string[],
  out: Tensor,
): TextPrediction[] {
  const units = out.size / texts.length;
  return texts.map((text, i) => {
    const row = out.data.subarray(i * units, (i + 1) * units);
    const scores = classScores(labels, row);
    return {
      text,
      label: scores[0].label,
      probability: scores[0].probability,
      labels: predictedLabels(labels, row),
      scores,
    };
  });
}

/** The last layer's unit count and activation (a Dense, as every classifier ends). */
function outputLayerOf(model: Sequential): { units: number; activation: string } {
  const config = model.layers.at(-1)?.getConfig() ?? {};
  const units = typeof config.units === 'number' ? config.units : NaN;
  const activation = typeof config.activation === 'string' ? config.activation : 'none';
  return { units, activation };
}
