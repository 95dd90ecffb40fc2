import { existsSync } from 'node:fs';
import { ModelFileError, readModelText } from '../io/model-dir.js';
import { join, resolve } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { prepareData, type PreparedData } from './train-data.js';
import { correctRows } from './test-report.js';
import { writeFileAtomic } from '../io/atomic.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../io/checkpoint.js';
import type { Callback } from '../models/callbacks.js';
import { formatDuration, type ProgressSink } from '../models/progbar.js';
import type { EpochRecord } from '../models/sequential.js';
import type { Architecture } from './architectures.js';
import { accuracyByLength, type LengthBucket } from './compare-buckets.js';
import { estimateSecondsLeft, type RunTime } from './compare-eta.js';
import {
  modelEntries,
  sweepEntries,
  type CompareEntry,
  type SweepFactor,
  type SweepGrid,
} from './compare-plan.js';
import { compareMarkdown, renderComparePage } from './compare-report.js';
import { bestEpoch } from './report.js';
import {
  dataOptionsFor,
  runTraining,
  splitTensors,
  type RunFlags,
  type TrainRunOptions,
} from './train-run.js';

export const COMPARE_JSON = 'compare.json';
export const COMPARE_MD = 'compare.md';
export const COMPARE_HTML = 'compare.html';

/** The run settings shared by every model of a comparison (a sweep changes one at a time). */
export type CompareSettings = Omit<
  RunFlags,
  'architecture' | 'earlyStopping' | 'checkpoint' | 'csv'
> & {
  /** Early stopping on val_loss after this many epochs without improvement, best weights restored. */
  patience: number;
};

export interface CompareOptions extends CompareSettings {
  /** The architectures to compare, or a sweep of one. */
  models: Architecture[];
  sweep?: SweepGrid;
  /** Keep the runs DIR/compare.json already has (same settings) and go on with the rest. */
  resume?: boolean;
  out: string;
  backend: Backend;
}

/** One model's results in compare.json. */
export interface CompareRun {
  name: string;
  architecture: Architecture;
  factor: SweepFactor | null;
  value: number | null;
  params: number;
  epochsRun: number;
  /** The epoch of the lowest val_loss, whose weights were restored and tested. */
  bestEpoch: number | null;
  secondsPerEpoch: number;
  /** Wall time of the whole run: training, test evaluation and saving. */
  seconds: number;
  test: { loss: number; accuracy: number };
  byLength: LengthBucket[];
  history: EpochRecord[];
}

/** compare.json: rewritten after every finished run, so a crash keeps the finished ones. */
export interface CompareResult {
  format: 'gated-compare';
  version: 1;
  kind: 'models' | 'sweep';
  settings: CompareSettings;
  backend: string;
  dataSource: string;
  testCount: number;
  /** Every run of the plan, in order; `runs` holds the finished ones. */
  planned: string[];
  runs: CompareRun[];
  complete: boolean;
}

export type CompareOutcome =
  | { interrupted: false; result: CompareResult }
  | { interrupted: true; result: CompareResult; at: string };

function settingsOf(o: CompareOptions): CompareSettings {
  const settings: Record<string, unknown> = { ...o };
  for (const key of ['models', 'sweep', 'resume', 'out', 'backend']) delete settings[key];
  // Resolved, so a resume from another directory still matches.
  if (o.data !== undefined) settings.data = resolve(o.data);
  return settings as CompareSettings;
}

/** The finished runs of an earlier comparison in `out` with these settings (for --resume). */
async function earlierRuns(o: CompareOptions, settings: CompareSettings): Promise<CompareRun[]> {
  const path = join(o.out, COMPARE_JSON);
  if (!existsSync(path)) return [];
  const text = await readModelText(path);
  let old: CompareResult;
  try {
    old = JSON.parse(text) as CompareResult;
  } catch {
    throw new ModelFileError(`${path}: not valid JSON`);
  }
  if (
    old?.format !== 'gated-compare' ||
    !Array.isArray(old.runs) ||
    typeof old.settings !== 'object'
  )
    throw new ModelFileError(`${path}: not a gated compare.json`);
  const differ = Object.keys({ ...old.settings, ...settings }).filter(
    (k) =>
      JSON.stringify(old.settings[k as keyof CompareSettings]) !==
      JSON.stringify(settings[k as keyof CompareSettings]),
  );
  if (differ.length > 0)
    throw new Error(
      `${path} was made with other settings (${differ.join(', ')}); give the same flags to resume it`,
    );
  return old.runs;
}

/**
 * `gated compare`: trains every planned model on the same split, seed and budget (early stopping
 * on val_loss, best weights restored), each as a `gated train` run in <out>/<name>/, tests it,
 * splits its test accuracy by review length, and rewrites compare.json, compare.md and
 * compare.html after each run. Ctrl-C (the signal) stops after the current batch; with
 * `resume` the finished runs are kept and an interrupted one continues from its checkpoint.
 */
