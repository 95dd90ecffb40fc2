/**
 * The dataset loaders on small files each test writes: CSV/TSV (quoting, fields over several
 * lines, BOM, blank lines, missing columns, wrong field counts), JSON Lines (label and labels),
 * fastText lines, a folder per class with and without train/ and test/, non-UTF-8 bytes, empty
 * files, and bad rows as one error naming file and line or skipped with a count.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DataError } from '../../src/data/errors.js';
import { detectFormat, rowSource, type DataFormat } from '../../src/data/formats.js';
import type { RowItem } from '../../src/data/rows.js';
import { loadTextDataset } from '../../src/data/text-dataset.js';
import { DEFAULT_VECTORIZATION } from '../../src/text/text-vectorization.js';

const root = mkdtempSync(join(tmpdir(), 'gated-loaders-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(root, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function rows(path: string, format?: DataFormat, columns = {}): Promise<RowItem[]> {
  const found: RowItem[] = [];
  for await (const row of rowSource(path, format ?? (await detectFormat(path)), columns)())
    found.push(row);
  return found;
}

describe('CSV and TSV', () => {
  test('quoted fields with commas, quotes and newlines; a BOM; blank lines; any column order', async () => {
    const path = write(
      'a.csv',
      '\uFEFFid,label,text\r\n1,pos,"good, ""really"" good"\r\n\r\n2,neg,"bad\non two lines"\n',
    );
    assert.deepEqual(await rows(path), [
      { text: 'good, "really" good', labels: ['pos'] },
      { text: 'bad\non two lines', labels: ['neg'] },
    ]);
  });

  test('TSV and renamed columns', async () => {
    const path = write('b.tsv', 'review\tstars\nnice film\t5\n');
    assert.deepEqual(await rows(path, undefined, { textColumn: 'review', labelColumn: 'stars' }), [
      { text: 'nice film', labels: ['5'] },
    ]);
  });

  test('a missing column names the file, the header and the flag', async () => {
    const path = write('c.csv', 'body,label\nx,y\n');
    await assert.rejects(
      rows(path),
      (e: Error) =>
        e instanceof DataError &&
        /c\.csv:1: no column "text" .*"body", "label".*--text-column/.test(e.message),
    );
  });

  test('an empty file is one clear error', async () => {
    await assert.rejects(rows(write('empty.csv', '')), /empty\.csv: empty file/);
  });

  test('wrong field counts and empty fields are bad rows with their line', async () => {
    const path = write('d.csv', 'text,label\nok,a\nonly one field\n,b\nno label,\n');
    assert.deepEqual(await rows(path), [
      { text: 'ok', labels: ['a'] },
      { bad: `${path}:3: 1 fields, the header has 2` },
      { bad: `${path}:4: empty text` },
      { bad: `${path}:5: empty label` },
    ]);
  });

  test('an unclosed quote is an error with the file', async () => {
    await assert.rejects(rows(write('e.csv', 'text,label\n"never closed,a\n')), /e\.csv:/);
  });

  test('bytes that are not UTF-8 stop the read at their line', async () => {
    const path = write('latin1.csv', Buffer.from('text,label\nfine,a\ncaf\xe9,b\n', 'latin1'));
    await assert.rejects(
      rows(path),
      (e: Error) => e instanceof DataError && /latin1\.csv:3: not valid UTF-8/.test(e.message),
    );
  });
});

describe('JSON Lines', () => {
  test('label (string or number), labels lists, blank lines; bad lines named', async () => {
    const path = write(
      'a.jsonl',
      [
        '{"text": "one", "label": "x"}',
        '',
        '{"text": "two", "label": 3}',
        '{"text": "three", "labels": ["x", "y", "x"]}',
        'not json',
        '{"label": "x"}',
        '[1]',
      ].join('\n'),
    );
    assert.deepEqual(await rows(path), [
      { text: 'one', labels: ['x'] },
      { text: 'two', labels: ['3'] },
      { text: 'three', labels: ['x', 'y'], multiLabel: true },
      { bad: `${path}:5: not JSON (${errorOf(() => JSON.parse('not json'))})` },
      { bad: `${path}:6: no "text" string` },
      { bad: `${path}:7: not a JSON object` },
    ]);
  });
});

describe('fastText', () => {
  test('one or several __label__ prefixes; lines without labels or text are bad', async () => {
    const path = write(
      'a.txt',
      '__label__a __label__b both here\n__label__c  just c \nno label\n__label__d\n',
    );
    assert.deepEqual(await rows(path), [
      { text: 'both here', labels: ['a', 'b'] },
      { text: 'just c', labels: ['c'] },
      { bad: `${path}:3: expected __label__NAME before the text` },
      { bad: `${path}:4: no text after the labels` },
    ]);
  });
});

describe('folder per class', () => {
  test('class names sorted, nested files, .txt only; train/ and test/ become the splits', async () => {
    write('f1/b/one.txt', 'bee text');
    write('f1/a/x/two.txt', 'nested a');
    write('f1/a/skip.md', 'not a text file');
    assert.deepEqual(await rows(join(root, 'f1')), [
      { text: 'nested a', labels: ['a'] },
      { text: 'bee text', labels: ['b'] },
    ]);
    write('f2/train/neg/1.txt', 'bad');
    write('f2/train/pos/1.txt', 'good');
    write('f2/test/neg/2.txt', 'awful');
    write('f2/test/pos/2.txt', 'great');
    const found = await rows(join(root, 'f2'));
    assert.deepEqual(
      found.map((r) => ('bad' in r ? r.bad : `${r.split}:${r.labels[0]}:${r.text}`)),
      ['train:neg:bad', 'train:pos:good', 'test:neg:awful', 'test:pos:great'],
    );
  });

  test('a non-UTF-8 or empty file is a bad row; one class folder is an error', async () => {
    write('f3/a/bad.txt', Buffer.from([0x61, 0xff, 0x62]));
    write('f3/a/empty.txt', '  ');
    write('f3/b/ok.txt', 'fine');
    assert.deepEqual(await rows(join(root, 'f3')), [
      { bad: `${join(root, 'f3/a/bad.txt')}:1: not valid UTF-8 text` },
      { bad: `${join(root, 'f3/a/empty.txt')}:1: empty text` },
      { text: 'fine', labels: ['b'] },
    ]);
    write('f4/only/a.txt', 'x');
    await assert.rejects(
      rows(join(root, 'f4')),
      /expected one subfolder per class \(at least 2\), found 1/,
    );
  });
});

test('detectFormat: by extension, the IMDB layout, else a clear request for --format', async () => {
  mkdirSync(join(root, 'imdbroot/aclImdb'), { recursive: true });
  assert.equal(await detectFormat(join(root, 'imdbroot')), 'imdb');
  assert.equal(await detectFormat(join(root, 'f1')), 'folder');
  assert.equal(await detectFormat(write('x.ndjson', '')), 'jsonl');
  await assert.rejects(detectFormat(write('x.dat', '')), /cannot tell the format .*--format/);
  await assert.rejects(detectFormat(join(root, 'missing.csv')), /no such file/);
});

describe('loadTextDataset', () => {
  const options = {
    describe: 'test data',
    vectorization: { ...DEFAULT_VECTORIZATION, outputSequenceLength: 4 },
    testSplit: 0.25,
    validationSplit: 0,
    seed: 3,
  };
  const csvOf = (lines: string[]): string =>
    write(`ds-${lines.length}-${lines[0].length}.csv`, `text,label\n${lines.join('\n')}\n`);

  test('stratified test split, vocabulary from the training split only, ids padded pre', async () => {
    // 8 rows of "a", 4 of "b": the test split holds 2 and 1.
    const lines = [
      ...Array.from({ length: 8 }, (_, i) => `alpha common w${i},a`),
      ...Array.from({ length: 4 }, (_, i) => `beta common v${i},b`),
    ];
    const data = await loadTextDataset(rowSource(csvOf(lines), 'csv'), options);
    assert.equal(data.labels.task, 'binary');
    assert.deepEqual(data.labels.classNames, ['a', 'b']);
    assert.equal(data.test.count, 3);
    assert.deepEqual([...data.test.classIds].sort(), [0, 0, 1]);
    const vocab = new Set(data.vectorization.vocabulary);
    assert.equal(data.vectorization.vocabulary[0], 'common');
    // A word seen only in test rows is out of the vocabulary.
    const testOnly = lines.filter((_, i) => !vocab.has(`w${i}`) && i < 8).length;
    assert.equal(testOnly, 2);
    assert.equal(data.train.x.length, 9 * 4);
    assert.equal(data.train.x[0], 0, 'three tokens, padded in front');
  });

  test('bad rows stop with file and line, or are skipped and counted', async () => {
    const path = csvOf(['good one,a', ',a', 'good two,b', 'good three,b', 'good four,a']);
    await assert.rejects(
      loadTextDataset(rowSource(path, 'csv'), options),
      new RegExp(`${path}:3: empty text \\(--skip-bad-rows skips such rows\\)`),
    );
    const data = await loadTextDataset(rowSource(path, 'csv'), { ...options, skipBadRows: true });
    assert.equal(data.skipped, 1);
    assert.equal(data.train.count + data.test.count, 4);
  });

  test('multi-label rows make a multi-label task with multi-hot targets', async () => {
    const path = write(
      'ml.jsonl',
      [
        '{"text":"x y","labels":["p","q"]}',
        '{"text":"y","labels":["q"]}',
        '{"text":"z","labels":[]}',
        '{"text":"x","labels":["p"]}',
      ].join('\n'),
    );
    const data = await loadTextDataset(rowSource(path, 'jsonl'), { ...options, testSplit: 0.25 });
    assert.equal(data.labels.task, 'multilabel');
    assert.equal(data.train.yWidth, 2);
    const all = [...data.train.y, ...data.test.y];
    assert.equal(
      all.reduce((a, b) => a + b, 0),
      4,
    );
  });

  test('one class only, or no rows, is an error', async () => {
    await assert.rejects(
      loadTextDataset(rowSource(csvOf(['x,a', 'y,a']), 'csv'), options),
      /every row has the class "a"/,
    );
    await assert.rejects(
      loadTextDataset(rowSource(write('header-only.csv', 'text,label\n'), 'csv'), options),
      /no labelled rows/,
    );
  });
});

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
