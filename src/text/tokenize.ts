/**
 * Tokenisation compatible with Keras's `Tokenizer` (lower=True, split=' ', default filters),
 * plus the `<br />` stripping the IMDB reviews need: their line breaks are HTML tags.
 */

/** Keras's default `Tokenizer` filters. The apostrophe is not in it, so "don't" stays one token. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** The tokenizer settings, as recorded in a saved vocabulary. */
export const TOKENIZER_CONFIG = {
  lower: true,
  filters: KERAS_FILTERS,
  split: ' ',
  stripHtmlBreaks: true,
} as const;

const HTML_BREAK = /<br\s*\/?>/gi;
const FILTER_CHARS = new RegExp(`[${KERAS_FILTERS.replace(/[\\\]^-]/g, '\\$&')}]`, 'g');
const WHITESPACE = /\s+/;

export function tokenize(text: string): string[] {
  const cleaned = text.replace(HTML_BREAK, ' ').toLowerCase().replace(FILTER_CHARS, ' ');
  return cleaned.split(WHITESPACE).filter((token) => token.length > 0);
}
