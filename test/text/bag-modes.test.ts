import assert from 'node:assert/strict';
import { test } from 'node:test';
import { naiveBayesRatios } from '../../src/classify/nb-ratios.js';
import { DEFAULT_VECTORIZATION, TextVectorization } from '../../src/text/text-vectorization.js';

const config = { ...DEFAULT_VECTORIZATION, outputSequenceLength: 5, maxTokens: 4 };
// Counts: b 3, then a, c, d once each (a tie, broken by the token): maxTokens 4 keeps b = 2 and
// a = 3; c and d are OOV (1).
const TEXTS = ['b a b', 'c b', 'd b'];

test('multi_hot: each id of a text once, ascending, then padding', () => {
  const v = TextVectorization.adapt(TEXTS, { ...config, outputMode: 'multi_hot' });
  assert.deepEqual(v.vocabulary, ['b', 'a']);
  assert.deepEqual([...v.encode(['a b c b d', 'zzz'])], [1, 2, 3, 0, 0, 1, 0, 0, 0, 0]);
});

test('count: each occurrence (a count is a repeat); a long bag keeps its lowest ids', () => {
  const v = TextVectorization.adapt(TEXTS, { ...config, outputMode: 'count' });
  assert.deepEqual([...v.encode(['a b c b'])], [1, 2, 2, 3, 0]);
  // Seven entries, five kept: the rarest (highest) ids go first.
  assert.deepEqual([...v.encode(['a a b c b b d'])], [1, 1, 2, 2, 2]);
});

test("tf_idf: counts as for 'count', and Keras's idf = log(1 + documents / (1 + df))", () => {
  const v = TextVectorization.adapt(TEXTS, { ...config, outputMode: 'tf_idf' });
  assert.deepEqual([...v.encode(['a b c b'])], [1, 2, 2, 3, 0]);
  // df: padding 0, OOV 2 (c and d, one text each), b 3, a 1; three documents.
  const want = [Math.log(4), Math.log(2), Math.log(1.75), Math.log(2.5)];
  assert.deepEqual([...v.idfWeights!], want);
  const back = TextVectorization.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual([...back.idfWeights!], want);
  assert.equal(back.config.outputMode, 'tf_idf');
});

test('ngrams up to 3 in a bag, over a vocabulary larger than 200k', () => {
  const words = Array.from({ length: 70_000 }, (_, i) => `w${i}`).join(' ');
  const v = TextVectorization.adapt([words], {
    ...config,
    maxTokens: 300_000,
    ngrams: 3,
    outputMode: 'multi_hot',
    outputSequenceLength: 8,
  });
  assert.equal(v.vocabularySize, 70_000 * 3 - 3 + 2);
  // Six known n-grams; 'w2 w0' and 'w1 w2 w0' never occurred: one OOV entry (1) for both.
  const known = ['w0', 'w1', 'w2', 'w0 w1', 'w1 w2', 'w0 w1 w2'].map((t) => v.tokenId(t));
  assert.ok(known.every((id) => id >= 2));
  assert.deepEqual([...v.encode(['w0 w1 w2 w0'])], [1, ...known.sort((a, b) => a - b), 0]);
});

test('files from before the bag modes load as int; every bad option is one clear error', () => {
  const v = TextVectorization.adapt(TEXTS, config);
  const json = v.toJSON();
  const old = { ...json, config: { ...json.config } } as Record<string, unknown>;
  delete (old.config as Record<string, unknown>).outputMode;
  const loaded = TextVectorization.fromJSON(old);
  assert.equal(loaded.config.outputMode, 'int');
  assert.deepEqual([...loaded.encode(['a b'])], [...v.encode(['a b'])]);
  const bad = (change: Record<string, unknown>, idf?: unknown) => () =>
    TextVectorization.fromJSON({
      ...json,
      config: { ...json.config, ...change },
      ...(idf !== undefined ? { idfWeights: idf } : {}),
    });
  assert.throws(
    bad({ outputMode: 'binary' }),
    /Invalid text vectorization JSON: outputMode must be one of int, multi_hot, count, tf_idf, got "binary"/,
  );
  assert.throws(
    bad({ outputMode: 'multi_hot' }, [1, 1, 1, 1]),
    /idfWeights are for 'tf_idf', not 'multi_hot'/,
  );
  assert.throws(bad({ outputMode: 'tf_idf' }), /'tf_idf' needs idfWeights/);
  assert.throws(bad({ outputMode: 'tf_idf' }, [1, 1]), /2 idfWeights for 4 ids/);
  assert.throws(
    bad({ outputMode: 'tf_idf' }, [1, -1, 1, 1]),
    /idfWeights\[1\] = -1 is not a finite value ≥ 0/,
  );
  assert.throws(bad({ outputMode: 'tf_idf' }, 'x'), /idfWeights must be an array of numbers/);
  assert.throws(
    () => TextVectorization.fromCounts(new Map([['a', 1]]), { ...config, outputMode: 'tf_idf' }),
    /'tf_idf' needs the training texts' document frequencies/,
  );
});

test('naive-Bayes ratios against a hand-computed case (alpha 1, binarized, training rows only)', () => {
  // Vocabulary: 0 padding, 1 OOV, 2, 3, 4. Two positive rows (the second repeats 4: a count
  // bag, binarized), then two negative ones.
  const bags = {
    ids: Int32Array.from([2, 3, 0, 2, 4, 4, 3, 4, 0, 1, 3, 0]),
    count: 4,
    width: 3,
  };
  const classes = [1, 1, 0, 0];
  // p = 1 + positive counts = [1, 3, 2, 2] (ids 1..4), ‖p‖ = 8; q = [2, 1, 3, 2], ‖q‖ = 8.
  const r = naiveBayesRatios(bags, classes, 4, 5);
  const want = [0, Math.log(1 / 2), Math.log(3), Math.log(2 / 3), Math.log(1)];
  for (let id = 0; id < 5; id++) assert.ok(Math.abs(r[id] - want[id]) < 1e-15, `r[${id}] ${r[id]}`);
  // Only the first two rows (the validation tail left out): q = 1 everywhere, ‖q‖ = 4.
  const head = naiveBayesRatios(bags, classes, 2, 5);
  const wantHead = [0, Math.log(1 / 8 / (1 / 4)), Math.log(3 / 8 / (1 / 4)), 0, 0];
  for (let id = 0; id < 5; id++)
    assert.ok(Math.abs(head[id] - wantHead[id]) < 1e-15, `head r[${id}] ${head[id]}`);
  assert.throws(() => naiveBayesRatios(bags, classes, 5, 5), /rows must be an integer in \[1, 4\]/);
  assert.throws(() => naiveBayesRatios(bags, [1, 2, 0, 0], 4, 5), /row 1 has class 2/);
  assert.throws(() => naiveBayesRatios(bags, classes, 4, 4), /id 4 in row 1 is outside \[0, 4\)/);
  assert.throws(() => naiveBayesRatios(bags, classes, 4, 5, 0), /alpha must be a positive number/);
});
