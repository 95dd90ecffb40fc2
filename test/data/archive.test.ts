import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { MAX_REVIEW_BYTES, readReviews, type Review } from '../../src/data/archive.js';
import { DataError } from '../../src/data/errors.js';
import {
  fixtureReviews,
  reviewPath,
  tarBytes,
  tempDir,
  writeArchive,
  writeFolder,
  type FixtureReview,
} from '../helpers/imdb-fixture.js';

const reviews = fixtureReviews(3);

async function readAll(path: string): Promise<Review[]> {
  const all: Review[] = [];
  for await (const review of readReviews(path)) all.push(review);
  return all;
}

function asExpected(fixture: FixtureReview[]): Review[] {
  return fixture.map(({ split, folder, id, rating, text }) => ({
    split,
    label: folder === 'pos' ? 1 : 0,
    id,
    rating,
    text,
  }));
}

const byKey = (a: Review, b: Review): number =>
  a.split.localeCompare(b.split) || a.label - b.label || a.id - b.id;

test('streams every review of the archive with split, label, id, rating and text', async () => {
  const archive = await writeArchive(await tempDir(), reviews);
  const read = await readAll(archive);
  assert.equal(read.length, 12); // the README, imdb.vocab, unsup/, .feat and urls are skipped
  assert.deepEqual(read.sort(byKey), asExpected(reviews).sort(byKey));
});

test('reads an extracted folder, given the folder holding aclImdb/ or aclImdb/ itself', async () => {
  const dir = await tempDir();
  await writeFolder(dir, reviews);
  for (const path of [dir, join(dir, 'aclImdb')]) {
    assert.deepEqual((await readAll(path)).sort(byKey), asExpected(reviews).sort(byKey));
  }
});

async function assertDataError(path: string, message: RegExp): Promise<void> {
  await assert.rejects(readAll(path), (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.ok(error.message.startsWith(path), error.message);
    assert.match(error.message, message);
    return true;
  });
}

test('a missing path is a DataError naming it', async () => {
  await assertDataError(join(await tempDir(), 'nowhere.tar.gz'), /no such file or directory/);
});

test('a file that is not gzip is reported as such', async () => {
  const file = join(await tempDir(), 'data.tar.gz');
  await writeFile(file, 'just some text');
  await assertDataError(file, /not a gzip file/);
});

test('corrupt gzip data is reported', async () => {
  const archive = await writeArchive(await tempDir(), reviews);
  const bytes = await readFile(archive);
  for (let i = 20; i < bytes.length - 8; i += 7) bytes[i] ^= 0x5a;
  await writeFile(archive, bytes);
  await assertDataError(archive, /corrupt/);
});

test('a truncated download and a truncated tar are reported as truncated', async () => {
  const dir = await tempDir();
  const cutGzip = join(dir, 'cut-gzip.tar.gz');
  await writeFile(cutGzip, (await readFile(await writeArchive(dir, reviews))).subarray(0, 200));
  await assertDataError(cutGzip, /truncated/);
  const cutTar = join(dir, 'cut-tar.tar.gz');
  await writeFile(cutTar, gzipSync((await tarBytes(reviews)).subarray(0, 1800)));
  await assertDataError(cutTar, /truncated/);
});

test('an archive or folder without the expected layout has no reviews', async () => {
  const dir = await tempDir();
  const file = join(dir, 'empty.tar.gz');
  await writeFile(file, gzipSync(await tarBytes([], false)));
  await assertDataError(file, /no reviews found in the expected layout/);
  await assertDataError(dir, /no reviews found in the expected layout/);
});

test('a missing split is named', async () => {
  const trainOnly = reviews.filter((review) => review.split === 'train');
  await assertDataError(await writeArchive(await tempDir(), trainOnly), /test split is missing/);
  const noTrainNeg = reviews.filter((r) => !(r.split === 'train' && r.folder === 'neg'));
  await assertDataError(
    await writeArchive(await tempDir(), noTrainNeg),
    /train split is missing \(no aclImdb\/train\/neg/,
  );
});

/** A .tar.gz of the fixture reviews plus extra members, by name. */
async function archiveWith(extra: [string, string][]): Promise<string> {
  const pack = tar.pack();
  for (const r of reviews) pack.entry({ name: reviewPath(r) }, r.text);
  for (const [name, text] of extra) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const file = join(await tempDir(), 'aclImdb_v1.tar.gz');
  await writeFile(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

test('a member listed twice (./aclImdb/… and aclImdb/…) is read once', async () => {
  const first = reviews[0];
  const archive = await archiveWith([[`./${reviewPath(first)}`, 'a second copy']]);
  const read = await readAll(archive);
  assert.equal(read.length, reviews.length);
  assert.equal(
    read.find((r) => r.split === 'train' && r.label === 1 && r.id === 0)?.text,
    first.text,
  );
});

test('a review file name with a huge id or rating is refused, never wrapped', async () => {
  const archive = await archiveWith([['aclImdb/train/pos/99999999999_300.txt', 'x']]);
  await assert.rejects(readAll(archive), (err: Error) => {
    assert.ok(err instanceof DataError);
    assert.match(
      err.message,
      /member aclImdb\/train\/pos\/99999999999_300\.txt: the id must be at most 4294967295 and the rating 1 to 10/,
    );
    return true;
  });
});

test('a review longer than the cap is cut at a character boundary, and the cut is reported', async () => {
  const long = 'é'.repeat(MAX_REVIEW_BYTES); // 2 bytes each: twice the cap
  const notices: string[] = [];
  for (const archive of [
    await archiveWith([['aclImdb/train/pos/999_9.txt', long]]),
    await (async () => {
      const dir = await tempDir();
      await writeFolder(dir, reviews);
      await writeFile(join(dir, 'aclImdb/train/pos/999_9.txt'), long);
      return dir;
    })(),
  ]) {
    const read: Review[] = [];
    for await (const r of readReviews(archive, { onNotice: (m) => notices.push(m) })) read.push(r);
    const cut = read.find((r) => r.id === 999)!;
    assert.equal(cut.text, 'é'.repeat(MAX_REVIEW_BYTES / 2));
  }
  assert.deepEqual(notices, Array(2).fill('1 review longer than 100,000 bytes cut to that length'));
});

test('a FIFO as the archive or as a review is refused, not waited on forever', async () => {
  const dir = await tempDir();
  const fifo = join(dir, 'aclImdb_v1.tar.gz');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await assert.rejects(readAll(fifo), /aclImdb_v1\.tar\.gz: not a regular file or a folder$/);
  const folder = await tempDir();
  await writeFolder(folder, reviews);
  assert.equal(spawnSync('mkfifo', [join(folder, 'aclImdb/test/neg/77_1.txt')]).status, 0);
  await assert.rejects(readAll(folder), /77_1\.txt: not a regular file$/);
});
