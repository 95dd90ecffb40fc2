import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KERAS_FILTERS, tokenize } from '../../src/text/tokenize.js';

test('HTML line breaks separate words in every spelling', () => {
  assert.deepEqual(tokenize('one<br />two<br/>three<br>four<BR />five'), [
    'one',
    'two',
    'three',
    'four',
    'five',
  ]);
});

test('lower-cases and splits on whitespace, dropping empties', () => {
  assert.deepEqual(tokenize('  The  MOVIE\twas\n\nGreat  '), ['the', 'movie', 'was', 'great']);
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize(' \n\t '), []);
});

test('every Keras filter character is a separator; apostrophes stay in the word', () => {
  for (const char of KERAS_FILTERS) assert.deepEqual(tokenize(`a${char}b`), ['a', 'b'], char);
  assert.deepEqual(tokenize("I don't like it... (at all)!"), [
    'i',
    "don't",
    'like',
    'it',
    'at',
    'all',
  ]);
  assert.deepEqual(tokenize('10/10, a must-see; "wow"'), ['10', '10', 'a', 'must', 'see', 'wow']);
});
