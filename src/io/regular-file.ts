import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Reading files gated did not write itself (model files, checkpoints, reviews) without trusting
 * them: only regular files (a FIFO would block forever, /dev/zero never ends, a directory is no
 * file), with the size known from fstat before a byte is read, so a size limit is checked
 * before anything is allocated.
 */

/** Why a file could not be read, in words (no errno jargon when a plain phrase exists). */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EEXIST':
      return 'exists and is not a directory';
    default:
      return code ?? (error as Error).message;
  }
}

/** An open regular file and its size; close the handle when done. */
export interface OpenedFile {
  handle: FileHandle;
  size: number;
}

/**
 * Opens `path` for reading if it is a regular file. O_NONBLOCK makes opening a FIFO return at
 * once (then fstat refuses it), where a plain open would wait for a writer forever.
 * Throws `makeError("<path>: <why>")`.
 */
export async function openRegularFile(
  path: string,
  makeError: (message: string) => Error,
): Promise<OpenedFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw makeError(`${path}: ${describeFsError(error)}`);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw makeError(`${path}: is a directory, expected a file`);
    if (!info.isFile()) throw makeError(`${path}: not a regular file`);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads exactly `length` bytes at `position` (a file that shrank under us is an error). */
export async function readExactly(
  file: OpenedFile,
  position: number,
  length: number,
  onShort: () => Error,
): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw onShort();
    done += bytesRead;
  }
  return buffer;
}

/** The whole of a regular file of at most `maxBytes`; a bigger one is refused before reading. */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  makeError: (message: string) => Error,
): Promise<Buffer> {
  const file = await openRegularFile(path, makeError);
  try {
    if (file.size > maxBytes)
      throw makeError(
        `${path}: ${file.size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} this file may have`,
      );
    return await readExactly(file, 0, file.size, () => makeError(`${path}: changed while read`));
  } finally {
    await file.handle.close();
  }
}

/** The first `maxBytes` of a regular file and its full size (for capped reads of reviews). */
export async function readRegularFileHead(
  path: string,
  maxBytes: number,
  makeError: (message: string) => Error,
): Promise<{ bytes: Buffer; size: number }> {
  const file = await openRegularFile(path, makeError);
  try {
    const length = Math.min(file.size, maxBytes);
    const bytes = await readExactly(file, 0, length, () =>
      makeError(`${path}: changed while read`),
    );
    return { bytes, size: file.size };
  } finally {
    await file.handle.close();
  }
}
