import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { describeFsError } from './regular-file.js';

/** Writes a file so a crash leaves either the old file or the new one, never a torn one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    // ENOSPC, EISDIR, EROFS…: one line that names the file.
    throw new WriteError(`${path}: cannot write (${describeFsError(err)})`, { cause: err });
  }
  await syncDir(dir);
}

/** A file could not be written; the message names it and says why in words. */
export class WriteError extends Error {}

/** Makes the rename itself durable across a power cut (a killed process needs no such step). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
