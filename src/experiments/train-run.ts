import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { outputSpec } from '../classify/task.js';
import type { LabelledSplit } from '../data/text-dataset.js';
import type { DataFormat } from '../data/formats.js';
import { writeFileAtomic } from '../io/atomic.js';
import {
  CHECKPOINT_FILE,
  restoreCheckpoint,
  saveCheckpoint,
  type Checkpoint,
} from '../io/checkpoint.js';
import { ModelFileError, saveModel } from '../io/model-dir.js';
import { getOptimizer } from '../optim/index.js';
import type { Callback, Logs } from '../models/callbacks.js';
import { CSVLogger, EarlyStopping, ModelCheckpoint } from '../models/callbacks/index.js';
import { ProgressLogger, type ProgressSink } from '../models/progbar.js';
import {
  NonFiniteLossError,
  ResumeStateError,
  TrainingInterrupted,
  type FitState,
  type History,
  type Sequential,
} from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import type { OutputMode } from '../text/bag.js';
import {
  BAG_DEFAULT_NGRAMS,
  bagInputOf,
  buildSentimentModel,
  type Architecture,
} from './architectures.js';
import { setNaiveBayesRatios } from './nbsvm.js';
import { EVALUATION_FILE, HISTORY_FILE, writeRunReport } from './report-files.js';
import { testReport } from './test-report.js';
import { prepareData, type ImdbLabel, type PreparedData } from './train-data.js';

export { HISTORY_FILE } from './report-files.js';
import {
  BEST_DIR,
  cleanRunForResume,
  lockRunDir,
  prepareFreshRun,
  runRelativePath,
} from './run-dir.js';
import { RUN_FLAG_KEYS, validateRunFlags } from './run-flags.js';

export { BEST_DIR, VOCAB_FILE } from './run-dir.js';

/** Everything `gated train` takes; the defaults (in the CLI) are the reference experiment. */
export interface TrainRunOptions {
  architecture: Architecture;
  numWords: number;
  maxlen: number;
  embeddingDim: number;
  units: number;
  filters: number;
  kernelSize: number;
  optimizer: string;
  learningRate: number;
  /** Rescale each weight's gradient to at most this L2 norm. */
  clipnorm?: number;
  /** Adam only: update just the embedding rows of each batch (LazyAdam); dense when unset. */
  lazyEmbeddings?: boolean;
  batchSize: number;
  validationSplit: number;
  epochs: number;
  seed: number;
  data?: string;
  /** Forces a loader (imdb, folder, csv, tsv, jsonl, fasttext) instead of telling it from data. */
  format?: DataFormat;
  /** CSV/TSV column or JSON field of the text and of the label. */
  textColumn?: string;
  labelColumn?: string;
  /** IMDB: classify by sentiment (2 classes) or by star rating (8 classes). */
  label?: ImdbLabel;
  /** Adds k-gram tokens up to this k to the vocabulary. */
  ngrams?: number;
  /** The test fraction (stratified) when the data has no test split. */
  testSplit?: number;
  /** Two classes as a 2-way softmax instead of one sigmoid. */
  multiclass?: boolean;
  /** Count and skip bad rows instead of stopping at the first. */
  skipBadRows?: boolean;
  limit?: number;
  /** Stop after this many epochs without a lower val_loss, and restore the best weights. */
  earlyStopping?: number;
  /** Keep the model of the lowest val_loss in `<out>/best/`. */
  checkpoint?: boolean;
  /** Write one CSV row per epoch here (Keras's CSVLogger). */
  csv?: string;
  /** Keep checkpoint.safetensors after the run completes (to extend it later with --resume). */
  keepCheckpoint?: boolean;
  out: string;
  backend: Backend;
}

/** The options a checkpoint records, so `--resume` trains on with the same ones. */
export type RunFlags = Omit<TrainRunOptions, 'backend' | 'out'>;

export interface RunControl {
  /** A checkpoint of this run to continue from (its flags are `o`'s). */
  resume?: Checkpoint;
  /** Aborting finishes the current batch, saves a checkpoint and returns. */
  signal?: AbortSignal;
  /** More callbacks for fit (e.g. `gated compare`'s progress across runs). */
  callbacks?: Callback[];
  /** A fresh run replaces a run already in `out` (else that is an error). */
  overwrite?: boolean;
}

export type TrainRunResult =
  | { interrupted: false; model: Sequential; history: History; test: Logs }
  | { interrupted: true; model: Sequential; epoch: number; batch: number };

