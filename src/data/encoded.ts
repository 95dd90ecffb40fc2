/**
 * The IMDB reviews tokenised once, as rank ids in the training vocabulary. Independent of
 * numWords and maxlen (applied cheaply at load), so one encoding serves every run and is what the
 * cache stores.
 */
import { rankWords } from '../text/vocabulary.js';
import { tokenize } from '../text/tokenize.js';
import type { Review, Split } from './archive.js';

export const SPLIT_CODE: Record<Split, number> = { train: 0, test: 1 };

export interface EncodedDataset {
  /** The training words by rank: words[0] has rank 1, the most frequent. */
  words: string[];
  /** Per review, in canonical order (train then test, positives then negatives, by id). */
  split: Uint8Array;
  label: Uint8Array;
  rating: Uint8Array;
  id: Uint32Array;
  /** Review i's tokens are ranks[offsets[i] .. offsets[i + 1]]. Length: reviews + 1. */
  offsets: Uint32Array;
  /**
   * The rank of each token (1 = most frequent training word, 0 for a word unseen in training),
   * in 16 bits: 2 bytes per token keeps the cache small and its load fast (a 46 MB Int32Array
   * costs more in page faults than the whole rest of a cached load). The few ranks that do not
   * fit are stored as ESCAPED_RANK, their value in `escapedRanks` by token index: use rankAt.
   */
  ranks: Uint16Array;
  escapedRanks: ReadonlyMap<number, number>;
}

export const ESCAPED_RANK = 0xffff;

/** The rank of token `index` of the dataset. */
export function rankAt(dataset: EncodedDataset, index: number): number {
  const rank = dataset.ranks[index];
  return rank === ESCAPED_RANK ? dataset.escapedRanks.get(index)! : rank;
}

interface TokenizedReview {
  split: number;
  label: number;
  rating: number;
  id: number;
  /** Ids in first-seen order, remapped to ranks once all training counts are known. */
  provisionalIds: Int32Array;
}

const PROGRESS_EVERY = 10000;

export async function encodeReviews(
  reviews: AsyncIterable<Review>,
  onProgress?: (message: string) => void,
): Promise<EncodedDataset> {
  const provisionalIdOf = new Map<string, number>();
  const trainCounts: number[] = [];
  const tokenized: TokenizedReview[] = [];
  for await (const review of reviews) {
    const isTrain = review.split === 'train';
    const tokens = tokenize(review.text);
    const provisionalIds = new Int32Array(tokens.length);
    tokens.forEach((token, i) => {
      let provisionalId = provisionalIdOf.get(token);
      if (provisionalId === undefined) {
        provisionalId = trainCounts.length;
        provisionalIdOf.set(token, provisionalId);
        trainCounts.push(0);
      }
      if (isTrain) trainCounts[provisionalId]++;
      provisionalIds[i] = provisionalId;
    });
    tokenized.push({
      split: SPLIT_CODE[review.split],
      label: review.label,
      rating: review.rating,
      id: review.id,
      provisionalIds,
    });
    if (tokenized.length % PROGRESS_EVERY === 0) onProgress?.(`read ${tokenized.length} reviews`);
  }

  const trainWordCounts = new Map<string, number>();
  for (const [word, provisionalId] of provisionalIdOf) {
    if (trainCounts[provisionalId] > 0) trainWordCounts.set(word, trainCounts[provisionalId]);
  }
  const words = rankWords(trainWordCounts);
  const rankOfProvisional = new Int32Array(trainCounts.length); // 0 = unseen in training
  words.forEach((word, i) => (rankOfProvisional[provisionalIdOf.get(word)!] = i + 1));

  tokenized.sort((a, b) => a.split - b.split || b.label - a.label || a.id - b.id);
  const n = tokenized.length;
  const escapedRanks = new Map<number, number>();
  const dataset: EncodedDataset = {
    words,
    split: new Uint8Array(n),
    label: new Uint8Array(n),
    rating: new Uint8Array(n),
    id: new Uint32Array(n),
    offsets: new Uint32Array(n + 1),
    ranks: new Uint16Array(tokenized.reduce((sum, r) => sum + r.provisionalIds.length, 0)),
    escapedRanks,
  };
  let offset = 0;
  tokenized.forEach((review, i) => {
    dataset.split[i] = review.split;
    dataset.label[i] = review.label;
    dataset.rating[i] = review.rating;
    dataset.id[i] = review.id;
    const ids = review.provisionalIds;
    for (let t = 0; t < ids.length; t++, offset++) {
      const rank = rankOfProvisional[ids[t]];
      if (rank >= ESCAPED_RANK) escapedRanks.set(offset, rank);
      dataset.ranks[offset] = Math.min(rank, ESCAPED_RANK);
    }
    dataset.offsets[i + 1] = offset;
  });
  return dataset;
}
