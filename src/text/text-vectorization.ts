/**
 * Keras's `TextVectorization`: standardize, split on whitespace, optional n-grams, a vocabulary
 * adapted on training text, and either sequences padded or truncated to a fixed length
 * (output_mode 'int') or bags of ids ('multi_hot', 'count', 'tf_idf': see bag.ts). Id 0 is padding, 1 is out-of-vocabulary ('[UNK]'), and the token of rank r
 * (1 = most frequent) has id r + 1, as Keras's `get_vocabulary()` lists them. Pure TypeScript:
 * the browser bundle encodes with this same code, so raw text gives the same ids everywhere.
 */
import { bagInto, idfWeights, isBagMode, OUTPUT_MODES, type OutputMode } from './bag.js';
import { padInto, type PadSide } from './pad.js';
import { rankWords } from './vocabulary.js';

export const STANDARDIZE_MODES = [
  'lower_and_strip_punctuation',
  'lower',
  'strip_punctuation',
  'none',
] as const;
export type StandardizeMode = (typeof STANDARDIZE_MODES)[number];

export const PAD_ID = 0;
export const OOV_ID = 1;
/** Ids below this are reserved (padding, OOV): rank r has id r + RESERVED_IDS - 1. */
export const RESERVED_IDS = 2;

export interface TextVectorizationConfig {
  standardize: StandardizeMode;
  /** Replace HTML line breaks (`<br />`) by a space before standardizing (IMDB needs it). */
  stripHtmlBreaks: boolean;
  /** The largest id + 1, padding and OOV included (Keras `max_tokens`); undefined keeps all. */
  maxTokens: number | undefined;
  /**
   * Every text becomes this many ids (Keras `output_sequence_length`); in a bag mode, the most
   * entries a text's bag keeps (Keras has no such cap: its bags are dense rows).
   */
  outputSequenceLength: number;
  /** 'int' (default) or a bag mode (Keras `output_mode`). */
  outputMode?: OutputMode;
  /** Where the pad ids go and which end is cut ('pre' keeps the end of a long text). */
  padding: PadSide;
  truncating: PadSide;
  /** 1: words only; n: also every k-gram for k = 2..n, joined by a space (Keras `ngrams`). */
  ngrams: number;
}

export const DEFAULT_VECTORIZATION: Omit<TextVectorizationConfig, 'outputSequenceLength'> = {
  standardize: 'lower_and_strip_punctuation',
  stripHtmlBreaks: true,
  maxTokens: undefined,
  padding: 'pre',
  truncating: 'pre',
  ngrams: 1,
};

export interface TextVectorizationJson {
  format: 'gated-text-vectorization';
  version: 1;
  config: TextVectorizationConfig;
  /** Tokens by rank: vocabulary[0] has id RESERVED_IDS. */
  vocabulary: string[];
  /** 'tf_idf' only: the idf weight of every id (padding and OOV included). */
  idfWeights?: number[];
}

/** The largest vocabulary a vectorizer takes (a Dense over it stays within the weight limit). */
export const MAX_VOCABULARY = 1 << 22;

/** Training-text document frequencies, for 'tf_idf'. */
export interface DocumentFrequencies {
  /** Texts holding each token at least once. */
  counts: ReadonlyMap<string, number>;
  /** Texts in all. */
  documents: number;
}

/** Keras's DEFAULT_STRIP_REGEX: ASCII punctuation (apostrophe included) is deleted, not spaced. */
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
const HTML_BREAK = /<br\s*\/?>/gi;
const WHITESPACE = /\s+/;

/** The tokens of `text` under `config`: words, then (with ngrams > 1) the 2-grams, 3-grams… */
export function textTokens(
  text: string,
  config: Pick<TextVectorizationConfig, 'standardize' | 'stripHtmlBreaks' | 'ngrams'>,
): string[] {
  let s = config.stripHtmlBreaks ? text.replace(HTML_BREAK, ' ') : text;
  if (config.standardize === 'lower' || config.standardize === 'lower_and_strip_punctuation')
    s = s.toLowerCase();
  if (
    config.standardize === 'strip_punctuation' ||
    config.standardize === 'lower_and_strip_punctuation'
  )
    s = s.replace(PUNCTUATION, '');
  const words = s.split(WHITESPACE).filter((w) => w.length > 0);
  if (config.ngrams <= 1) return words;
  const tokens = [...words];
  for (let n = 2; n <= config.ngrams; n++) {
    for (let i = 0; i + n <= words.length; i++) tokens.push(words.slice(i, i + n).join(' '));
  }
  return tokens;
}

export class TextVectorization {
  readonly config: Readonly<TextVectorizationConfig>;
  /** Tokens by rank, already cut to maxTokens. */
  readonly vocabulary: readonly string[];
  /** 'tf_idf': the idf weight of each id (Keras `idf_weights`); otherwise null. */
  readonly idfWeights: Float64Array | null;
  private readonly idOf: Map<string, number>;