/** The data a run's architecture reads: the bag models get their bag mode and n-grams. */
export function dataOptionsFor<O extends Pick<RunFlags, 'architecture' | 'ngrams'>>(
  o: O,
): O & { outputMode?: OutputMode } {
  const bag = bagInputOf(o.architecture);
  return bag ? { ...o, outputMode: bag, ngrams: o.ngrams ?? BAG_DEFAULT_NGRAMS } : o;
}

/** Rows of a padded id matrix and their targets as the tensors a model takes. */
export function splitTensors(split: LabelledSplit): { x: Tensor; y: Tensor } {
  return {
    x: new Tensor(Float32Array.from(split.x), [split.count, split.length]),
    y: new Tensor(split.y, [split.count, split.yWidth]),
  };
}

/** One line on what was read: counts, classes, skipped rows. */
export function describeData(data: PreparedData): string {
  const { classNames, task } = data.labels;
  const shown =
    classNames.length <= 10 ? classNames.join(', ') : `${classNames.slice(0, 10).join(', ')}, …`;
  const skipped = data.skipped > 0 ? `; skipped ${data.skipped} bad rows` : '';
  return (
    `Data: ${data.train.count} train and ${data.test.count} test texts from ${data.source} ` +
    `(${data.format}; ${task}, ${classNames.length} classes: ${shown}${skipped})`
  );
}

/**
 * The options as a checkpoint stores them: the data path made absolute so a resume works from
 * anywhere; the CSV path relative to the run directory, which it may not leave.
 */
export function runFlags(o: TrainRunOptions): RunFlags {
  const flags: Record<string, unknown> = {};
  for (const key of RUN_FLAG_KEYS) if (o[key] !== undefined) flags[key] = o[key];
  if (o.data !== undefined) flags.data = resolve(o.data);
  return flags as unknown as RunFlags;
}

const NOTHING_DONE: FitState = {
  epoch: 0,
  history: { epochs: [] },
  progress: null,
  stopped: false,
  callbacks: {},
};

/**
 * The reference experiment end to end: IMDB → model → fit with Keras-style progress → test
 * evaluation. After every epoch `out` gets the model, history and report, then a checkpoint
 * (weights, optimizer, generator, epoch, history, callbacks, flags) that `resume` continues
 * from bit for bit; an aborted signal saves one mid-epoch.
 */
export async function runTraining(
  o: TrainRunOptions,
  log: (line: string) => void,
  progress: ProgressSink,
  control: RunControl = {},
): Promise<TrainRunResult> {
  validateRunFlags({ ...runFlags(o) });
  const release = await lockRunDir(o.out, control.resume ? '--resume' : '--out');
  try {
    if (control.resume) await cleanRunForResume(o.out);
    else await prepareFreshRun(o.out, control.overwrite ?? false);
    const csv = o.csv === undefined ? undefined : await runRelativePath(o.out, o.csv, '--csv');
    return await trainInRunDir(
      { ...o, ...(csv !== undefined ? { csv } : {}) },
      log,
      progress,
      control,
    );
  } finally {
    release();
  }
}

