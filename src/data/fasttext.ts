/**
 * fastText's supervised format: `__label__NAME [__label__OTHER …] text` per line. A line with
 * several labels makes the dataset multi-label. Blank lines are skipped.
 */
import type { RowItem } from './rows.js';
import { readLines } from './text-lines.js';

const PREFIX = '__label__';

export async function* readFastTextRows(file: string): AsyncGenerator<RowItem> {
  for await (const { text: lineText, line } of readLines(file)) {
    if (lineText.trim() === '') continue;
    const words = lineText.trim().split(/\s+/);
    let n = 0;
    while (n < words.length && words[n].startsWith(PREFIX)) n++;
    const labels = [...new Set(words.slice(0, n).map((w) => w.slice(PREFIX.length)))];
    if (n === 0 || labels.some((l) => l === '')) {
      yield { bad: `${file}:${line}: expected ${PREFIX}NAME before the text` };
    } else if (n === words.length) {
      yield { bad: `${file}:${line}: no text after the labels` };
    } else {
      yield { text: words.slice(n).join(' '), labels };
    }
  }
}