  /** `idf` is required in 'tf_idf' mode and refused otherwise (one weight per id, ≥ 0). */
  constructor(
    config: TextVectorizationConfig,
    vocabulary: readonly string[],
    idf: ArrayLike<number> | null = null,
  ) {
    checkConfig(config);
    const kept =
      config.maxTokens === undefined ? vocabulary.length : config.maxTokens - RESERVED_IDS;
    this.config = Object.freeze({ ...config, outputMode: config.outputMode ?? 'int' });
    this.vocabulary = Object.freeze(vocabulary.slice(0, Math.max(0, kept)));
    if (this.vocabulary.length + RESERVED_IDS > MAX_VOCABULARY)
      throw new Error(
        `TextVectorization: ${this.vocabulary.length} tokens, more than ${MAX_VOCABULARY - RESERVED_IDS} (set maxTokens)`,
      );
    this.idOf = new Map(this.vocabulary.map((token, i) => [token, i + RESERVED_IDS]));
    if (this.idOf.size !== this.vocabulary.length)
      throw new Error('TextVectorization: the vocabulary holds a token twice');
    this.idfWeights = checkIdf(config.outputMode ?? 'int', idf, this.vocabularySize);
  }

  /** Keras `adapt`: ranks the tokens of `texts` by count (ties by token). */
  static adapt(texts: Iterable<string>, config: TextVectorizationConfig): TextVectorization {
    const counts = new Map<string, number>();
    const df = new Map<string, number>();
    let documents = 0;
    for (const text of texts) {
      const tokens = textTokens(text, config);
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const token of new Set(tokens)) df.set(token, (df.get(token) ?? 0) + 1);
      documents++;
    }
    return TextVectorization.fromCounts(counts, config, { counts: df, documents });
  }

  /**
   * The vectorization whose vocabulary ranks these token counts (count descending, then token);
   * 'tf_idf' also needs the document frequencies (out-of-vocabulary tokens count for OOV).
   */
  static fromCounts(
    counts: ReadonlyMap<string, number>,
    config: TextVectorizationConfig,
    frequencies?: DocumentFrequencies,
  ): TextVectorization {
    const ranked = rankWords(counts);
    if ((config.outputMode ?? 'int') !== 'tf_idf') return new TextVectorization(config, ranked);
    if (frequencies === undefined)
      throw new Error("TextVectorization: 'tf_idf' needs the training texts' document frequencies");
    const plain = new TextVectorization({ ...config, outputMode: 'count' }, ranked);
    const df = new Float64Array(plain.vocabularySize);
    for (const [token, n] of frequencies.counts) {
      const id = plain.tokenId(token);
      // A text with several OOV tokens counts once per token here: an upper bound for OOV.
      df[id] = id === OOV_ID ? Math.min(frequencies.documents, df[id] + n) : n;
    }
    return new TextVectorization(config, plain.vocabulary, idfWeights(df, frequencies.documents));
  }

  /** The number of distinct ids (Embedding inputDim): padding, OOV and the vocabulary. */
  get vocabularySize(): number {
    return this.vocabulary.length + RESERVED_IDS;
  }

  get sequenceLength(): number {
    return this.config.outputSequenceLength;
  }

  /** The id of one token (OOV_ID when it is not in the vocabulary). */
  tokenId(token: string): number {
    return this.idOf.get(token) ?? OOV_ID;
  }

  /** The ids of every token of `text`, unpadded. */
  ids(text: string): Int32Array {
    return Int32Array.from(textTokens(text, this.config), (token) => this.tokenId(token));
  }

  /** Texts → [texts.length, outputSequenceLength] ids, row-major: sequences, or bags. */
  encode(texts: readonly string[]): Int32Array {
    const length = this.sequenceLength;
    const out = new Int32Array(texts.length * length);
    texts.forEach((text, row) => this.encodeInto(this.ids(text), out, row * length));
    return out;
  }

  /** One text's ids (as ids() gives them) as its row of encode()'s output. */
  encodeInto(ids: Int32Array, out: Int32Array, offset: number): void {
    const { padding, truncating, outputMode } = this.config;
    const length = this.sequenceLength;
    if (outputMode !== undefined && isBagMode(outputMode))
      bagInto(ids, outputMode, out, offset, length);
    else padInto(ids, out, offset, length, { padding, truncating });
  }

  toJSON(): TextVectorizationJson {
    const c = this.config;
    return {
      format: 'gated-text-vectorization',
      version: 1,
      // Spelled out, so equal settings always serialise alike (evaluate compares the text).
      config: {
        standardize: c.standardize,
        stripHtmlBreaks: c.stripHtmlBreaks,
        maxTokens: c.maxTokens,
        outputSequenceLength: c.outputSequenceLength,
        padding: c.padding,
        truncating: c.truncating,
        ngrams: c.ngrams,
        outputMode: c.outputMode ?? 'int',
      },
      vocabulary: [...this.vocabulary],
      ...(this.idfWeights ? { idfWeights: [...this.idfWeights] } : {}),
    };
  }

  /** Reads a `toJSON()` object (a parsed vectorizer.json), checking every field. */
  static fromJSON(json: unknown): TextVectorization {
    const fail = (problem: string): never => {
      throw new Error(`Invalid text vectorization JSON: ${problem}`);
    };
    if (!isRecord(json)) return fail('expected an object');
    if (json.format !== 'gated-text-vectorization')
      fail(`format must be "gated-text-vectorization", got ${show(json.format)}`);
    if (json.version !== 1) fail(`unsupported version ${show(json.version)} (expected 1)`);
    const config = json.config;
    if (!isRecord(config)) return fail('config must be an object');
    const vocabulary = json.vocabulary;
    if (!Array.isArray(vocabulary) || vocabulary.some((t) => typeof t !== 'string' || t === ''))
      fail('vocabulary must be an array of non-empty strings');
    const idf = json.idfWeights;
    if (idf !== undefined && !(Array.isArray(idf) && idf.every((v) => typeof v === 'number')))
      fail('idfWeights must be an array of numbers');
    try {
      return new TextVectorization(
        {
          standardize: config.standardize as StandardizeMode,
          stripHtmlBreaks: config.stripHtmlBreaks as boolean,
          maxTokens: (config.maxTokens ?? undefined) as number | undefined,
          outputSequenceLength: config.outputSequenceLength as number,
          padding: config.padding as PadSide,
          truncating: config.truncating as PadSide,
          ngrams: config.ngrams as number,
          // Files from before the bag modes have no outputMode: they are 'int'.
          outputMode: (config.outputMode ?? 'int') as OutputMode,
        },
        vocabulary as string[],
        (idf as number[] | undefined) ?? null,
      );
    } catch (error) {
      return fail((error as Error).message.replace(/^TextVectorization: /, ''));
    }
  }
}

