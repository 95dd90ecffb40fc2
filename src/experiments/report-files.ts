import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { loadArchitecture, ModelFileError, readModelText } from '../io/model-dir.js';
import type { Logs } from '../models/callbacks.js';
import type { ClassificationReport } from '../metrics/classification-report.js';
import type { EpochRecord } from '../models/sequential.js';
import { renderReport, REPORT_FILE } from './report.js';

export const HISTORY_FILE = 'history.json';
/** The per-class report of the latest test evaluation (written by train and evaluate). */
export const EVALUATION_FILE = 'evaluation.json';

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
  const classReport = await readEvaluation(dir);
  const path = join(dir, REPORT_FILE);
  const html = renderReport({
    title: `gated run ${basename(resolve(dir))}`,
    epochs: history.epochs,
    ...(history.test ? { test: history.test } : {}),
    ...(classReport ? { classReport } : {}),
    summary: model.summary(),
    flags: training,
  });
  await writeFileAtomic(path, html);
  return path;
}

/** evaluation.json when present, checked enough that rendering it cannot fail. */
async function readEvaluation(dir: string): Promise<ClassificationReport | undefined> {
  const path = join(dir, EVALUATION_FILE);
  if (!existsSync(path)) return undefined;
  const text = await readModelText(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ModelFileError(`${path}: not valid JSON`);
  }
  const r = value as ClassificationReport;
  const isNumber = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  const metricsOk = (m: unknown): boolean =>
    typeof m === 'object' &&
    m !== null &&
    ['precision', 'recall', 'f1', 'support'].every((k) =>
      isNumber((m as Record<string, unknown>)[k]),
    );
  const k = Array.isArray(r?.classNames) ? r.classNames.length : -1;
  const ok =
    k > 0 &&
    r.classNames.every((n) => typeof n === 'string') &&
    Array.isArray(r.perClass) &&
    r.perClass.length === k &&
    r.perClass.every(metricsOk) &&
    metricsOk(r.macroAvg) &&
    metricsOk(r.weightedAvg) &&
    isNumber(r.accuracy) &&
    (r.confusion === null ||
      (Array.isArray(r.confusion) &&
        r.confusion.length === k &&
        r.confusion.every((row) => Array.isArray(row) && row.length === k && row.every(isNumber))));
  if (!ok) throw new ModelFileError(`${path}: not a classification report`);
  return r;
}
