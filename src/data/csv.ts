/**
 * CSV and TSV with a header row (RFC 4180 quoting, fields over several lines, a BOM), parsed by
 * csv-parse from a decoded stream: a file of any size is read in one pass.
 */
import { once } from 'node:events';
import { CsvError, parse } from 'csv-parse';
import { DataError } from './errors.js';
import type { RowItem } from './rows.js';
import { decodedChunks } from './text-lines.js';

export interface CsvOptions {
  delimiter: ',' | '\t';
  /** Header names of the text and label columns. */
  textColumn: string;
  labelColumn: string;
}

export async function* readCsvRows(file: string, o: CsvOptions): AsyncGenerator<RowItem> {
  const parser = parse({
    delimiter: o.delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    info: true,
    bom: true,
  });
  // Fed by hand rather than piped: a read error (say, bytes that are not UTF-8) then ends the
  // loop below as an error instead of leaving the parser waiting.
  void (async () => {
    try {
      for await (const chunk of decodedChunks(file))
        if (!parser.write(chunk)) await once(parser, 'drain');
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  let textAt = -1;
  let labelAt = -1;
  let width = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (textAt === -1) {
        [textAt, labelAt] = [o.textColumn, o.labelColumn].map((name, i) => {
          const at = record.indexOf(name);
          if (at === -1) {
            const flag = i === 0 ? '--text-column' : '--label-column';
            throw new DataError(
              `${file}:1: no column "${name}" in the header (${record.map((c) => JSON.stringify(c)).join(', ')}); name it with ${flag}`,
            );
          }
          return at;
        });
        width = record.length;
        continue;
      }
      if (record.length === 1 && record[0] === '') continue; // a blank line
      if (record.length !== width) {
        yield { bad: `${file}:${line}: ${record.length} fields, the header has ${width}` };
        continue;
      }
      const text = record[textAt];
      const label = record[labelAt].trim();
      if (text.trim() === '') yield { bad: `${file}:${line}: empty text` };
      else if (label === '') yield { bad: `${file}:${line}: empty label` };
      else yield { text, labels: [label] };
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new DataError(
        `${file}:${line ?? '?'}: ${error.message.replace(/^Invalid [^:]*: /, '')}`,
      );
    }
    throw error;
  }
  if (textAt === -1) throw new DataError(`${file}: empty file (expected a header row)`);
}
