/**
 * The naive-Bayes log-count ratios of Wang & Manning's NBSVM (2012): with f the binarized bag of a
 * text (1 for each id it holds), p = α + Σ f over the positive texts and q = α + Σ f over the
 * negative ones, r = log((p / ‖p‖₁) / (q / ‖q‖₁)). A linear classifier over r ∘ f is the NBSVM
 * (here trained as a logistic regression by the usual optimizers). Computed from the training
 * rows only: the validation and test rows must not shape the features.
 */

export interface BagRows {
  /** [count, width] ids as a bag-mode TextVectorization writes them: ascending, 0 for padding. */
  ids: Int32Array;
  count: number;
  width: number;
}

/**
 * r for every id below `vocabularySize` from the first `rows` rows of `bags` and their classes
 * (1 positive, 0 negative). Padding (id 0) gets 0. `alpha` > 0 smooths the counts (1: Laplace).
 */
export function naiveBayesRatios(
  bags: BagRows,
  classIds: ArrayLike<number>,
  rows: number,
  vocabularySize: number,
  alpha = 1,
): Float64Array {
  if (!(Number.isSafeInteger(rows) && rows >= 1 && rows <= bags.count))
    throw new Error(`naiveBayesRatios: rows must be an integer in [1, ${bags.count}], got ${rows}`);
  if (!(Number.isFinite(alpha) && alpha > 0))
    throw new Error(`naiveBayesRatios: alpha must be a positive number, got ${alpha}`);
  const p = new Float64Array(vocabularySize).fill(alpha);
  const q = new Float64Array(vocabularySize).fill(alpha);
  for (let i = 0; i < rows; i++) {
    const label = classIds[i];
    if (label !== 0 && label !== 1)
      throw new Error(`naiveBayesRatios: row ${i} has class ${label}; NBSVM takes two (0, 1)`);
    const counts = label === 1 ? p : q;
    let previous = 0;
    for (let t = i * bags.width; t < (i + 1) * bags.width; t++) {
      const id = bags.ids[t];
      // Binarized: an id repeated (a count-mode bag) counts once; padding never.
      if (id === 0 || id === previous) continue;
      if (id < 0 || id >= vocabularySize)
        throw new Error(`naiveBayesRatios: id ${id} in row ${i} is outside [0, ${vocabularySize})`);
      counts[id]++;
      previous = id;
    }
  }
  p[0] = q[0] = 0;
  const pSum = p.reduce((a, b) => a + b, 0);
  const qSum = q.reduce((a, b) => a + b, 0);
  const r = new Float64Array(vocabularySize);
  for (let id = 1; id < vocabularySize; id++) r[id] = Math.log(p[id] / pSum / (q[id] / qSum));
  return r;
}
