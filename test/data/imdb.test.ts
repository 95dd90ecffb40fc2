import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { DataError } from '../../src/data/errors.js';
import { loadImdb, type ImdbSplit } from '../../src/data/imdb.js';
import { fixtureReviews, tempDir, writeArchive, writeFolder } from '../helpers/imdb-fixture.js';

const PER_FOLDER = 10;
let archive: string;

before(async () => {
  process.env.GATED_CACHE = await tempDir('gated-cache-');
  delete process.env.GATED_IMDB;
  archive = await writeArchive(await tempDir(), fixtureReviews(PER_FOLDER));
});

function row(split: ImdbSplit, i: number): number[] {
  return [...split.x.subarray(i * split.maxlen, (i + 1) * split.maxlen)];
}

test('counts, labels, ratings and the Keras id conventions', async () => {
  const {
    train,
    test: testSplit,
    vocabulary,
    source,
  } = await loadImdb({ data: archive, maxlen: 10 });
  assert.equal(source, archive);
  for (const split of [train, testSplit]) {
    assert.equal(split.count, 2 * PER_FOLDER);
    assert.equal(split.x.length, split.count * 10);
    assert.equal(
      split.y.reduce((a, b) => a + b, 0),
      PER_FOLDER,
    );
    split.y.forEach((label, i) => {
      assert.ok(label === 1 ? split.ratings[i] >= 7 : split.ratings[i] <= 4);
    });
    assert.deepEqual(new Set(split.ids), new Set(Array.from({ length: PER_FOLDER }, (_, i) => i)));
  }
  assert.equal(vocabulary.size, 4 + 2 * PER_FOLDER); // the, film, bad, good + unique words
  // "The film, the<br />THE film: good! trainpos3": start, the=4, film=5, good=7, unique word.
  const i = [...train.ids].findIndex((id, k) => id === 3 && train.y[k] === 1);
  const uniqueId = vocabulary.idOf('trainpos3');
  assert.ok(uniqueId > 7);
  assert.deepEqual(row(train, i), [0, 0, 1, 4, 5, 4, 4, 5, 7, uniqueId]);
  assert.equal(train.lengths[i], 8);
  // Test reviews: their own unique word and "unseen" are not training words: oov (2).
  const j = testSplit.y.indexOf(0);
  assert.deepEqual(row(testSplit, j), [0, 1, 4, 5, 4, 4, 5, 6, 2, 2]); // bad = 6
});

test('numWords cuts rarer words to oov and maxlen truncates at the front', async () => {
  const { train, vocabulary } = await loadImdb({ data: archive, numWords: 6, maxlen: 4 });
  assert.equal(vocabulary.numWords, 6);
  assert.ok(train.x.every((id) => id < 6));
  const i = train.y.indexOf(1);
  assert.deepEqual(row(train, i), [4, 5, 2, 2]); // ... the film good(7→2) unique(→2)
  assert.equal(train.lengths[i], 8);
});

test("'post' padding and truncating", async () => {
  const options = { data: archive, maxlen: 12, padding: 'post', truncating: 'post' } as const;
  const { train } = await loadImdb(options);
  assert.deepEqual(row(train, 0).slice(8), [0, 0, 0, 0]);
  assert.deepEqual(row((await loadImdb({ ...options, maxlen: 3 })).train, 0), [1, 4, 5]);
});

test('the seeded shuffle mixes labels, so the last 20% holds both', async () => {
  const { train, test: testSplit } = await loadImdb({ data: archive });
  for (const split of [train, testSplit]) {
    const tail = split.y.subarray(Math.floor(split.count * 0.8));
    assert.deepEqual(new Set(tail), new Set([0, 1]));
  }
  const again = await loadImdb({ data: archive });
  assert.deepEqual(again.train.x, train.x);
  const otherSeed = await loadImdb({ data: archive, seed: 1 });
  assert.notDeepEqual(otherSeed.train.ids, train.ids);
});

