/**
 * The bag output modes of Keras's TextVectorization, in sparse form. Keras returns a
 * [texts, vocabulary] matrix; at 200k+ n-grams that is mostly zeros, so gated writes each text's
 * non-zeros instead: its ids in ascending order (each once for 'multi_hot', once per occurrence
 * for 'count' and 'tf_idf', so a count is how often an id repeats), then padding ids (0). An
 * EmbeddingBag layer (src/layers/embedding-bag.ts) reads such rows as Dense reads the dense
 * matrix; 'tf_idf' scales each id by its idf weight there.
 */
export const OUTPUT_MODES = ['int', 'multi_hot', 'count', 'tf_idf'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];
export type BagMode = Exclude<OutputMode, 'int'>;

export function isBagMode(mode: OutputMode): mode is BagMode {
  return mode !== 'int';
}

/**
 * Writes the bag of `ids` as `length` values at `offset` of `out`: ascending ids (distinct for
 * 'multi_hot'), then zeros. A bag with more than `length` entries keeps its lowest ids (the most
 * frequent tokens), so the longest texts lose their rarest n-grams.
 */
export function bagInto(
  ids: Int32Array,
  mode: BagMode,
  out: Int32Array,
  offset: number,
  length: number,
): void {
  const sorted = ids.slice().sort();
  out.fill(0, offset, offset + length);
  let n = 0;
  for (let i = 0; i < sorted.length && n < length; i++) {
    if (mode === 'multi_hot' && i > 0 && sorted[i] === sorted[i - 1]) continue;
    out[offset + n++] = sorted[i];
  }
}

/**
 * Keras's inverse document frequency: log(1 + documents / (1 + df)) for each id, where df counts
 * the training texts holding the token (0 for padding and OOV, which Keras also scores so).
 */
export function idfWeights(documentFrequency: ArrayLike<number>, documents: number): Float64Array {
  return Float64Array.from(documentFrequency, (df) => Math.log(1 + documents / (1 + df)));
}