export async function runComparison(
  o: CompareOptions,
  log: (line: string) => void,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<CompareOutcome> {
  if (o.validationSplit === 0)
    throw new Error('compare stops early on val_loss: it needs a validation split > 0');
  const settings = settingsOf(o);
  const plan: CompareEntry[] = o.sweep ? sweepEntries(o.sweep, o) : modelEntries(o.models);
  const kept = o.resume ? await earlierRuns(o, settings) : [];
  // The data every run of one input kind reads (the split is seeded), for the accuracy by
  // length: the sequence models share keras.datasets.imdb ids, each bag model has its own bags.
  const dataByKind = new Map<string, Promise<PreparedData>>();
  const dataFor = (architecture: Architecture): Promise<PreparedData> => {
    const options = dataOptionsFor({ ...settings, architecture });
    const kind = JSON.stringify([options.outputMode ?? 'int', options.ngrams ?? 1]);
    if (!dataByKind.has(kind))
      dataByKind.set(
        kind,
        prepareData(options, () => undefined),
      );
    return dataByKind.get(kind)!;
  };
  const first = await dataFor(plan[0].architecture);
  const result: CompareResult = {
    format: 'gated-compare',
    version: 1,
    kind: o.sweep ? 'sweep' : 'models',
    settings,
    backend: o.backend.name,
    dataSource: first.source,
    testCount: first.test.count,
    planned: plan.map((e) => e.name),
    runs: kept.filter((r) => plan.some((e) => e.name === r.name)),
    complete: false,
  };
  const save = async (): Promise<void> => {
    result.runs.sort((a, b) => result.planned.indexOf(a.name) - result.planned.indexOf(b.name));
    result.complete = result.runs.length === plan.length;
    await writeFileAtomic(join(o.out, COMPARE_JSON), JSON.stringify(result, null, 2) + '\n');
    await writeFileAtomic(join(o.out, COMPARE_MD), compareMarkdown(result));
    await writeFileAtomic(join(o.out, COMPARE_HTML), renderComparePage(result));
  };
  const times: RunTime[] = result.runs.map((r) => ({ seconds: r.seconds, epochs: r.epochsRun }));
  const started = performance.now();

  for (const [i, entry] of plan.entries()) {
    const header = `model ${i + 1}/${plan.length}: ${entry.name}`;
    if (result.runs.some((r) => r.name === entry.name)) {
      log(`${header}: done in an earlier run, kept`);
      continue;
    }
    log(`\n━━ ${header} ━━`);
    const dir = join(o.out, entry.name);
    const checkpoint = join(dir, CHECKPOINT_FILE);
    const resume = o.resume && existsSync(checkpoint) ? await readCheckpoint(checkpoint) : null;
    const runStarted = performance.now();
    const waiting = plan.slice(i + 1).filter((e) => !result.runs.some((r) => r.name === e.name));
    const eta: Callback = {
      onEpochEnd: (epoch) => {
        const seconds = (performance.now() - runStarted) / 1000;
        const left = estimateSecondsLeft(
          times,
          { seconds, epochsDone: epoch + 1 },
          waiting.length,
          o.epochs,
        );
        const total = (performance.now() - started) / 1000;
        log(
          `${header} - epoch ${epoch + 1} done - elapsed ${formatDuration(total)}` +
            (left === null ? '' : ` - about ${formatDuration(left)} left`),
        );
      },
    };
    const runOptions: TrainRunOptions = {
      ...settings,
      ...entry.overrides,
      architecture: entry.architecture,
      earlyStopping: o.patience,
      out: dir,
      backend: o.backend,
    };
    delete (runOptions as Partial<CompareSettings>).patience;
    const run = await runTraining(runOptions, log, progress, {
      callbacks: [eta],
      // A comparison without --resume trains every model again.
      overwrite: true,
      ...(resume ? { resume } : {}),
      ...(signal ? { signal } : {}),
    });
    if (run.interrupted) {
      await save();
      return { interrupted: true, result, at: entry.name };
    }
    const seconds = (performance.now() - runStarted) / 1000;
    const epochs = run.history.epochs;
    const data = await dataFor(entry.architecture);
    const test = splitTensors(data.test);
    const output = run.model.predict(test.x, { batchSize: runOptions.batchSize });
    result.runs.push({
      name: entry.name,
      architecture: entry.architecture,
      factor: entry.factor,
      value: entry.value,
      params: run.model.countParams(),
      epochsRun: epochs.length,
      bestEpoch: bestEpoch(epochs)?.epoch ?? null,
      secondsPerEpoch: epochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, epochs.length),
      seconds,
      test: { loss: run.test.loss, accuracy: run.test.accuracy ?? run.test.binary_accuracy ?? NaN },
      byLength: accuracyByLength(data.test.lengths, correctRows(data.labels, data.test, output)),
      history: epochs,
    });
    times.push({ seconds, epochs: epochs.length });
    await save();
    log(
      `${header}: test accuracy ${(run.test.accuracy ?? NaN).toFixed(4)} - results in ${join(o.out, COMPARE_JSON)}`,
    );
  }
  await save();
  return { interrupted: false, result };
}
