import type { Sequential } from '../models/sequential.js';
import type { TextVectorization } from '../text/text-vectorization.js';
import type { Vocabulary } from '../text/vocabulary.js';
import { explain, type ExplainOptions } from './explain.js';
import type { Explanation } from './schema.js';

/**
 * Explains a text encoded by the model's own vectorizer (`gated explain`, the web page): the
 * IMDB word index or the TextVectorization, which also name each token's word.
 */
export function explainText(
  model: Sequential,
  text: string,
  options: Omit<ExplainOptions, 'vocabulary'> = {},
): Explanation {
  const vectorizer = model.vectorizer;
  if (!vectorizer)
    throw new Error('explain: the model has no vectorizer (vectorizer.json or vocab.json)');
  // A vectorizer is one of vectorizer.ts's two kinds: the word index or a TextVectorization.
  const vocabulary =
    'vocabulary' in vectorizer
      ? (vectorizer.vocabulary as Vocabulary)
      : ((vectorizer as Partial<{ vectorization: TextVectorization }>).vectorization ?? undefined);
  if (vocabulary === undefined) return explain(model, vectorizer.encode([text]), options);
  return explain(model, text, { ...options, vocabulary });
}
