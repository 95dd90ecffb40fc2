import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Vocabulary, type VocabularyJson } from '../../src/text/vocabulary.js';

const texts = ['The cat and the dog.', 'the DOG<br />barks', "a cat isn't a dog"];
// the: 3, dog: 3, a: 2, cat: 2, then and, barks, isn't (1 each). Ties go by the word.
const ranked = ['dog', 'the', 'a', 'cat', 'and', 'barks', "isn't"];

test('ranks words by count, ties by the word, with the Keras id offset', () => {
  const vocabulary = Vocabulary.fromTexts(texts);
  assert.deepEqual(
    [...vocabulary.wordIndex],
    ranked.map((word, i) => [word, i + 1]),
  );
  assert.equal(vocabulary.idOf('dog'), 4); // most frequent word: rank 1 + indexFrom 3
  assert.equal(vocabulary.idOf('the'), 5);
  assert.equal(vocabulary.idOf('zebra'), 2);
  assert.deepEqual([...vocabulary.encode('The dog, the ZEBRA')], [1, 5, 4, 5, 2]);
});

test('numWords turns every id >= numWords into the oov id', () => {
  const vocabulary = Vocabulary.fromTexts(texts, { numWords: 6 });
  assert.deepEqual([...vocabulary.encode('dog the a cat')], [1, 4, 5, 2, 2]);
  assert.throws(() => Vocabulary.fromTexts(texts, { numWords: 3 }), /numWords must be/);
});

test('JSON round trip keeps only the words below numWords', () => {
  const vocabulary = Vocabulary.fromTexts(texts, { numWords: 7 });
  const json = JSON.parse(JSON.stringify(vocabulary)) as VocabularyJson;
  assert.equal(json.format, 'gated-vocab');
  assert.equal(json.numWords, 7);
  assert.deepEqual(json.wordIndex, { dog: 1, the: 2, a: 3 });
  const restored = Vocabulary.fromJSON(json);
  const text = 'a dog and the cat';
  assert.deepEqual(restored.encode(text), vocabulary.encode(text));
  assert.deepEqual(restored.toJSON(), vocabulary.toJSON());
});

test('words like "constructor" and "__proto__" are plain words, not prototype keys', () => {
  const vocabulary = Vocabulary.fromTexts(['constructor constructor toString hasOwnProperty']);
  assert.equal(vocabulary.idOf('constructor'), 4);
  assert.equal(vocabulary.idOf('valueOf'), 2);

  const json = JSON.parse(
    JSON.stringify(vocabulary.toJSON()).replace('"constructor"', '"__proto__"'),
  );
  const restored = Vocabulary.fromJSON(json);
  assert.equal(restored.wordIndex.get('__proto__'), 1);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(({} as Record<string, unknown>).hasOwnProperty, Object.prototype.hasOwnProperty);
  const saved = JSON.parse(JSON.stringify(restored.toJSON())) as VocabularyJson;
  assert.equal(Object.getOwnPropertyDescriptor(saved.wordIndex, '__proto__')?.value, 1);
});

test('fromJSON rejects malformed objects with a clear message', () => {
  const good = Vocabulary.fromTexts(texts).toJSON();
  const cases: [unknown, RegExp][] = [
    [null, /expected an object/],
    [{ ...good, format: 'other' }, /format must be "gated-vocab"/],
    [{ ...good, version: 2 }, /unsupported version 2/],
    [{ ...good, indexFrom: 1 }, /indexFrom must be 3/],
    [{ ...good, numWords: 2.5 }, /numWords must be an integer/],
    [{ ...good, tokenizer: { ...good.tokenizer, lower: false } }, /tokenizer.lower/],
    [{ ...good, wordIndex: [] }, /wordIndex must be an object/],
    [{ ...good, wordIndex: { a: 1, b: 1 } }, /each used once/],
    [{ ...good, wordIndex: { a: 1, b: 3 } }, /ranks must be 1..2/],
    [{ ...good, wordIndex: { a: '1' } }, /rank of "a" must be a positive integer/],
  ];
  for (const [json, message] of cases) assert.throws(() => Vocabulary.fromJSON(json), message);
});
