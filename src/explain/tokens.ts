import { padInto } from '../text/pad.js';
import { tokenize } from '../text/tokenize.js';
import {
  OOV_ID,
  PAD_ID,
  RESERVED_IDS,
  TextVectorization,
  textTokens,
} from '../text/text-vectorization.js';
import { OOV_CHAR, PAD_CHAR, START_CHAR, type Vocabulary } from '../text/vocabulary.js';
import type { ExplainedToken, TokenKind } from './schema.js';

/** The model's input row and how each position came about. */
export interface ReadInput {
  text: string | null;
  /** [maxlen] ids, padded and truncated at the front as predict does. */
  ids: Int32Array;
  tokens: ExplainedToken[];
  truncated: { count: number; tokens: string[] };
}

function describe(id: number, word: string | null): { text: string; kind: TokenKind } {
  if (id === PAD_CHAR) return { text: '<pad>', kind: 'pad' };
  if (id === START_CHAR) return { text: '<start>', kind: 'start' };
  if (id === OOV_CHAR) return { text: word === null ? '<oov>' : `<oov:${word}>`, kind: 'oov' };
  return word === null ? { text: `#${id}`, kind: 'id' } : { text: word, kind: 'word' };
}

/** A TextVectorization's id: 0 padding, 1 out of vocabulary ('[UNK]'), then its tokens. */
function describeVectorized(
  vectorization: TextVectorization,
  id: number,
  word: string | null,
): { text: string; kind: TokenKind } {
  if (id === PAD_ID) return { text: '<pad>', kind: 'pad' };
  if (id === OOV_ID) return { text: word === null ? '[UNK]' : `[UNK:${word}]`, kind: 'oov' };
  return { text: vectorization.vocabulary[id - RESERVED_IDS] ?? `#${id}`, kind: 'word' };
}

/**
 * A text through a TextVectorization (its own padding and cutting), or its ids as given, each
 * position named by the vectorization's vocabulary.
 */
function readVectorized(
  input: string | ArrayLike<number>,
  maxlen: number,
  inputDim: number,
  vectorization: TextVectorization,
): ReadInput {
  if (vectorization.sequenceLength !== maxlen)
    throw new Error(
      `explain: the TextVectorization gives ${vectorization.sequenceLength} ids, the model takes ${maxlen}`,
    );
  const text = typeof input === 'string' ? input : null;
  if (text === null) checkIds(input as ArrayLike<number>, inputDim);
  const ids =
    text === null ? Int32Array.from(input as ArrayLike<number>) : vectorization.encode([text]);
  checkIds(ids, inputDim);
  if (ids.length !== maxlen)
    throw new Error(`explain: ${ids.length} ids, the model takes ${maxlen}`);
  // Which token fills which position (the vectorization pads and cuts at its configured ends).
  const words = text === null ? [] : textTokens(text, vectorization.config);
  const { padding, truncating } = vectorization.config;
  const cut = Math.max(0, words.length - maxlen);
  const kept = truncating === 'pre' ? words.slice(cut) : words.slice(0, words.length - cut);
  const lead = padding === 'pre' ? maxlen - kept.length : 0;
  const dropped = truncating === 'pre' ? words.slice(0, cut) : words.slice(words.length - cut);
  return {
    text,
    ids,
    tokens: Array.from(ids, (id, position) => ({
      position,
      id,
      ...describeVectorized(vectorization, id, kept[position - lead] ?? null),
    })),
    truncated: { count: dropped.length, tokens: dropped },
  };
}

/**
 * Encodes a text with the vocabulary (the IMDB word index: START then one id per token, padded
 * and cut at the front like training and predict; or a TextVectorization, as it pads), or takes
 * ids as given. Ids are checked against the embedding's input size.
 */
export function readInput(
  input: string | ArrayLike<number>,
  maxlen: number,
  inputDim: number,
  vocabulary: Vocabulary | TextVectorization | undefined,
): ReadInput {
  return vocabulary instanceof TextVectorization
    ? readVectorized(input, maxlen, inputDim, vocabulary)
    : readWordIndex(input, maxlen, inputDim, vocabulary);
}

/** Every id an integer the embedding has a row for. */
function checkIds(ids: ArrayLike<number>, inputDim: number): void {
  if (ids.length === 0) throw new Error('explain: no ids to explain');
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= inputDim) {
      throw new Error(
        `explain: id ${String(id)} at ${i} is outside the embedding's 0…${inputDim - 1}`,
      );
    }
  }
}

function readWordIndex(
  input: string | ArrayLike<number>,
  maxlen: number,
  inputDim: number,
  vocabulary: Vocabulary | undefined,
): ReadInput {
  let ids: ArrayLike<number>;
  let words: (string | null)[];
  if (typeof input === 'string') {
    if (vocabulary === undefined) throw new Error('explain: a text needs the model vocabulary');
    ids = vocabulary.encode(input);
    words = [null, ...tokenize(input)];
  } else {
    ids = input;
    words = Array.from(input, (id) => vocabulary?.wordOf(id) ?? null);
  }
  checkIds(ids, inputDim);
  const row = new Int32Array(maxlen);
  padInto(ids, row, 0, maxlen);
  const cut = Math.max(0, ids.length - maxlen);
  const kept = ids.length - cut;
  const tokens = Array.from(row, (id, position) => {
    const source = position - (maxlen - kept) + cut;
    return { position, id, ...describe(id, source >= cut ? words[source] : null) };
  });
  const truncated = Array.from({ length: cut }, (_, i) => describe(ids[i], words[i]).text);
  return {
    text: typeof input === 'string' ? input : null,
    ids: row,
    tokens,
    truncated: { count: cut, tokens: truncated },
  };
}
