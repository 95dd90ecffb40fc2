/**
 * Reads the reviews of the official Stanford layout `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`
 * streamed straight from the `.tar.gz` (nothing is extracted to disk) or from an extracted folder.
 * Every other member (imdb.vocab, README, train/unsup, *.feat, urls_*.txt) is skipped.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { describeFsError, readRegularFileHead } from '../io/regular-file.js';
import { DataError } from './errors.js';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

export interface Review {
  split: Split;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
  /** The number in the file name, unique within a split and label folder. */
  id: number;
  /** The 1-10 star score in the file name. */
  rating: number;
  text: string;
}

type ReviewKey = Omit<Review, 'text'>;

const LABEL_FOLDERS = [
  { folder: 'pos', label: 1 },
  { folder: 'neg', label: 0 },
] as const;
const LAYOUT = 'aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt';
const MEMBER_PATH = /^(?:\.\/)?aclImdb\/(train|test)\/(pos|neg)\/(\d+)_(\d+)\.txt$/;
const FILE_NAME = /^(\d+)_(\d+)\.txt$/;
/** Files read at once from an extracted folder: enough to hide latency, few open descriptors. */
const FOLDER_READ_BATCH = 64;
/**
 * One review's text is cut to this many bytes (at a character boundary): the longest IMDB review
 * has about 14,000, and a hostile 200 MB one must not take gigabytes to encode and train on.
 */
export const MAX_REVIEW_BYTES = 100_000;
const MAX_ID = 0xffffffff;

export interface ReadReviewsOptions {
  /** Told once, at the end, how many reviews were cut to MAX_REVIEW_BYTES. */
  onNotice?: (message: string) => void;
}

/**
 * The reviews under `path`: a `.tar.gz` archive, the folder that contains `aclImdb/`, or
 * `aclImdb/` itself. Throws a DataError when the path is missing or unreadable, the archive is
 * corrupt or truncated, or a split/label folder has no reviews.
 */
export async function* readReviews(
  path: string,
  options: ReadReviewsOptions = {},
): AsyncGenerator<Review> {
  const info = await stat(path).catch((error: unknown) => {
    throw new DataError(`${path}: ${describeFsError(error)}`);
  });
  if (!info.isDirectory() && !info.isFile())
    throw new DataError(`${path}: not a regular file or a folder`);
  const cut = { count: 0 };
  const reviews = info.isDirectory() ? readFolder(path, cut) : readArchive(path, cut);
  const counts = new Map<string, number>();
  for await (const review of reviews) {
    const folder = `${review.split}/${review.label === 1 ? 'pos' : 'neg'}`;
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
    yield review;
  }
  if (counts.size === 0) {
    throw new DataError(`${path}: no reviews found in the expected layout ${LAYOUT}`);
  }
  if (cut.count > 0)
    options.onNotice?.(
      `${cut.count} review${cut.count === 1 ? '' : 's'} longer than ${MAX_REVIEW_BYTES.toLocaleString('en-US')} bytes cut to that length`,
    );
  for (const split of SPLITS) {
    for (const { folder } of LABEL_FOLDERS) {
      if (!counts.has(`${split}/${folder}`)) {
        throw new DataError(
          `${path}: the ${split} split is missing (no aclImdb/${split}/${folder}/*.txt)`,
        );
      }
    }
  }
}

async function* readArchive(file: string, cut: { count: number }): AsyncGenerator<Review> {
  await checkGzipMagic(file);
  // `./aclImdb/…` and `aclImdb/…` are the same member: the first one counts.
  const seen = new Set<string>();
  const extract = tar.extract();
  const piping = pipeline(createReadStream(file), createGunzip(), extract);
  // The root cause (e.g. a gunzip error) is read from `piping` in the catch below; this only keeps
  // an early stop by the consumer from becoming an unhandled rejection.
  piping.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const key =
        entry.header.type === 'file' ? parseMemberPath(file, entry.header.name) : undefined;
      const name = key && `${key.split}/${key.label}/${key.id}_${key.rating}`;
      if (key === undefined || seen.has(name!)) {
        entry.resume();
        continue;
      }
      seen.add(name!);
      // Past the cap the rest of the member is read and dropped: the stream must go on.
      const chunks: Buffer[] = [];
      let kept = 0;
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (kept > MAX_REVIEW_BYTES) continue;
        chunks.push(chunk);
        kept += chunk.length;
      }
      yield { ...key, text: reviewText(Buffer.concat(chunks), size, cut) };
    }
    await piping;
  } catch (error) {
    if (error instanceof DataError) throw error;
    const rootCause = await piping.then(
      () => error,
      (pipeError: unknown) => pipeError,
    );
    throw new DataError(`${file}: ${describeArchiveError(rootCause)}`);
  }
}

