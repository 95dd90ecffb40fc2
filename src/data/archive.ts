/**
 * Reads the reviews of the official Stanford layout `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`
 * streamed straight from the `.tar.gz` (nothing is extracted to disk) or from an extracted folder.
 * Every other member (imdb.vocab, README, train/unsup, *.feat, urls_*.txt) is skipped.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
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
 * The reviews under `path`: a `.tar.gz` archive, the folder that contains `aclImdb/`, or
 * `aclImdb/` itself. Throws a DataError when the path is missing or unreadable, the archive is
 * corrupt or truncated, or a split/label folder has no reviews.
 */
export async function* readReviews(path: string): AsyncGenerator<Review> {
  const info = await stat(path).catch((error: unknown) => {
    throw new DataError(`${path}: ${describeFsError(error)}`);
  });
  const reviews = info.isDirectory() ? readFolder(path) : readArchive(path);
  const counts = new Map<string, number>();
  for await (const review of reviews) {
    const folder = `${review.split}/${review.label === 1 ? 'pos' : 'neg'}`;
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
    yield review;
  }
  if (counts.size === 0) {
    throw new DataError(`${path}: no reviews found in the expected layout ${LAYOUT}`);
  }
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

async function* readArchive(file: string): AsyncGenerator<Review> {
  await checkGzipMagic(file);
  const extract = tar.extract();
  const piping = pipeline(createReadStream(file), createGunzip(), extract);
  // The root cause (e.g. a gunzip error) is read from `piping` in the catch below; this only keeps
  // an early stop by the consumer from becoming an unhandled rejection.
  piping.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const key = entry.header.type === 'file' ? parseMemberPath(entry.header.name) : undefined;
      if (key === undefined) {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      yield { ...key, text: Buffer.concat(chunks).toString('utf8') };
    }
    await piping;
  } catch (error) {
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

function parseMemberPath(name: string): ReviewKey | undefined {
  const match = MEMBER_PATH.exec(name);
  if (match === null) return undefined;
  const [, split, folder, id, rating] = match;
  return toReviewKey(split as Split, folder as 'pos' | 'neg', id, rating);
}

function toReviewKey(split: Split, folder: 'pos' | 'neg', id: string, rating: string): ReviewKey {
  return { split, label: folder === 'pos' ? 1 : 0, id: Number(id), rating: Number(rating) };
}

async function* readFolder(dir: string): AsyncGenerator<Review> {
  for (const { split, folder, path } of await reviewFolders(dir)) {
    const names = (await readdir(path)).filter((name) => FILE_NAME.test(name));
    for (let start = 0; start < names.length; start += FOLDER_READ_BATCH) {
      const batch = names.slice(start, start + FOLDER_READ_BATCH);
      const texts = await Promise.all(batch.map((name) => readFile(join(path, name), 'utf8')));
      for (let i = 0; i < batch.length; i++) {
        const [, id, rating] = FILE_NAME.exec(batch[i])!;
        yield { ...toReviewKey(split, folder, id, rating), text: texts[i] };
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

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read (${error instanceof Error ? error.message : String(error)})`;
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
