/**
 * A word vocabulary with the conventions of `keras.datasets.imdb`:
 * id 0 is padding, 1 marks the start of a review, 2 is out-of-vocabulary, and the word of rank r
 * (1 = most frequent) has id r + indexFrom = r + 3. So the most frequent word has id 4, and id 3
 * is never produced: Keras reserves it (it was meant for an "unused" marker) and we keep its
 * numbering so ids match models and tutorials written for Keras.
 * `numWords` keeps the most frequent words: any id >= numWords becomes the oov id 2.
 */
import { TOKENIZER_CONFIG, tokenize } from './tokenize.js';

export const PAD_CHAR = 0;
export const START_CHAR = 1;
export const OOV_CHAR = 2;
export const INDEX_FROM = 3;

export interface VocabularyJson {
  format: 'gated-vocab';
  version: 1;
  numWords: number;
  indexFrom: typeof INDEX_FROM;
  startChar: typeof START_CHAR;
  oovChar: typeof OOV_CHAR;
  padChar: typeof PAD_CHAR;
  tokenizer: { lower: boolean; filters: string; split: string; stripHtmlBreaks: boolean };
  /** word -> rank (1 = most frequent). */
  wordIndex: Record<string, number>;
}

export class Vocabulary {
  /** Ids are < numWords: words whose id would reach it are encoded as OOV_CHAR. */
  readonly numWords: number;
  private readonly wordsByRank: readonly string[];
  private wordIndexMap: Map<string, number> | undefined;

  /**
   * @param wordsByRank distinct words, most frequent first (index 0 has rank 1)
   * @param numWords defaults to keeping every word
   */
  constructor(wordsByRank: readonly string[], numWords = wordsByRank.length + INDEX_FROM + 1) {
    if (!Number.isInteger(numWords) || numWords <= INDEX_FROM) {
      throw new Error(`Vocabulary: numWords must be an integer > ${INDEX_FROM}, got ${numWords}`);
    }
    this.wordsByRank = wordsByRank;
    this.numWords = numWords;
  }

  /**
   * word -> rank, 1 = most frequent. A Map, so words like "constructor" are plain keys. Built on
   * first use: IMDB's 88,000 words take 50 ms, which a cached load that never encodes text skips.
   */
  get wordIndex(): ReadonlyMap<string, number> {
    this.wordIndexMap ??= new Map(this.wordsByRank.map((word, i) => [word, i + 1]));
    return this.wordIndexMap;
  }

  /** Ranks the words of `texts` (the training texts) by count, ties by word. */
  static fromTexts(texts: Iterable<string>, options: { numWords?: number } = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const token of tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    return new Vocabulary(rankWords(counts), options.numWords);
  }

  /** How many ranked words the vocabulary holds (before the numWords cut). */
  get size(): number {
    return this.wordsByRank.length;
  }

  /** The id of the word of `rank`; rank 0 stands for a word outside the vocabulary. */
  idForRank(rank: number): number {
    const id = rank + INDEX_FROM;
    return rank > 0 && id < this.numWords ? id : OOV_CHAR;
  }

  idOf(word: string): number {
    return this.idForRank(this.wordIndex.get(word) ?? 0);
  }

  /** The word an id stands for, or null for the reserved ids (pad, start, OOV, 3) and ids ≥ numWords. */
  wordOf(id: number): string | null {
    if (!Number.isInteger(id) || id <= INDEX_FROM || id >= this.numWords) return null;
    return this.wordsByRank[id - INDEX_FROM - 1] ?? null;
  }

  /** START_CHAR followed by the id of every token of `text`. */
  encode(text: string): Int32Array {
    const tokens = tokenize(text);
    const ids = new Int32Array(tokens.length + 1);
    ids[0] = START_CHAR;
    tokens.forEach((token, i) => (ids[i + 1] = this.idOf(token)));
    return ids;
  }

  /**
   * The saved form. Only the words that can get an id below numWords are stored: the others
   * all encode as OOV_CHAR anyway, and this keeps vocab.json small (10,000 words, not 100,000+).
   */
  toJSON(): VocabularyJson {
    const wordIndex: Record<string, number> = Object.create(null);
    const kept = Math.min(this.wordsByRank.length, this.numWords - INDEX_FROM - 1);
    for (let i = 0; i < kept; i++) wordIndex[this.wordsByRank[i]] = i + 1;
    return {
      format: 'gated-vocab',
      version: 1,
      numWords: this.numWords,
      indexFrom: INDEX_FROM,
      startChar: START_CHAR,
      oovChar: OOV_CHAR,
      padChar: PAD_CHAR,
      tokenizer: { ...TOKENIZER_CONFIG },
      wordIndex,
    };
  }

  /** Reads a `toJSON()` object (e.g. a parsed vocab.json), checking every field. */
  static fromJSON(json: unknown): Vocabulary {
    if (!isRecord(json)) fail('expected an object');
    if (json.format !== 'gated-vocab')
      fail(`format must be "gated-vocab", got ${show(json.format)}`);
    if (json.version !== 1) fail(`unsupported version ${show(json.version)} (expected 1)`);
    const expected = {
      indexFrom: INDEX_FROM,
      startChar: START_CHAR,
      oovChar: OOV_CHAR,
      padChar: PAD_CHAR,
    };
    for (const [key, value] of Object.entries(expected)) {
      if (json[key] !== value) fail(`${key} must be ${value}, got ${show(json[key])}`);
    }
    const numWords = json.numWords;
    if (typeof numWords !== 'number' || !Number.isInteger(numWords) || numWords <= INDEX_FROM) {
      fail(`numWords must be an integer > ${INDEX_FROM}, got ${show(numWords)}`);
    }
    const tokenizer = json.tokenizer;
    if (!isRecord(tokenizer)) fail('tokenizer must be an object');
    for (const [key, value] of Object.entries(TOKENIZER_CONFIG)) {
      if (tokenizer[key] !== value) {
        fail(`tokenizer.${key} must be ${show(value)} (the only supported setting)`);
      }
    }
    const wordIndex = json.wordIndex;
    if (!isRecord(wordIndex)) fail('wordIndex must be an object');
    // Own keys only: a "__proto__" key from JSON.parse is an own property, i.e. just a word.
    const entries = Object.entries(wordIndex);
    const wordsByRank: string[] = new Array(entries.length);
    for (const [word, rank] of entries) {
      if (word.length === 0) fail('wordIndex has an empty word');
      if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) {
        fail(`rank of "${word}" must be a positive integer, got ${show(rank)}`);
      }
      if (rank > entries.length || wordsByRank[rank - 1] !== undefined) {
        fail(`ranks must be 1..${entries.length} each used once; "${word}" has rank ${rank}`);
      }
      wordsByRank[rank - 1] = word;
    }
    return new Vocabulary(wordsByRank, numWords);
  }
}

/** Words by count descending, ties broken by the word (code-unit order) for determinism. */
export function rankWords(counts: ReadonlyMap<string, number>): string[] {
  return [...counts]
    .sort(([wordA, countA], [wordB, countB]) => {
      if (countA !== countB) return countB - countA;
      return wordA < wordB ? -1 : wordA > wordB ? 1 : 0;
    })
    .map(([word]) => word);
}

function fail(problem: string): never {
  throw new Error(`Invalid vocabulary JSON: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
