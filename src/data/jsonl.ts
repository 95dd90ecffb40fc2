/**
 * JSON Lines: one object per line, `{"text": "...", "label": "..."}`, or `"labels": [...]` for
 * multi-label data. A number label is read as its decimal name. Blank lines are skipped.
 */
import type { RowItem } from './rows.js';
import { readLines } from './text-lines.js';

export interface JsonlOptions {
  textField: string;
  labelField: string;
}

export async function* readJsonlRows(file: string, o: JsonlOptions): AsyncGenerator<RowItem> {
  const listField = `${o.labelField}s`;
  for await (const { text: lineText, line } of readLines(file)) {
    if (lineText.trim() === '') continue;
    const where = `${file}:${line}`;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (error) {
      yield { bad: `${where}: not JSON (${(error as Error).message})` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { bad: `${where}: not a JSON object` };
      continue;
    }
    const record = value as Record<string, unknown>;
    const text = Object.hasOwn(record, o.textField) ? record[o.textField] : undefined;
    if (typeof text !== 'string' || text.trim() === '') {
      yield { bad: `${where}: no "${o.textField}" string` };
      continue;
    }
    if (Object.hasOwn(record, listField) && Array.isArray(record[listField])) {
      const labels = (record[listField] as unknown[]).map(labelName);
      if (labels.some((l) => l === undefined)) {
        yield { bad: `${where}: "${listField}" must hold strings or numbers` };
      } else yield { text, labels: [...new Set(labels as string[])], multiLabel: true };
      continue;
    }
    const label = Object.hasOwn(record, o.labelField) ? labelName(record[o.labelField]) : undefined;
    if (label === undefined)
      yield { bad: `${where}: no "${o.labelField}" (or "${listField}" list)` };
    else yield { text, labels: [label] };
  }
}

function labelName(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}
