import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncateForDisplay } from '../../src/cli/display.js';

test('display truncation never splits an emoji, a flag or an accented letter', () => {
  const text = 'a'.repeat(56) + '👍🏽🇫🇷é' + 'b'.repeat(10);
  const shown = truncateForDisplay(text, 60);
  // Graphemes: 56 a's, then 👍🏽 (2 code points, 4 UTF-16 units): the 57th grapheme is kept whole.
  assert.equal(shown, 'a'.repeat(56) + '👍🏽...');
  assert.doesNotMatch(shown, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone high surrogate');
  assert.equal(truncateForDisplay('short 👍', 60), 'short 👍');
  assert.equal(truncateForDisplay('x'.repeat(60), 60), 'x'.repeat(60), 'exactly the width');
});
