/**
 * A text file read as a stream of decoded UTF-8 text: never the whole file in one string. Bytes
 * that are not UTF-8 stop the read with a DataError naming the file and line; a byte-order mark
 * is dropped (TextDecoder's default).
 */
import { createReadStream } from 'node:fs';
import { DataError } from './errors.js';

/** The file's text, chunk by chunk, with the 1-based line each chunk starts on. */
export async function* decodedChunks(file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const bytes of stream) {
      let text: string;
      try {
        text = decoder.decode(bytes as Buffer, { stream: true });
      } catch {
        throw new DataError(
          `${file}:${line + linesBeforeInvalid(bytes as Buffer)}: not valid UTF-8 text`,
        );
      }
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line++;
      yield text;
    }
    try {
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch {
      throw new DataError(
        `${file}:${line}: not valid UTF-8 text (the file ends inside a character)`,
      );
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  } finally {
    stream.destroy();
  }
}

/**
 * How many lines into `bytes` the first byte that is not UTF-8 sits. A newline byte never occurs
 * inside a character, so each line decodes on its own; the chunk may begin or end inside a
 * character split with its neighbour, which is skipped at the start and allowed at the end.
 */
function linesBeforeInvalid(bytes: Buffer): number {
  let start = 0;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  for (let line = 0; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end), {
        stream: true,
      });
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 0;
}

/** The file's lines (without the line break) with their 1-based numbers. */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 0;
  for await (const chunk of decodedChunks(file)) {
    pending += chunk;
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      yield { text: pending.slice(start, end).replace(/\r$/, ''), line: ++line };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== '') yield { text: pending.replace(/\r$/, ''), line: ++line };
}
