/**
 * The data of a run from `--data` and friends, whatever the source: the IMDB archive (with
 * keras.datasets.imdb ids, labelled by sentiment or by star rating) or a folder, CSV/TSV, JSON
 * Lines or fastText file (with a TextVectorization adapted on the training split). Every path
 * ends in the same shape: id matrices, targets, the vectorizer and the labels of the task.
 */
import { IMDB_SENTIMENT_LABELS, makeLabelSet, type LabelSet } from '../classify/task.js';
import { loadImdb, type ImdbSplit } from '../data/index.js';
import { detectFormat, rowSource, type DataFormat } from '../data/formats.js';
import { imdbRowSource } from '../data/imdb-rows.js';
import { loadTextDataset, type LabelledSplit } from '../data/text-dataset.js';
import { resolveSource } from '../data/source.js';
import type { OutputMode } from '../text/bag.js';
import { DEFAULT_VECTORIZATION } from '../text/text-vectorization.js';
import { imdbVectorizer, textVectorizer, type Vectorizer } from '../text/vectorizer.js';

export const IMDB_LABELS = ['sentiment', 'rating'] as const;
export type ImdbLabel = (typeof IMDB_LABELS)[number];

export interface DataOptions {
  data?: string;
  /** Forces a loader instead of telling it from the path. */
  format?: DataFormat;
  textColumn?: string;
  labelColumn?: string;
  /** IMDB only: what a review's class is (default sentiment). */
  label?: ImdbLabel;
  /** Ids are below this (Keras max_tokens / imdb num_words). */
  numWords: number;
  maxlen: number;
  /** Adds k-gram tokens up to this k (IMDB then reads raw text through a TextVectorization). */
  ngrams?: number;
  /** The TextVectorization's output: 'int' sequences (default) or a bag (IMDB as for ngrams). */
  outputMode?: OutputMode;
  /** The test fraction when the source has no test split. */
  testSplit?: number;
  validationSplit: number;
  seed: number;
  multiclass?: boolean;
  skipBadRows?: boolean;
  /** IMDB only: this many reviews of each split, balanced. */
  limit?: number;
}

export interface PreparedData {
  train: LabelledSplit;
  test: LabelledSplit;
  vectorizer: Vectorizer;
  labels: LabelSet;
  /** The file or folder read. */
  source: string;
  format: DataFormat;
  skipped: number;
}

export const DEFAULT_TEST_SPLIT = 0.2;

/** The IMDB star ratings (1–4 negative, 7–10 positive) as the classes of `--label rating`. */
const RATINGS = [1, 2, 3, 4, 7, 8, 9, 10];

export async function prepareData(
  o: DataOptions,
  log: (line: string) => void,
): Promise<PreparedData> {
  const format = o.format ?? (o.data === undefined ? 'imdb' : await detectFormat(o.data));
  if (format !== 'imdb' && o.label !== undefined)
    throw new Error(`--label ${o.label} is for the IMDB archive; ${o.data} is ${format} data`);
  const vectorized = (o.ngrams ?? 1) > 1 || (o.outputMode ?? 'int') !== 'int';
  if (format === 'imdb' && !vectorized) return prepareImdb(o, log);
  if (format === 'imdb') {
    if (o.label === 'rating')
      throw new Error('--label rating reads keras.datasets.imdb ids: not with n-grams or bags');
    if (o.limit !== undefined)
      throw new Error('--limit is for keras.datasets.imdb ids: not with n-grams or bags');
  }
  const path =
    format === 'imdb' ? await resolveSource(o.data !== undefined ? { data: o.data } : {}) : o.data!;
  const source =
    format === 'imdb'
      ? imdbRowSource(path)
      : rowSource(path, format, {
          ...(o.textColumn !== undefined ? { textColumn: o.textColumn } : {}),
          ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}),
        });
  const dataset = await loadTextDataset(source, {
    describe: path,
    vectorization: {
      ...DEFAULT_VECTORIZATION,
      maxTokens: o.numWords,
      outputSequenceLength: o.maxlen,
      ngrams: o.ngrams ?? 1,
      outputMode: o.outputMode ?? 'int',
    },
    testSplit: o.testSplit ?? DEFAULT_TEST_SPLIT,
    validationSplit: o.validationSplit,
    seed: o.seed,
    multiclass: o.multiclass ?? false,
    skipBadRows: o.skipBadRows ?? false,
    onProgress: log,
  });
  return {
    train: dataset.train,
    test: dataset.test,
    vectorizer: textVectorizer(dataset.vectorization),
    labels: dataset.labels,
    source: path,
    format,
    skipped: dataset.skipped,
  };
}

async function prepareImdb(o: DataOptions, log: (line: string) => void): Promise<PreparedData> {
  const data = await loadImdb({
    numWords: o.numWords,
    maxlen: o.maxlen,
    seed: 113,
    onProgress: log,
    data: await resolveSource(o.data !== undefined ? { data: o.data } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  });
  const byRating = o.label === 'rating';
  const labels = byRating
    ? makeLabelSet('multiclass', RATINGS.map(String))
    : o.multiclass
      ? makeLabelSet('multiclass', IMDB_SENTIMENT_LABELS.classNames)
      : IMDB_SENTIMENT_LABELS;
  const classOf = (split: ImdbSplit, i: number): number =>
    byRating ? RATINGS.indexOf(split.ratings[i]) : split.y[i];
  const toSplit = (split: ImdbSplit): LabelledSplit => {
    const classIds = Int32Array.from({ length: split.count }, (_, i) => classOf(split, i));
    if (classIds.some((c) => c < 0))
      throw new Error(`${data.source}: a review has a rating outside ${RATINGS.join(', ')}`);
    return {
      x: split.x,
      y: Float32Array.from(classIds),
      yWidth: 1,
      lengths: split.lengths,
      classIds,
      count: split.count,
      length: split.maxlen,
    };
  };
  return {
    train: toSplit(data.train),
    test: toSplit(data.test),
    vectorizer: imdbVectorizer(data.vocabulary, o.maxlen),
    labels,
    source: data.source,
    format: 'imdb',
    skipped: 0,
  };
}