function checkConfig(c: TextVectorizationConfig): void {
  const fail = (problem: string): never => {
    throw new Error(`TextVectorization: ${problem}`);
  };
  if (!STANDARDIZE_MODES.includes(c.standardize))
    fail(`standardize must be one of ${STANDARDIZE_MODES.join(', ')}, got ${show(c.standardize)}`);
  if (typeof c.stripHtmlBreaks !== 'boolean') fail('stripHtmlBreaks must be true or false');
  if (
    c.maxTokens !== undefined &&
    !(Number.isSafeInteger(c.maxTokens) && c.maxTokens > RESERVED_IDS)
  )
    fail(`maxTokens must be an integer > ${RESERVED_IDS}, got ${show(c.maxTokens)}`);
  if (!(Number.isSafeInteger(c.outputSequenceLength) && c.outputSequenceLength >= 1))
    fail(`outputSequenceLength must be a positive integer, got ${show(c.outputSequenceLength)}`);
  for (const side of ['padding', 'truncating'] as const) {
    if (c[side] !== 'pre' && c[side] !== 'post')
      fail(`${side} must be 'pre' or 'post', got ${show(c[side])}`);
  }
  if (!(Number.isSafeInteger(c.ngrams) && c.ngrams >= 1 && c.ngrams <= 5))
    fail(`ngrams must be an integer from 1 to 5, got ${show(c.ngrams)}`);
  if (c.outputMode !== undefined && !OUTPUT_MODES.includes(c.outputMode))
    fail(`outputMode must be one of ${OUTPUT_MODES.join(', ')}, got ${show(c.outputMode)}`);
}

/** The idf weights a mode needs: one finite value ≥ 0 per id for 'tf_idf', none otherwise. */
function checkIdf(
  mode: OutputMode,
  idf: ArrayLike<number> | null,
  size: number,
): Float64Array | null {
  if (mode !== 'tf_idf') {
    if (idf !== null)
      throw new Error(`TextVectorization: idfWeights are for 'tf_idf', not '${mode}'`);
    return null;
  }
  if (idf === null) throw new Error("TextVectorization: 'tf_idf' needs idfWeights");
  if (idf.length !== size)
    throw new Error(`TextVectorization: ${idf.length} idfWeights for ${size} ids`);
  const weights = Float64Array.from(idf);
  const bad = weights.findIndex((v) => !(Number.isFinite(v) && v >= 0));
  if (bad >= 0)
    throw new Error(
      `TextVectorization: idfWeights[${bad}] = ${weights[bad]} is not a finite value ≥ 0`,
    );
  return weights;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
