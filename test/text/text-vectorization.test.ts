import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_VECTORIZATION,
  textTokens,
  TextVectorization,
} from '../../src/text/text-vectorization.js';

const config = { ...DEFAULT_VECTORIZATION, outputSequenceLength: 5 };

test('lower_and_strip_punctuation deletes ASCII punctuation (apostrophes too), as Keras', () => {
  assert.deepEqual(textTokens("Don't STOP.<br />It's end-to-end!", config), [
    'dont',
    'stop',
    'its',
    'endtoend',
  ]);
  assert.deepEqual(textTokens('A b', { ...config, standardize: 'none' }), ['A', 'b']);
  assert.deepEqual(textTokens('A, b', { ...config, standardize: 'lower' }), ['a,', 'b']);
  assert.deepEqual(textTokens('a<br/>b', { ...config, stripHtmlBreaks: false }), ['abrb']);
});

test('ngrams: words, then each k-gram joined by a space (Keras order)', () => {
  assert.deepEqual(textTokens('a b c', { ...config, ngrams: 3 }), [
    'a',
    'b',
    'c',
    'a b',
    'b c',
    'a b c',
  ]);
});

test('adapt ranks by count then token; 0 pads, 1 is OOV; maxTokens counts both', () => {
  const v = TextVectorization.adapt(['b a b', 'c b a', 'd'], { ...config, maxTokens: 4 });
  assert.deepEqual(v.vocabulary, ['b', 'a']);
  assert.equal(v.vocabularySize, 4);
  // 'c' and 'd' were cut by maxTokens: OOV.
  assert.deepEqual([...v.encode(['a b c', 'b a b a b a b'])], [0, 0, 3, 2, 1, 2, 3, 2, 3, 2]);
  const post = new TextVectorization(
    { ...v.config, padding: 'post', truncating: 'post' },
    v.vocabulary,
  );
  assert.deepEqual([...post.encode(['a', 'a b a b a b a'])], [3, 0, 0, 0, 0, 3, 2, 3, 2, 3]);
});

test('toJSON / fromJSON round-trip the same ids; bad JSON is one clear error', () => {
  const v = TextVectorization.adapt(['x y', 'y z'], { ...config, ngrams: 2 });
  const back = TextVectorization.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
  assert.deepEqual([...back.encode(['x y z q'])], [...v.encode(['x y z q'])]);
  assert.throws(
    () => TextVectorization.fromJSON({ ...v.toJSON(), config: { ...v.config, ngrams: 0 } }),
    /Invalid text vectorization JSON: ngrams must be an integer from 1 to 5, got 0/,
  );
  assert.throws(
    () => TextVectorization.fromJSON({ ...v.toJSON(), vocabulary: ['a', 'a'] }),
    /holds a token twice/,
  );
  assert.throws(() => TextVectorization.fromJSON({ format: 'x' }), /format must be/);
});
