import { padInto } from '../text/pad.js';
import { tokenize } from '../text/tokenize.js';
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

/**
 * Encodes a text with the vocabulary (START then one id per token), or takes ids as given, and
 * pads/truncates to maxlen ('pre', like training and predict). Ids are checked against the
 * embedding's input size.
 */
export function readInput(
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
  if (ids.length === 0) throw new Error('explain: no ids to explain');
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= inputDim) {
      throw new Error(
        `explain: id ${String(id)} at ${i} is outside the embedding's 0…${inputDim - 1}`,
      );
    }
  }
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
