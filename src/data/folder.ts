/**
 * A folder with one subfolder per class holding `.txt` files, as Keras's
 * `text_dataset_from_directory` reads it: class names are the subfolder names, sorted; files in
 * nested folders count for their class; other files are ignored. When the folder holds `train/`
 * and `test/` (each with the class subfolders) those are the splits.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './errors.js';
import type { RowItem, SourceSplit } from './rows.js';

/** Files read at once: enough to hide latency, few open descriptors. */
const READ_BATCH = 64;

export async function* readFolderRows(root: string): AsyncGenerator<RowItem> {
  const top = await subfolders(root);
  const split = top.includes('train') && top.includes('test');
  const parts: { dir: string; split?: SourceSplit }[] = split
    ? [
        { dir: join(root, 'train'), split: 'train' },
        { dir: join(root, 'test'), split: 'test' },
      ]
    : [{ dir: root }];
  let classNames: string[] | undefined;
  for (const part of parts) {
    const classes = await subfolders(part.dir);
    if (classes.length < 2)
      throw new DataError(
        `${part.dir}: expected one subfolder per class (at least 2), found ${classes.length}`,
      );
    if (classNames && classNames.join('\0') !== classes.join('\0'))
      throw new DataError(`${part.dir}: its class folders differ from those of ${parts[0].dir}`);
    classNames = classes;
    for (const label of classes) {
      const files = await textFiles(join(part.dir, label));
      for (let start = 0; start < files.length; start += READ_BATCH) {
        const batch = files.slice(start, start + READ_BATCH);
        const texts = await Promise.all(batch.map(readUtf8));
        for (let i = 0; i < batch.length; i++) {
          const text = texts[i];
          if (text === undefined) yield { bad: `${batch[i]}:1: not valid UTF-8 text` };
          else if (text.trim() === '') yield { bad: `${batch[i]}:1: empty text` };
          else yield { text, labels: [label], ...(part.split ? { split: part.split } : {}) };
        }
      }
    }
  }
}

async function readUtf8(file: string): Promise<string | undefined> {
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new DataError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Subfolder names in code-unit order (Keras sorts them), hidden ones skipped. */
async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new DataError(
      `${dir}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(codeUnitOrder);
}

/** Every `.txt` file under dir, nested folders included, in a fixed order. */
async function textFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => codeUnitOrder(a.name, b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const file of await textFiles(path)) found.push(file);
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.txt')) found.push(path);
  }
  return found;
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
