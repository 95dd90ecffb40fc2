import { ModelFileError } from '../../io/model-json.js';
import {
  STANDARDIZE_MODES,
  TextVectorization,
  type StandardizeMode,
} from '../../text/text-vectorization.js';

// A Keras TextVectorization layer (output_mode 'int') as gated's TextVectorization: its settings
// from config.json, its vocabulary from the archive (assets/<layer path>/vocabulary.txt, which
// Keras writes for an adapted layer: '' and '[UNK]' first, then the tokens by rank) or from the
// config when the layer was built with one. Keras pads and cuts at the end ('post').

type Json = Record<string, unknown>;

/** Where Keras keeps an adapted layer's vocabulary in the .keras archive. */
export const vocabularyAsset = (group: string): string => `assets/layers/${group}/vocabulary.txt`;

/** Keras keys that must have this value (Keras's default for output_mode 'int'). */
const FIXED: Readonly<Record<string, unknown>> = {
  output_mode: 'int',
  split: 'whitespace',
  sparse: false,
  ragged: false,
  encoding: 'utf-8',
  idf_weights: null,
};
/** Keys that do not change the ids of output_mode 'int'. */
const IGNORED = ['name', 'trainable', 'dtype', 'pad_to_max_tokens', 'vocabulary_size'];

export function textVectorizationFromKeras(
  config: Json,
  vocabularyFile: Uint8Array | undefined,
  label: string,
): TextVectorization {
  const fail = (why: string): never => {
    throw new ModelFileError(`${label}: ${why}`);
  };
  const known = new Set([
    ...Object.keys(FIXED),
    ...IGNORED,
    'max_tokens',
    'standardize',
    'ngrams',
    'output_sequence_length',
    'vocabulary',
  ]);
  for (const [key, value] of Object.entries(config)) {
    if (!known.has(key)) fail(`option ${key}=${JSON.stringify(value)} is not supported`);
    if (Object.hasOwn(FIXED, key) && value !== FIXED[key] && value !== undefined)
      fail(
        `${key}=${JSON.stringify(value)} is not supported (gated has only ${JSON.stringify(FIXED[key])})`,
      );
  }
  const standardize = (config.standardize ?? 'none') as StandardizeMode;
  if (!STANDARDIZE_MODES.includes(standardize))
    fail(
      `standardize=${JSON.stringify(config.standardize)} is not supported (gated has ${STANDARDIZE_MODES.join(', ')})`,
    );
  const ngrams = config.ngrams ?? 1;
  if (!(Number.isInteger(ngrams) && (ngrams as number) >= 1 && (ngrams as number) <= 5))
    fail(
      `ngrams=${JSON.stringify(ngrams)} is not supported (gated has 1 to 5, all n-grams up to n)`,
    );
  const length = config.output_sequence_length;
  if (!(Number.isInteger(length) && (length as number) >= 1))
    fail(`output_sequence_length=${JSON.stringify(length)}: gated needs a fixed sequence length`);
  const maxTokens = config.max_tokens ?? undefined;
  const tokens = vocabularyOf(config.vocabulary, vocabularyFile, fail);
  try {
    return new TextVectorization(
      {
        standardize,
        stripHtmlBreaks: false,
        maxTokens: maxTokens as number | undefined,
        outputSequenceLength: length as number,
        padding: 'post',
        truncating: 'post',
        ngrams: ngrams as number,
      },
      tokens,
    );
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** The tokens by rank: the config's list or vocabulary.txt, without Keras's '' and '[UNK]'. */
function vocabularyOf(
  inConfig: unknown,
  file: Uint8Array | undefined,
  fail: (why: string) => never,
): string[] {
  let list: unknown[];
  if (Array.isArray(inConfig)) list = inConfig;
  else if (inConfig !== null && inConfig !== undefined)
    return fail('vocabulary must be a list of tokens');
  else if (file === undefined) return fail('no vocabulary (the layer was never adapted)');
  else list = new TextDecoder().decode(file).split('\n');
  if (!list.every((t) => typeof t === 'string'))
    fail('the vocabulary holds a token that is not a string');
  const tokens = [...(list as string[])];
  if (tokens[0] === '') tokens.shift();
  if (tokens[0] === '[UNK]') tokens.shift();
  if (tokens.some((t) => t === '' || t === '[UNK]'))
    fail("the vocabulary holds '' or '[UNK]' after its start (where Keras puts them)");
  return tokens;
}
