/** Upper bounds of the review-length buckets: ≤100, 101–200, 201–400, >400. */
export const LENGTH_EDGES = [100, 200, 400] as const;

/** Test accuracy over the reviews whose length falls in [min, max]. */
export interface LengthBucket {
  label: string;
  min: number;
  /** null: no upper bound. */
  max: number | null;
  count: number;
  correct: number;
  /** correct / count, null for an empty bucket. */
  accuracy: number | null;
}

/** The buckets' labels and bounds for these upper edges (ascending). */
export function lengthBuckets(edges: readonly number[] = LENGTH_EDGES): LengthBucket[] {
  const buckets: LengthBucket[] = [];
  let min = 0;
  for (const max of [...edges, null]) {
    const label = max === null ? `>${min}` : min === 0 ? `≤${max}` : `${min + 1}–${max}`;
    buckets.push({
      label,
      min: min === 0 ? 0 : min + 1,
      max,
      count: 0,
      correct: 0,
      accuracy: null,
    });
    if (max !== null) min = max;
  }
  return buckets;
}

/**
 * Accuracy by review length. `lengths` are the true lengths before padding or truncation (as
 * loadImdb gives them), `probabilities` the model's P(positive), `labels` 1/0. A prediction is
 * right when (p > 0.5) equals the label, as the accuracy metric counts it.
 */
export function accuracyByLength(
  lengths: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  edges: readonly number[] = LENGTH_EDGES,
): LengthBucket[] {
  if (lengths.length !== probabilities.length || lengths.length !== labels.length)
    throw new Error(
      `accuracyByLength: ${lengths.length} lengths, ${probabilities.length} predictions and ${labels.length} labels`,
    );
  const buckets = lengthBuckets(edges);
  for (let i = 0; i < lengths.length; i++) {
    const bucket = buckets.find((b) => b.max === null || lengths[i] <= b.max) as LengthBucket;
    bucket.count++;
    if ((probabilities[i] > 0.5 ? 1 : 0) === labels[i]) bucket.correct++;
  }
  for (const b of buckets) b.accuracy = b.count === 0 ? null : b.correct / b.count;
  return buckets;
}