/** runTraining once the run directory is locked and checked. */
async function trainInRunDir(
  o: TrainRunOptions,
  log: (line: string) => void,
  progress: ProgressSink,
  control: RunControl,
): Promise<TrainRunResult> {
  const data = await prepareData(dataOptionsFor(o), log);
  log(describeData(data));
  const spec = outputSpec(data.labels);
  const model = buildSentimentModel({
    ...o,
    backend: o.backend,
    // The ids the vectorizer can give: fewer than numWords when the data has fewer words.
    numWords: data.vectorizer.vocabularySize,
    output: { units: spec.units, activation: spec.activation },
  });
  model.vectorizer = data.vectorizer;
  model.labels = data.labels;
  if (o.architecture === 'nbsvm')
    setNaiveBayesRatios(model, data.labels, data.train, o.validationSplit);
  model.compile({
    optimizer: getOptimizer({
      name: o.optimizer,
      learningRate: o.learningRate,
      ...(o.clipnorm !== undefined ? { clipnorm: o.clipnorm } : {}),
      ...(o.lazyEmbeddings ? { lazyEmbeddings: true } : {}),
    }),
    loss: spec.loss,
    metrics: [spec.metric],
  });
  log(model.summary());
  log(`Backend: ${o.backend.name}`);

  const flags = runFlags(o);
  // The backend too: another one gives other rounding, so a resume keeps it by default.
  const checkpointFlags = { ...flags, backend: o.backend.name };
  const checkpointPath = join(o.out, CHECKPOINT_FILE);
  const training = { ...flags, backend: o.backend.name, dataSource: data.source };
  const saveRun = async (test?: Logs): Promise<void> => {
    await saveModel(model, o.out, { training });
    const record = test ? { ...model.history, test } : model.history;
    await writeFileAtomic(join(o.out, HISTORY_FILE), JSON.stringify(record, null, 2) + '\n');
    await writeRunReport(o.out);
  };
  let resume: FitState | undefined;
  if (control.resume) {
    resume = restoreCheckpoint(checkpointPath, model, control.resume);
    log(`Resuming from ${checkpointPath}: ${describe(resume)}`);
  } else {
    // Even a run killed in its first epoch can be resumed.
    await saveCheckpoint(checkpointPath, model, checkpointFlags, NOTHING_DONE);
  }

  const callbacks: Callback[] = [new ProgressLogger(progress)];
  if (o.earlyStopping !== undefined)
    callbacks.push(new EarlyStopping({ patience: o.earlyStopping, restoreBestWeights: true }));
  if (o.checkpoint)
    callbacks.push(new ModelCheckpoint({ filepath: join(o.out, BEST_DIR), saveBestOnly: true }));
  if (o.csv !== undefined) callbacks.push(new CSVLogger(join(o.out, o.csv)));
  callbacks.push(...(control.callbacks ?? []));
  // Last, so the checkpoint holds every other callback's state after this epoch.
  callbacks.push({
    onEpochEnd: async () => {
      await saveRun();
      await saveCheckpoint(checkpointPath, model, checkpointFlags);
    },
  });

  const train = splitTensors(data.train);
  let history: History;
  try {
    history = await model.fit(train.x, train.y, {
      batchSize: o.batchSize,
      epochs: o.epochs,
      validationSplit: o.validationSplit,
      callbacks,
      ...(resume ? { resume } : {}),
      ...(control.signal ? { signal: control.signal } : {}),
    });
  } catch (err) {
    if (err instanceof TrainingInterrupted) {
      await saveCheckpoint(checkpointPath, model, checkpointFlags, err.state);
      log(`\nInterrupted: saved a checkpoint at ${describe(err.state)} in ${checkpointPath}`);
      return {
        interrupted: true,
        model,
        epoch: err.state.epoch + 1,
        batch: err.state.progress?.step ?? 0,
      };
    }
    if (err instanceof ResumeStateError)
      throw new ModelFileError(`${checkpointPath}: ${err.message}`);
    if (err instanceof NonFiniteLossError) {
      const kept = model.history.epochs.length;
      const when = kept === 0 ? 'from before epoch 1' : `after epoch ${kept}`;
      throw new Error(`${err.message}; the last good checkpoint (${when}) is kept in ${o.out}`);
    }
    throw err;
  }
  const stopper = callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping);
  if (stopper && stopper.stoppedEpoch > 0) {
    log(
      `Epoch ${stopper.stoppedEpoch + 1}: early stopping; restored the weights of epoch ${stopper.bestEpoch + 1} (val_loss ${stopper.best?.toFixed(4)})`,
    );
  }

  const test = splitTensors(data.test);
  const started = performance.now();
  const testLogs = model.evaluate(test.x, test.y, { batchSize: o.batchSize });
  log(
    `Test loss: ${testLogs.loss.toFixed(4)} - Test ${spec.metric.replace('_', ' ')}: ${(testLogs[spec.metric] ?? NaN).toFixed(4)} ` +
      `(${data.test.count} texts, ${((performance.now() - started) / 1000).toFixed(1)}s)`,
  );
  const report = testReport(model, data.labels, data.test, test.x, o.batchSize);
  await writeFileAtomic(join(o.out, EVALUATION_FILE), JSON.stringify(report) + '\n');
  await saveRun(testLogs);
  // The checkpoint (weights plus two Adam slots: three times weights.safetensors) is only for
  // resuming; a finished run does not need it unless it is to be extended.
  if (!o.keepCheckpoint) await rm(checkpointPath, { force: true });
  log(`Saved model, vocabulary and history to ${o.out}`);
  return { interrupted: false, model, history, test: testLogs };
}

function describe(state: FitState): string {
  if (state.progress) return `epoch ${state.epoch + 1}, after batch ${state.progress.step}`;
  return state.epoch === 0 ? 'the start' : `the end of epoch ${state.epoch}`;
}