async function checkGzipMagic(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new DataError(`${file}: ${describeFsError(error)}`);
  });
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    if (bytesRead < 2 || buffer[0] !== 0x1f || buffer[1] !== 0x8b) {
      throw new DataError(
        `${file}: not a gzip file (expected the IMDB archive aclImdb_v1.tar.gz or its extracted folder)`,
      );
    }
  } finally {
    await handle.close();
  }
}

function parseMemberPath(file: string, name: string): ReviewKey | undefined {
  const match = MEMBER_PATH.exec(name);
  if (match === null) return undefined;
  const [, split, folder, id, rating] = match;
  return toReviewKey(
    `${file}: member ${name}`,
    split as Split,
    folder as 'pos' | 'neg',
    id,
    rating,
  );
}

/** The key a file name gives; an id or rating the dataset cannot hold is refused, never wrapped. */
function toReviewKey(
  where: string,
  split: Split,
  folder: 'pos' | 'neg',
  id: string,
  rating: string,
): ReviewKey {
  const [idValue, ratingValue] = [Number(id), Number(rating)];
  if (!(idValue <= MAX_ID) || !(ratingValue >= 1 && ratingValue <= 10))
    throw new DataError(
      `${where}: the id must be at most ${MAX_ID} and the rating 1 to 10 (<id>_<rating>.txt)`,
    );
  return { split, label: folder === 'pos' ? 1 : 0, id: idValue, rating: ratingValue };
}

/** A review's text from its first bytes, cut at a character boundary when it was too long. */
function reviewText(bytes: Buffer, size: number, cut: { count: number }): string {
  if (size <= MAX_REVIEW_BYTES) return bytes.toString('utf8');
  cut.count++;
  let end = MAX_REVIEW_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // not inside a UTF-8 sequence
  return bytes.toString('utf8', 0, end);
}

async function* readFolder(dir: string, cut: { count: number }): AsyncGenerator<Review> {
  const dataError = (message: string): Error => new DataError(message);
  for (const { split, folder, path } of await reviewFolders(dir)) {
    const names = (await readdir(path)).filter((name) => FILE_NAME.test(name));
    for (let start = 0; start < names.length; start += FOLDER_READ_BATCH) {
      const batch = names.slice(start, start + FOLDER_READ_BATCH);
      const heads = await Promise.all(
        // One byte past the cap tells a cut review from one of exactly the cap.
        batch.map((name) => readRegularFileHead(join(path, name), MAX_REVIEW_BYTES + 1, dataError)),
      );
      for (let i = 0; i < batch.length; i++) {
        const [, id, rating] = FILE_NAME.exec(batch[i])!;
        const key = toReviewKey(join(path, batch[i]), split, folder, id, rating);
        yield { ...key, text: reviewText(heads[i].bytes, heads[i].size, cut) };
      }
    }
  }
}

/**
 * The `{train,test}/{pos,neg}` folders that exist under an extracted dataset: `dir` is the
 * folder holding `aclImdb/` or `aclImdb/` itself. Missing ones are reported by readReviews.
 */
export async function reviewFolders(
  dir: string,
): Promise<{ split: Split; folder: 'pos' | 'neg'; path: string }[]> {
  const root = (await isDirectory(join(dir, 'aclImdb'))) ? join(dir, 'aclImdb') : dir;
  const found = [];
  for (const split of SPLITS) {
    for (const { folder } of LABEL_FOLDERS) {
      const path = join(root, split, folder);
      if (await isDirectory(path)) found.push({ split, folder, path });
    }
  }
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

function describeArchiveError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return 'the archive is truncated (unexpected end of data); download it again';
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return `corrupt gzip data (${message}); download the archive again`;
  }
  return `corrupt archive (${message})`;
}
