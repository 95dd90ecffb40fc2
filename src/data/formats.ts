/**
 * Which loader reads a dataset path: the IMDB archive, a folder per class, CSV/TSV, JSON Lines or
 * fastText lines, chosen from what the path is (a `--format` forces one).
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readCsvRows } from './csv.js';
import { DataError } from './errors.js';
import { readFastTextRows } from './fasttext.js';
import { readFolderRows } from './folder.js';
import { readJsonlRows } from './jsonl.js';
import type { RowSource } from './rows.js';

export const DATA_FORMATS = ['imdb', 'folder', 'csv', 'tsv', 'jsonl', 'fasttext'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

const BY_EXTENSION: [RegExp, DataFormat][] = [
  [/\.(tar\.gz|tgz)$/i, 'imdb'],
  [/\.csv$/i, 'csv'],
  [/\.tsv$/i, 'tsv'],
  [/\.(jsonl|ndjson)$/i, 'jsonl'],
  [/\.(txt|ft)$/i, 'fasttext'],
];

/** The format of `path`: the IMDB layout, a folder, or a file told by its extension. */
export async function detectFormat(path: string): Promise<DataFormat> {
  const info = await stat(path).catch(() => {
    throw new DataError(`${path}: no such file or directory`);
  });
  if (info.isDirectory()) {
    const imdb = basename(path) === 'aclImdb' || (await isDirectory(join(path, 'aclImdb')));
    return imdb ? 'imdb' : 'folder';
  }
  const found = BY_EXTENSION.find(([pattern]) => pattern.test(path));
  if (!found)
    throw new DataError(
      `${path}: cannot tell the format from the name; pass --format (${DATA_FORMATS.join(', ')})`,
    );
  return found[1];
}

export interface ColumnOptions {
  /** CSV/TSV column or JSON field of the text (default "text"). */
  textColumn?: string;
  /** CSV/TSV column or JSON field of the label (default "label"; JSON also takes "labels"). */
  labelColumn?: string;
}

/** The rows of a dataset in any format but IMDB's (which loadImdb reads with its own ids). */
export function rowSource(path: string, format: DataFormat, o: ColumnOptions = {}): RowSource {
  const textColumn = o.textColumn ?? 'text';
  const labelColumn = o.labelColumn ?? 'label';
  switch (format) {
    case 'folder':
      return () => readFolderRows(path);
    case 'csv':
    case 'tsv':
      return () =>
        readCsvRows(path, { delimiter: format === 'csv' ? ',' : '\t', textColumn, labelColumn });
    case 'jsonl':
      return () => readJsonlRows(path, { textField: textColumn, labelField: labelColumn });
    case 'fasttext':
      return () => readFastTextRows(path);
    case 'imdb':
      throw new DataError(`${path}: the IMDB archive is read by loadImdb`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
