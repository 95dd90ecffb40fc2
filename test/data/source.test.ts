import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { DataError } from '../../src/data/errors.js';
import { loadImdb } from '../../src/data/imdb.js';
import { ARCHIVE_NAME, downloadArchive, resolveSource, type Fetch } from '../../src/data/source.js';
import { fixtureReviews, tempDir, writeArchive } from '../helpers/imdb-fixture.js';

let cacheDir: string;

beforeEach(async () => {
  cacheDir = await tempDir('gated-cache-');
  process.env.GATED_CACHE = cacheDir;
  delete process.env.GATED_IMDB;
});

const offline: Fetch = () => Promise.reject(new TypeError('fetch failed'));
const ignoreProgress = (): void => undefined;

test('an explicit path wins, then $GATED_IMDB, then the archive in the cache directory', async () => {
  const archive = await writeArchive(await tempDir(), fixtureReviews(1));
  await copyFile(archive, join(cacheDir, ARCHIVE_NAME));
  process.env.GATED_IMDB = '/elsewhere';
  assert.equal(await resolveSource({ data: archive, fetch: offline }), archive);
  await assert.rejects(resolveSource({ fetch: offline }), {
    message: 'GATED_IMDB=/elsewhere: no such file or directory',
  });
  delete process.env.GATED_IMDB;
  assert.equal(await resolveSource({ fetch: offline }), join(cacheDir, ARCHIVE_NAME));
  const otherCache = await tempDir();
  await assert.rejects(resolveSource({ cacheDir: otherCache, fetch: offline }), DataError);
});

test('a missing explicit path is named', async () => {
  await assert.rejects(loadImdb({ data: '/no/such/aclImdb_v1.tar.gz' }), {
    name: 'DataError',
    message: '/no/such/aclImdb_v1.tar.gz: no such file or directory',
  });
});

test('without any source nor network: one message saying how to pass a path', async () => {
  await assert.rejects(loadImdb({ fetch: offline }), (error: unknown) => {
    assert.ok(error instanceof DataError);
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /IMDB data not found and the download of https:\/\/ai\.stanford/);
    assert.match(error.message, /fetch failed/);
    assert.match(error.message, /--data PATH or GATED_IMDB=PATH/);
    assert.match(error.message, /https:\/\/ai\.stanford\.edu\/~amaas\/data\/sentiment\//);
    return true;
  });
  const notFound: Fetch = async () => new Response('gone', { status: 404 });
  await assert.rejects(loadImdb({ fetch: notFound }), /failed \(HTTP 404\)/);
  assert.deepEqual(await readdir(cacheDir), []);
});

test('the download lands in the cache after its checksum is verified', async () => {
  const bytes = await readFile(await writeArchive(await tempDir(), fixtureReviews(2)));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const served: Fetch = async () =>
    new Response(bytes, { headers: { 'content-length': String(bytes.length) } });
  const progress: number[] = [];
  const dest = join(cacheDir, 'sub', ARCHIVE_NAME);
  await downloadArchive(dest, {
    fetch: served,
    sha256,
    onDownloadProgress: (received) => progress.push(received),
  });
  assert.deepEqual(await readFile(dest), bytes);
  assert.equal(progress.at(-1), bytes.length);
  assert.deepEqual(await readdir(join(cacheDir, 'sub')), [ARCHIVE_NAME]);
});

test('a download with the wrong checksum is refused and removed', async () => {
  const served: Fetch = async () => new Response('not the IMDB archive');
  await assert.rejects(
    resolveSource({ fetch: served, onDownloadProgress: ignoreProgress }),
    /downloaded file has sha256 [0-9a-f]{64}, expected c40f74a1/,
  );
  assert.deepEqual(await readdir(cacheDir), []);
});
