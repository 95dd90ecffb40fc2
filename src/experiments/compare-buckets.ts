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
 * Accuracy by text length. `lengths` are the true lengths before padding or truncation,
 * `correct` 1 where the model's prediction for the row is right (see correctRows), else 0.
 */
export function accuracyByLength(
  lengths: ArrayLike<number>,
  correct: ArrayLike<number>,
  edges: readonly number[] = LENGTH_EDGES,
): LengthBucket[] {
  if (lengths.length !== correct.length)
    throw new Error(
      `accuracyByLength: ${lengths.length} lengths and ${correct.length} predictions`,
    );
  const buckets = lengthBuckets(edges);
  for (let i = 0; i < lengths.length; i++) {
    const bucket = buckets.find((b) => b.max === null || lengths[i] <= b.max) as LengthBucket;
    bucket.count++;
    if (correct[i] === 1) bucket.correct++;
  }
  for (const b of buckets) b.accuracy = b.count === 0 ? null : b.correct / b.count;
  return buckets;
}
