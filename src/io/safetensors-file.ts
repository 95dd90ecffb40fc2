import { openRegularFile, readExactly } from './regular-file.js';
import {
  decodeSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  SafetensorsError,
  type DecodedSafetensors,
} from './safetensors.js';

/**
 * Reads a safetensors file from disk in the order that trusts nothing: a regular file; its size
 * at most `maxBytes`; the header length, then the header, checked against the file's size (the
 * tensors must tile the rest exactly) before the data is read. Every problem is
 * `makeError("<path>: <why>")`.
 */
export async function readSafetensorsFile(
  path: string,
  maxBytes: number,
  makeError: (message: string) => Error,
): Promise<DecodedSafetensors> {
  const file = await openRegularFile(path, makeError);
  const short = (): Error => makeError(`${path}: changed while read`);
  try {
    if (file.size > maxBytes)
      throw makeError(
        `${path}: ${file.size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} this file may have`,
      );
    const first8 = await readExactly(file, 0, Math.min(8, file.size), short);
    const headerLength = safetensorsHeaderLength(first8, file.size);
    parseSafetensorsHeader(await readExactly(file, 8, headerLength, short), file.size);
    return decodeSafetensors(await readExactly(file, 0, file.size, short));
  } catch (error) {
    if (error instanceof SafetensorsError) throw makeError(`${path}: ${error.message}`);
    throw error;
  } finally {
    await file.handle.close();
  }
}
