import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readEncodedCache, writeEncodedCache } from '../../src/data/cache.js';
import { ESCAPED_RANK, rankAt, type EncodedDataset } from '../../src/data/encoded.js';
import { tempDir } from '../helpers/imdb-fixture.js';

/** Two reviews over 70,000 words, so some ranks need the 16-bit escape. */
function bigVocabularyDataset(): EncodedDataset {
  const words = Array.from({ length: 70000 }, (_, i) => `w${i}`);
  const allRanks = [1, 0, 65534, 65535, 70000, 3, 69999];
  return {
    words,
    split: Uint8Array.of(0, 1),
    label: Uint8Array.of(1, 0),
    rating: Uint8Array.of(9, 2),
    id: Uint32Array.of(7, 12499),
    offsets: Uint32Array.of(0, 4, allRanks.length),
    ranks: Uint16Array.from(allRanks, (rank) => Math.min(rank, ESCAPED_RANK)),
    escapedRanks: new Map([
      [3, 65535],
      [4, 70000],
      [6, 69999],
    ]),
  };
}

test('the cache round-trips a dataset, escaped 16-bit ranks included', async () => {
  const file = join(await tempDir(), 'sub', 'encoded.bin');
  const dataset = bigVocabularyDataset();
  await writeEncodedCache(file, dataset);
  const read = readEncodedCache(file);
  assert.ok(read !== undefined);
  assert.deepEqual(read, dataset);
  assert.deepEqual(
    Array.from({ length: 7 }, (_, t) => rankAt(read, t)),
    [1, 0, 65534, 65535, 70000, 3, 69999],
  );
});

test('a cache file that fails any check reads as missing', async () => {
  const file = join(await tempDir(), 'encoded.bin');
  assert.equal(readEncodedCache(file), undefined);
  await writeEncodedCache(file, bigVocabularyDataset());
  const bytes = await readFile(file);
  const versionBumped = Buffer.from(bytes);
  versionBumped.writeUInt32LE(99, 8);
  for (const corrupt of [
    versionBumped,
    bytes.subarray(0, 64),
    Buffer.from(bytes).fill(1, 70, 71),
  ]) {
    await writeFile(file, corrupt);
    assert.equal(readEncodedCache(file), undefined);
  }
});

test('a cache path that is a FIFO, a device or a directory reads as missing, at once', async () => {
  const dir = await tempDir();
  const fifo = join(dir, 'fifo.bin');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await symlink('/dev/zero', join(dir, 'zero.bin'));
  await mkdir(join(dir, 'dir.bin'));
  for (const name of ['fifo.bin', 'zero.bin', 'dir.bin'])
    assert.equal(readEncodedCache(join(dir, name)), undefined, name);
});
