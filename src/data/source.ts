/**
 * Finds the IMDB archive, in this order: an explicit path, $GATED_IMDB, aclImdb_v1.tar.gz in the
 * cache directory, else a download of the official archive into that cache (checksum verified).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { DataError } from './errors.js';

export const IMDB_URL = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz';
export const IMDB_SHA256 = 'c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe';
export const ARCHIVE_NAME = 'aclImdb_v1.tar.gz';

/** The part of `fetch` the download uses, so tests can inject one without network. */
export type Fetch = (url: string) => Promise<Response>;
/** Download progress: bytes received so far and the total (undefined when not announced). */
export type DownloadProgress = (received: number, total: number | undefined) => void;

export interface SourceOptions {
  /** An archive or extracted folder given by the user (e.g. `--data PATH`). */
  data?: string;
  /** Defaults to $GATED_CACHE, else ~/.cache/gated. */
  cacheDir?: string;
  fetch?: Fetch;
  onDownloadProgress?: DownloadProgress;
}

export function defaultCacheDir(): string {
  return process.env.GATED_CACHE || join(homedir(), '.cache', 'gated');
}

/** The path of the archive or extracted folder to read, downloading it when none is found. */
export async function resolveSource(options: SourceOptions = {}): Promise<string> {
  if (options.data !== undefined) return mustExist(options.data, options.data);
  const fromEnv = process.env.GATED_IMDB;
  if (fromEnv) return mustExist(fromEnv, `GATED_IMDB=${fromEnv}`);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cached = join(cacheDir, ARCHIVE_NAME);
  if (await exists(cached)) return cached;
  await downloadArchive(cached, options);
  return cached;
}

export interface DownloadOptions {
  url?: string;
  sha256?: string;
  fetch?: Fetch;
  onDownloadProgress?: DownloadProgress;
}

/**
 * Downloads the archive to `dest` through a temp file renamed once the checksum matches, so an
 * interrupted or corrupt download never sits at `dest`.
 */
export async function downloadArchive(dest: string, options: DownloadOptions = {}): Promise<void> {
  const {
    url = IMDB_URL,
    sha256 = IMDB_SHA256,
    fetch: fetchArchive = fetch,
    onDownloadProgress = stderrProgress(),
  } = options;
  const noSource = (reason: string): DataError =>
    new DataError(
      `IMDB data not found and the download of ${url} failed (${reason}). ` +
        `Pass the archive or its extracted folder with --data PATH or GATED_IMDB=PATH, ` +
        `or put ${ARCHIVE_NAME} in ${join(dest, '..')}; get it from https://ai.stanford.edu/~amaas/data/sentiment/`,
    );
  let response: Response;
  try {
    response = await fetchArchive(url);
  } catch (error) {
    throw noSource(describeFetchError(error));
  }
  if (!response.ok || response.body === null) throw noSource(`HTTP ${response.status}`);

  const total = Number(response.headers.get('content-length')) || undefined;
  const hash = createHash('sha256');
  let received = 0;
  await mkdir(join(dest, '..'), { recursive: true });
  const temp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          received += chunk.length;
          onDownloadProgress(received, total);
          yield chunk;
        }
      },
      createWriteStream(temp),
    );
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new DataError(
        `${url}: downloaded file has sha256 ${actual}, expected ${sha256} (corrupt download?); ` +
          `retry, or pass a copy with --data PATH`,
      );
    }
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof DataError) throw error;
    throw noSource(describeFetchError(error));
  }
}

/** A percentage line on stderr: rewritten in place on a terminal, every 10% otherwise. */
function stderrProgress(): DownloadProgress {
  const tty = process.stderr.isTTY === true;
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  let lastStep = -1;
  return (received, total) => {
    const percent = total ? Math.floor((100 * received) / total) : 0;
    // Without an announced size, a line every 10 MB.
    const step = total ? Math.floor(percent / (tty ? 1 : 10)) : Math.floor(received / 10e6);
    if (step === lastStep) return;
    lastStep = step;
    const text = total
      ? `downloading ${ARCHIVE_NAME}: ${percent}% (${mb(received)} of ${mb(total)} MB)`
      : `downloading ${ARCHIVE_NAME}: ${mb(received)} MB`;
    const done = total !== undefined && received >= total;
    process.stderr.write(tty ? `\r${text}${done ? '\n' : ''}` : `${text}\n`);
  };
}

async function mustExist(path: string, shownAs: string): Promise<string> {
  if (!(await exists(path))) throw new DataError(`${shownAs}: no such file or directory`);
  return path;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports "fetch failed" and puts the real reason (ENOTFOUND, ECONNREFUSED...) in cause.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
