/**
 * What turns raw text into a model's input ids, whichever convention the model was trained with:
 * a Keras `TextVectorization` (vectorizer.json) or, for the IMDB path, the `keras.datasets.imdb`
 * word index (vocab.json) padded to the model's input length. Saved next to the model, so
 * predict, evaluate, serve and the browser encode text exactly as training did.
 */
import { padSequences } from './pad.js';
import { TextVectorization } from './text-vectorization.js';
import { Vocabulary } from './vocabulary.js';

export const VECTORIZER_FILE = 'vectorizer.json';
export const VOCAB_FILE = 'vocab.json';

export interface Vectorizer {
  /** The file of the model directory that holds it. */
  readonly fileName: typeof VECTORIZER_FILE | typeof VOCAB_FILE;
  /** The number of ids per text (the model's input length). */
  readonly sequenceLength: number;
  /** Every id is below this (the Embedding's inputDim must be at least this). */
  readonly vocabularySize: number;
  /** Texts → [texts.length, sequenceLength] ids, row-major. */
  encode(texts: readonly string[]): Int32Array;
  toJSON(): unknown;
}

/** A TextVectorization as a Vectorizer (vectorizer.json). */
export function textVectorizer(vectorization: TextVectorization): Vectorizer & {
  vectorization: TextVectorization;
} {
  return {
    fileName: VECTORIZER_FILE,
    vectorization,
    sequenceLength: vectorization.sequenceLength,
    vocabularySize: vectorization.vocabularySize,
    encode: (texts) => vectorization.encode(texts),
    toJSON: () => vectorization.toJSON(),
  };
}

/** The IMDB word index (vocab.json): a start id, then word ids, padded and cut at the front. */
export function imdbVectorizer(
  vocabulary: Vocabulary,
  sequenceLength: number,
): Vectorizer & { vocabulary: Vocabulary } {
  return {
    fileName: VOCAB_FILE,
    vocabulary,
    sequenceLength,
    vocabularySize: vocabulary.numWords,
    encode: (texts) =>
      padSequences(
        texts.map((t) => vocabulary.encode(t)),
        sequenceLength,
      ),
    toJSON: () => vocabulary.toJSON(),
  };
}

/** The vectorizer of a saved file's parsed JSON; `sequenceLength` is the model's input length. */
export function vectorizerFromJSON(
  fileName: string,
  json: unknown,
  sequenceLength: number,
): Vectorizer {
  if (fileName === VOCAB_FILE) return imdbVectorizer(Vocabulary.fromJSON(json), sequenceLength);
  const vectorization = TextVectorization.fromJSON(json);
  if (vectorization.sequenceLength !== sequenceLength) {
    throw new Error(
      `outputSequenceLength ${vectorization.sequenceLength} differs from the model's input length ${sequenceLength}`,
    );
  }
  return textVectorizer(vectorization);
}
