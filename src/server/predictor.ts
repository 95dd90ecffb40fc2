/**
 * What the server needs of a trained model, and nothing more: the facts `/v1/model` reports and
 * predictions for a batch of token-id sequences. The server is written against this interface
 * only; `classifier-predictor.ts` implements it over gated's classifiers, so another kind of model
 * plugs in by replacing that one file.
 */

export interface ModelFacts {
  /** The layer classes, input to output ("Embedding", "LSTM", "Dense"). */
  readonly architecture: readonly string[];
  /** Class names, in the order of `Prediction.probabilities`. */
  readonly classes: readonly string[];
  readonly parameters: number;
  /** Words the vocabulary keeps (ids below this), or null: the model takes token ids only. */
  readonly vocabularySize: number | null;
  /** Token ids must be below this (the embedding's input size); 0: texts only (an ensemble). */
  readonly idLimit: number;
  /** Every sequence is padded or truncated (at the front) to this many ids. */
  readonly maxlen: number;
  readonly backend: string;
  readonly threads: number;
}

export interface Prediction {
  /** Probability of each class, by class name. */
  readonly probabilities: Readonly<Record<string, number>>;
  /** The most probable class. */
  readonly label: string;
}

export interface Predictor {
  readonly facts: ModelFacts;
  /** The token ids of a text, as training encoded it (only when vocabularySize is not null). */
  encode(text: string): ArrayLike<number>;
  /** One forward pass over all of `inputs` (each id below idLimit): one prediction per input. */
  predictBatch(inputs: readonly ArrayLike<number>[]): Prediction[];
}