test('with limit the validation tail still holds both labels in near-equal numbers', async () => {
  // Taking the first 50 of each label in shuffled order exhausts one label early, so without a
  // second shuffle the last rows lean to the other label (seed 1 gave 5 positives of 20).
  const big = await writeArchive(await tempDir(), fixtureReviews(1000));
  for (const seed of [113, 1, 2, 3, 4]) {
    const { train } = await loadImdb({ data: big, limit: 100, seed });
    const positives = train.y.subarray(80).reduce((a, b) => a + b, 0);
    assert.ok(
      positives >= 7 && positives <= 13,
      `seed ${seed}: ${positives} of 20 tail reviews positive`,
    );
  }
});

test('limit takes a balanced subset of each split but ranks words on all training reviews', async () => {
  const full = await loadImdb({ data: archive });
  const { train, test: testSplit, vocabulary } = await loadImdb({ data: archive, limit: 5 });
  for (const split of [train, testSplit]) {
    assert.equal(split.count, 5);
    assert.equal(
      split.y.reduce((a, b) => a + b, 0),
      3,
    );
  }
  assert.equal(vocabulary.size, full.vocabulary.size);
  const all = await loadImdb({ data: archive, limit: 1000 });
  assert.equal(all.train.count, 2 * PER_FOLDER);
  for (const limit of [0, -1, 2.5, Number.NaN]) {
    await assert.rejects(loadImdb({ data: archive, limit }), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.message, `limit must be a positive integer, got ${limit}`);
      return true;
    });
  }
});

test('the second load reads the cache; a corrupt cache is rebuilt silently', async () => {
  const cacheDir = await tempDir('gated-cache-');
  const first = await loadImdb({ data: archive, cacheDir });
  assert.equal(first.fromCache, false);
  const [cacheFile] = await readdir(cacheDir);
  assert.match(cacheFile, /^imdb-encoded-[0-9a-f]{16}\.bin$/);
  const second = await loadImdb({ data: archive, cacheDir });
  assert.equal(second.fromCache, true);
  assert.deepEqual(second, { ...first, fromCache: true });

  const bytes = await readFile(join(cacheDir, cacheFile));
  const corruptions = [
    bytes.subarray(0, bytes.length - 3), // truncated
    Buffer.concat([bytes, Buffer.from([0])]), // trailing byte
    Buffer.from(bytes).fill(0x41, 100, 104), // body changed: checksum mismatch
    Buffer.from(bytes).fill(0, 0, 8), // magic
    Buffer.alloc(0),
  ];
  for (const corrupt of corruptions) {
    await writeFile(join(cacheDir, cacheFile), corrupt);
    const rebuilt = await loadImdb({ data: archive, cacheDir });
    assert.equal(rebuilt.fromCache, false);
    assert.deepEqual(rebuilt.train, first.train);
    assert.deepEqual(await readFile(join(cacheDir, cacheFile)), bytes);
  }
});

test('an extracted folder gives the same dataset as the archive', async () => {
  const dir = await tempDir();
  await writeFolder(dir, fixtureReviews(PER_FOLDER));
  const fromFolder = await loadImdb({ data: dir });
  const fromArchive = await loadImdb({ data: archive });
  assert.equal(fromFolder.source, dir);
  assert.deepEqual(fromFolder.train, fromArchive.train);
  assert.deepEqual(fromFolder.test, fromArchive.test);
  assert.deepEqual(fromFolder.vocabulary.toJSON(), fromArchive.vocabulary.toJSON());
  assert.equal((await loadImdb({ data: dir })).fromCache, true);
  await writeFile(join(dir, 'aclImdb/train/pos/999_8.txt'), 'A new review');
  const changed = await loadImdb({ data: dir });
  assert.equal(changed.fromCache, false);
  assert.equal(changed.train.count, 2 * PER_FOLDER + 1);
});

test('invalid options are clear DataErrors', async () => {
  await assert.rejects(
    loadImdb({ data: archive, numWords: 3 }),
    /numWords must be an integer of at least 4, got 3/,
  );
  await assert.rejects(loadImdb({ data: archive, maxlen: 0 }), /maxlen must be a positive integer/);
  await assert.rejects(
    loadImdb({ data: archive, padding: 'both' as 'pre' }),
    /padding must be 'pre' or 'post', got 'both'/,
  );
  await assert.rejects(loadImdb({ data: archive, seed: 0.5 }), /seed must be an integer, got 0.5/);
});
