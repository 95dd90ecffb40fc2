import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { loadArchitecture, ModelFileError, readModelText } from '../io/model-dir.js';
import type { Logs } from '../models/callbacks.js';
import type { EpochRecord } from '../models/sequential.js';
import { renderReport, REPORT_FILE } from './report.js';

export const HISTORY_FILE = 'history.json';

/** history.json: the epochs so far and, once training is over, the test metrics. */
export interface RunHistory {
  epochs: EpochRecord[];
  test?: Logs;
}

/** Reads and checks a run's history.json. */
export async function readHistory(dir: string): Promise<RunHistory> {
  const path = join(dir, HISTORY_FILE);
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  const text = await readModelText(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('not valid JSON');
  }
  const numbers = (v: unknown): v is Record<string, number> =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'number');
  const h = value as Record<string, unknown>;
  if (typeof h !== 'object' || h === null || !Array.isArray(h.epochs))
    fail('expected {"epochs": [...]}');
  (h.epochs as unknown[]).forEach((e, i) => {
    if (!numbers(e) || e.epoch !== i + 1 || typeof e.seconds !== 'number')
      fail(`epochs[${i}] must map names to numbers, with epoch ${i + 1} and seconds`);
  });
  if (h.test !== undefined && !numbers(h.test)) fail('test must map names to numbers');
  return h as unknown as RunHistory;
}

/** Writes report.html into a run directory from its history.json and model.json. */
export async function writeRunReport(dir: string): Promise<string> {
  const history = await readHistory(dir);
  const { model, training } = await loadArchitecture(dir);
  const path = join(dir, REPORT_FILE);
  const html = renderReport({
    title: `gated run ${basename(resolve(dir))}`,
    epochs: history.epochs,
    ...(history.test ? { test: history.test } : {}),
    summary: model.summary(),
    flags: training,
  });
  await writeFileAtomic(path, html);
  return path;
}
