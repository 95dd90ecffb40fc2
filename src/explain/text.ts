import type { Sequential } from '../models/sequential.js';
import type { Vocabulary } from '../text/vocabulary.js';
import { explain, type ExplainOptions } from './explain.js';
import type { Explanation } from './schema.js';

/**
 * Explains a text encoded by the model's own vectorizer (`gated explain`, the web page): the
 * IMDB word index names each token's word; other vectorizers give their ids.
 */
export function explainText(
  model: Sequential,
  text: string,
  options: Omit<ExplainOptions, 'vocabulary'> = {},
): Explanation {
  const vectorizer = model.vectorizer;
  if (!vectorizer)
    throw new Error('explain: the model has no vectorizer (vectorizer.json or vocab.json)');
  return 'vocabulary' in vectorizer
    ? explain(model, text, { ...options, vocabulary: vectorizer.vocabulary as Vocabulary })
    : explain(model, vectorizer.encode([text]), options);
}
