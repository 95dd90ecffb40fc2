/**
 * loadImdb: the IMDB sentiment dataset as padded id matrices with Keras's conventions
 * (see Vocabulary), like `keras.datasets.imdb.load_data` followed by `pad_sequences`.
 */
import { Rng } from '../random/rng.js';
import { padInto, type PadSide } from '../text/pad.js';
import { INDEX_FROM, START_CHAR, Vocabulary } from '../text/vocabulary.js';
import { readReviews } from './archive.js';
import { cacheFileFor, readEncodedCache, writeEncodedCache } from './cache.js';
import { ESCAPED_RANK, SPLIT_CODE, encodeReviews, rankAt, type EncodedDataset } from './encoded.js';
import { DataError } from './errors.js';
import { defaultCacheDir, resolveSource, type Fetch } from './source.js';

export interface LoadImdbOptions {
  /** The archive or extracted folder; else $GATED_IMDB, the cache, or a download. */
  data?: string;
  /** Ids are < numWords: rarer words become the oov id 2. */
  numWords?: number;
  /** Every review is padded or truncated to this many ids. */
  maxlen?: number;
  /** Use only this many reviews per split, half positive and half negative, for quick runs. */
  limit?: number;
  /** Seeds the shuffle of each split (Keras uses 113). */
  seed?: number;
  /** Defaults to $GATED_CACHE, else ~/.cache/gated. */
  cacheDir?: string;
  padding?: PadSide;
  truncating?: PadSide;
  onProgress?: (message: string) => void;
  /** Replaces the global fetch for the download (tests inject one). */
  fetch?: Fetch;
}

export interface ImdbSplit {
  /** Ids, [count, maxlen] row-major, padded/truncated. */
  x: Int32Array;
  /** 1 positive, 0 negative. */
  y: Float32Array;
  /** The true id count of each review, start id included, before padding/truncation. */
  lengths: Int32Array;
  /** The file-name id and 1-10 star rating of each review, to trace a row back to its file. */
  ids: Uint32Array;
  ratings: Uint8Array;
  count: number;
  maxlen: number;
}

export interface ImdbData {
  train: ImdbSplit;
  test: ImdbSplit;
  /** Ranked on all 25,000 training reviews (even with `limit`), cut at numWords. */
  vocabulary: Vocabulary;
  /** The archive or folder read. */
  source: string;
  /** True when the encoded dataset came from the cache rather than the archive. */
  fromCache: boolean;
}

export async function loadImdb(options: LoadImdbOptions = {}): Promise<ImdbData> {
  const {
    numWords = 10000,
    maxlen = 200,
    limit,
    seed = 113,
    padding = 'pre',
    truncating = 'pre',
    onProgress,
  } = options;
  requireInteger('numWords', numWords, INDEX_FROM + 1);
  requireInteger('maxlen', maxlen, 1);
  if (limit !== undefined) requireInteger('limit', limit, 1);
  requireInteger('seed', seed);
  for (const [name, side] of Object.entries({ padding, truncating })) {
    if (side !== 'pre' && side !== 'post') {
      throw new DataError(`${name} must be 'pre' or 'post', got '${side}'`);
    }
  }

  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const source = await resolveSource({ data: options.data, cacheDir, fetch: options.fetch });
  const cacheFile = await cacheFileFor(cacheDir, source);
  let dataset = readEncodedCache(cacheFile);
  const fromCache = dataset !== undefined;
  if (dataset === undefined) {
    onProgress?.(`reading ${source}`);
    dataset = await encodeReviews(
      readReviews(source, onProgress ? { onNotice: onProgress } : {}),
      onProgress,
    );
    try {
      await writeEncodedCache(cacheFile, dataset);
    } catch (error) {
      // A read-only cache only costs speed next time: the data is loaded either way.
      onProgress?.(`could not write the cache ${cacheFile}: ${(error as Error).message}`);
    }
  }

  const vocabulary = new Vocabulary(dataset.words, numWords);
  const rng = new Rng(seed);
  const splitOptions = { vocabulary, maxlen, limit, padding, truncating, rng };
  const train = buildSplit(dataset, shuffledMembers(dataset, SPLIT_CODE.train, rng), splitOptions);
  const test = buildSplit(dataset, shuffledMembers(dataset, SPLIT_CODE.test, rng), splitOptions);
  return { train, test, vocabulary, source, fromCache };
}

function requireInteger(name: string, value: number, min = -Infinity): void {
  if (!Number.isInteger(value) || value < min) {
    const expected =
      min === 1
        ? 'a positive integer'
        : min > -Infinity
          ? `an integer of at least ${min}`
          : 'an integer';
    throw new DataError(`${name} must be ${expected}, got ${value}`);
  }
}

/**
 * The reviews of one split in a seeded random order. The archive lists one label before the
 * other, so without it the last 20% a validation split takes would hold a single label.
 */
function shuffledMembers(dataset: EncodedDataset, splitCode: number, rng: Rng): Int32Array {
  const members: number[] = [];
  dataset.split.forEach((code, i) => code === splitCode && members.push(i));
  return rng.permutation(members.length).map((i) => members[i]);
}

interface SplitOptions {
  vocabulary: Vocabulary;
  maxlen: number;
  limit: number | undefined;
  padding: PadSide;
  truncating: PadSide;
  rng: Rng;
}

function buildSplit(dataset: EncodedDataset, order: Int32Array, options: SplitOptions): ImdbSplit {
  const { vocabulary, maxlen, padding, truncating } = options;
  const chosen =
    options.limit === undefined
      ? order
      : takeBalanced(order, dataset.label, options.limit, options.rng);
  const count = chosen.length;
  const split: ImdbSplit = {
    x: new Int32Array(count * maxlen),
    y: new Float32Array(count),
    lengths: new Int32Array(count),
    ids: new Uint32Array(count),
    ratings: new Uint8Array(count),
    count,
    maxlen,
  };
  const { offsets, ranks } = dataset;
  // The id of every rank, so the per-token work is one array read.
  const idOfRank = new Int32Array(dataset.words.length + 1);
  for (let rank = 0; rank < idOfRank.length; rank++) idOfRank[rank] = vocabulary.idForRank(rank);
  let longest = 0;
  for (const review of chosen) longest = Math.max(longest, offsets[review + 1] - offsets[review]);
  const sequence = new Int32Array(longest + 1);
  chosen.forEach((review, row) => {
    const start = offsets[review];
    const length = offsets[review + 1] - start + 1;
    sequence[0] = START_CHAR;
    for (let i = 1; i < length; i++) {
      const rank = ranks[start + i - 1];
      sequence[i] =
        rank === ESCAPED_RANK
          ? vocabulary.idForRank(rankAt(dataset, start + i - 1))
          : idOfRank[rank];
    }
    padInto(sequence.subarray(0, length), split.x, row * maxlen, maxlen, { padding, truncating });
    split.y[row] = dataset.label[review];
    split.lengths[row] = length;
    split.ids[row] = dataset.id[review];
    split.ratings[row] = dataset.rating[review];
  });
  return split;
}

/**
 * The first ceil(limit/2) positives and floor(limit/2) negatives of `order`, shuffled again:
 * taken in order, one label runs out first and the tail (the validation split) would hold
 * mostly the other.
 */
function takeBalanced(order: Int32Array, labels: Uint8Array, limit: number, rng: Rng): Int32Array {
  const quota = [Math.floor(limit / 2), Math.ceil(limit / 2)]; // indexed by label
  const chosen = order.filter((review) => quota[labels[review]]-- > 0);
  rng.shuffle(chosen);
  return chosen;
}
