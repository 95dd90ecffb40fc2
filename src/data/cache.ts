/**
 * The encoded dataset cached as one compact binary file, so a second load skips the archive.
 *
 * Layout: a 64-byte header, then the body.
 *   header (little-endian u32s): 0 magic "GATEDIMD", 8 format version, 12 reviews, 16 words,
 *     20 word bytes, 24 tokens, 28 escaped tokens; 32 sha256 of the body (32 bytes).
 *   body, in the host byte order (the cache is local to the machine), every array aligned:
 *     id u32[reviews], token count u32[reviews], escaped u32[2 * escaped] (token index, rank),
 *     ranks u16[tokens] (ESCAPED_RANK where the rank is in `escaped`), split u8[reviews],
 *     label u8[reviews], rating u8[reviews], words as UTF-8 joined by "\n" (a token never holds
 *     whitespace).
 * The ranks are used in place, as a view of the file's buffer (see EncodedDataset.ranks). Any
 * mismatch (magic, version, size, checksum, counts) makes the file invalid, and the
 * caller rebuilds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reviewFolders } from './archive.js';
import { ESCAPED_RANK, type EncodedDataset } from './encoded.js';

const MAGIC = Buffer.from('GATEDIMD', 'latin1');
const FORMAT_VERSION = 2;
const HEADER_BYTES = 64;
const CHECKSUM_OFFSET = 32;

/**
 * Where the encoding of `source` is cached. The key covers what makes the encoding change:
 * for an archive its absolute path, size and mtime; for a folder its absolute path and, for each
 * review folder, its mtime and file names (a name holds the rating). Files are not stat'ed one
 * by one (50,000 stats take over a second), so a review edited in place under the same name is
 * not noticed: delete the cache file after such an edit.
 */
export async function cacheFileFor(cacheDir: string, source: string): Promise<string> {
  const absolute = resolve(source);
  const info = await stat(absolute);
  const hash = createHash('sha256').update(`v${FORMAT_VERSION}\0${absolute}\0`);
  if (info.isDirectory()) {
    for (const folder of await reviewFolders(absolute)) {
      const names = (await readdir(folder.path)).sort();
      hash.update(`${folder.path}\0${(await stat(folder.path)).mtimeMs}\0${names.join('\0')}\0`);
    }
  } else {
    hash.update(`${info.size}\0${info.mtimeMs}`);
  }
  return join(cacheDir, `imdb-encoded-${hash.digest('hex').slice(0, 16)}.bin`);
}

/** Writes the cache file atomically (temp file + rename), so readers never see half a file. */
export async function writeEncodedCache(file: string, dataset: EncodedDataset): Promise<void> {
  const n = dataset.label.length;
  const tokenCounts = new Uint32Array(n);
  for (let i = 0; i < n; i++) tokenCounts[i] = dataset.offsets[i + 1] - dataset.offsets[i];
  const escaped = Uint32Array.from([...dataset.escapedRanks].flat());
  const words = Buffer.from(dataset.words.join('\n'), 'utf8');
  const body = Buffer.concat([
    ...[dataset.id, tokenCounts, escaped, dataset.ranks].map(bytesOf),
    dataset.split,
    dataset.label,
    dataset.rating,
    words,
  ]);

  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  const counts = [FORMAT_VERSION, n, dataset.words.length, words.length, dataset.ranks.length];
  [...counts, dataset.escapedRanks.size].forEach((value, i) =>
    header.writeUInt32LE(value, 8 + 4 * i),
  );
  createHash('sha256').update(body).digest().copy(header, CHECKSUM_OFFSET);

  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, Buffer.concat([header, body]));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The cached dataset, or undefined when the file is missing, corrupt, truncated or outdated. */
export function readEncodedCache(file: string): EncodedDataset | undefined {
  const buffer = readCacheFile(file);
  if (buffer === undefined) return undefined;
  // readCacheFile checked the magic, the version and the size these counts give.
  const [n, wordCount, tokenCount, escapedCount] = [1, 2, 4, 5].map((i) =>
    buffer.readUInt32LE(8 + 4 * i),
  );
  const checksum = createHash('sha256').update(buffer.subarray(HEADER_BYTES)).digest();
  if (!checksum.equals(buffer.subarray(CHECKSUM_OFFSET, CHECKSUM_OFFSET + 32))) return undefined;

  // Typed-array views need aligned offsets: copy in the rare case the file buffer is not.
  const bytes =
    buffer.byteOffset % 4 === 0
      ? buffer
      : Buffer.from(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length));
  let at = bytes.byteOffset + HEADER_BYTES;
  const take = <T>(
    View: new (b: ArrayBufferLike, at: number, length: number) => T,
    length: number,
    size: number,
  ): T => {
    const view = new View(bytes.buffer, at, length);
    at += length * size;
    return view;
  };
  const id = take(Uint32Array, n, 4).slice();
  const tokenCounts = take(Uint32Array, n, 4);
  const escaped = take(Uint32Array, 2 * escapedCount, 4);
  const ranks = take(Uint16Array, tokenCount, 2);
  const [split, label, rating] = [0, 1, 2].map(() => take(Uint8Array, n, 1).slice());
  const words = wordCount === 0 ? [] : bytes.toString('utf8', at - bytes.byteOffset).split('\n');
  if (words.length !== wordCount) return undefined;

  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + tokenCounts[i];
  if (offsets[n] !== tokenCount) return undefined;
  const escapedRanks = escapedRanksOf(ranks, escaped);
  if (escapedRanks === undefined) return undefined;
  return { words, split, label, rating, id, offsets, ranks, escapedRanks };
}

/** The size the header's counts give the whole file, or undefined for a foreign header. */
function declaredSize(header: Buffer): number | undefined {
  if (header.length < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) return;
  const [version, n, , wordBytes, tokenCount, escapedCount] = [0, 1, 2, 3, 4, 5].map((i) =>
    header.readUInt32LE(8 + 4 * i),
  );
  if (version !== FORMAT_VERSION) return;
  return HEADER_BYTES + 8 * n + 8 * escapedCount + 2 * tokenCount + 3 * n + wordBytes;
}

/**
 * The cache file's bytes if it is a regular file of the size its header declares (checked
 * before the body is read); anything else (missing, a FIFO, a device, another version) is
 * undefined, and the caller rebuilds it. O_NONBLOCK: opening a FIFO must not wait for a writer.
 */
function readCacheFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    const size = info.size;
    if (!info.isFile() || size < HEADER_BYTES) return undefined;
    const header = Buffer.alloc(HEADER_BYTES);
    if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return undefined;
    if (declaredSize(header) !== size) return undefined;
    const buffer = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const read = readSync(fd, buffer, done, size - done, done);
      if (read === 0) return undefined;
      done += read;
    }
    return buffer;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The escaped ranks by token index; undefined if an escape does not match. The ranks themselves
 * are not scanned: the checksum already proves they are the bytes that were written.
 */
function escapedRanksOf(ranks: Uint16Array, escaped: Uint32Array): Map<number, number> | undefined {
  const escapedRanks = new Map<number, number>();
  for (let e = 0; e < escaped.length; e += 2) {
    const [index, rank] = [escaped[e], escaped[e + 1]];
    if (ranks[index] !== ESCAPED_RANK || rank < ESCAPED_RANK) return undefined;
    escapedRanks.set(index, rank);
  }
  return escapedRanks;
}

function bytesOf(array: Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
