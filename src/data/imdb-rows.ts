/**
 * The IMDB archive as a row source (labelled texts with the official train/test split), for the
 * models that read raw text through a TextVectorization (n-grams, bags) rather than the
 * keras.datasets.imdb word ids: classes 'negative' and 'positive', as IMDB_SENTIMENT_LABELS.
 */
import { readReviews } from './archive.js';
import type { RowItem, RowSource } from './rows.js';

export function imdbRowSource(path: string): RowSource {
  return async function* (): AsyncGenerator<RowItem> {
    for await (const review of readReviews(path)) {
      yield {
        text: review.text,
        labels: [review.label === 1 ? 'positive' : 'negative'],
        split: review.split,
      };
    }
  };
}
