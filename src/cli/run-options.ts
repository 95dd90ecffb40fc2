import { Command, Option } from 'commander';
import { BACKEND_NAMES, createBackend } from '../backend/registry.js';
import { loadNativeAddon } from '../backend/native/addon.js';
import type { Backend } from '../backend/backend.js';
import { ARCHITECTURES } from '../experiments/architectures.js';
import { DATA_FORMATS } from '../data/formats.js';
import { IMDB_LABELS } from '../experiments/train-data.js';
import { OPTIMIZER_NAMES } from '../optim/index.js';
import { fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './parsers.js';

/**
 * The options of the commands that build, train or study models (train, compare, gradients),
 * defined once: each command picks the ones it takes and may change a default.
 */
const DEFINITIONS = {
  model: () =>
    new Option('--model <name>', `architecture: ${ARCHITECTURES.join(', ')}`)
      .argParser(oneOf(ARCHITECTURES))
      .default('lstm'),
  numWords: () =>
    new Option('--num-words <n>', 'vocabulary size: keep the n most frequent words')
      .argParser(positiveInt)
      .default(10000),
  maxlen: () =>
    new Option('--maxlen <n>', 'pad/truncate every text to n tokens')
      .argParser(positiveInt)
      .default(200),
  embeddingDim: () =>
    new Option('--embedding-dim <n>', 'embedding width').argParser(positiveInt).default(128),
  units: () => new Option('--units <n>', 'recurrent units').argParser(positiveInt).default(64),
  filters: () =>
    new Option('--filters <n>', 'Conv1D filters (cnn)').argParser(positiveInt).default(128),
  kernelSize: () =>
    new Option('--kernel-size <n>', 'Conv1D width (cnn)').argParser(positiveInt).default(5),
  optimizer: () =>
    new Option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`)
      .argParser(oneOf(OPTIMIZER_NAMES))
      .default('adam'),
  lr: () => new Option('--lr <rate>', 'learning rate').argParser(positiveNumber).default(0.001),
  clipnorm: () =>
    new Option('--clipnorm <n>', "clip each weight's gradient to this L2 norm").argParser(
      positiveNumber,
    ),
  lazyEmbeddings: () =>
    new Option(
      '--lazy-embeddings',
      "Adam: update only the embedding rows of each batch's words (LazyAdam; default: dense, as Keras)",
    ),
  batchSize: () => new Option('--batch-size <n>', 'batch size').argParser(positiveInt).default(64),
  validationSplit: () =>
    new Option(
      '--validation-split <f>',
      'fraction of the training texts held out for validation (stratified for your own data)',
    )
      .argParser(fraction)
      .default(0.2),
  epochs: () => new Option('--epochs <n>', 'epochs').argParser(positiveInt).default(100),
  seed: () =>
    new Option('--seed <n>', 'seed of every random draw').argParser(nonNegativeInt).default(1),
  data: () =>
    new Option(
      '--data <path>',
      'the data: IMDB archive or folder (default: $GATED_IMDB, the cache, a download), a folder per class, .csv, .tsv, .jsonl or fastText .txt',
    ),
  format: () =>
    new Option(
      '--format <name>',
      `read --data as: ${DATA_FORMATS.join(', ')} (default: from the path)`,
    ).argParser(oneOf(DATA_FORMATS)),
  textColumn: () =>
    new Option('--text-column <name>', 'CSV/TSV column or JSON field of the text (default text)'),
  labelColumn: () =>
    new Option(
      '--label-column <name>',
      'CSV/TSV column or JSON field of the label (default label; JSON also reads a "labels" list)',
    ),
  label: () =>
    new Option(
      '--label <kind>',
      'IMDB classes: sentiment (2) or rating (8 star ratings)',
    ).argParser(oneOf(IMDB_LABELS)),
  ngrams: () =>
    new Option(
      '--ngrams <n>',
      'also make tokens of 2..n consecutive words (IMDB then reads its raw text)',
    ).argParser(positiveInt),
  testSplit: () =>
    new Option(
      '--test-split <f>',
      'test fraction, stratified, when the data has no test split of its own (default 0.2)',
    ).argParser(fraction),
  multiclass: () =>
    new Option('--multiclass', 'two classes as a 2-way softmax, not one sigmoid unit'),
  skipBadRows: () =>
    new Option(
      '--skip-bad-rows',
      'skip (and count) rows without text or label instead of stopping',
    ),
  limit: () =>
    new Option('--limit <n>', 'use only n reviews of each split, balanced (quick runs)').argParser(
      positiveInt,
    ),
  backend: () =>
    new Option(
      '--backend <name>',
      `compute backend: ${BACKEND_NAMES.join(', ')} (default $GATED_BACKEND, else the fastest that loads)`,
    ).argParser(oneOf(BACKEND_NAMES)),
  threads: () =>
    new Option(
      '--threads <n>',
      'threads of the native and wasm backends (default $GATED_THREADS, else every core)',
    ).argParser(positiveInt),
} satisfies Record<string, () => Option>;

export type RunOptionName = keyof typeof DEFINITIONS;

/** Where the texts come from and how they are read: every command that loads a dataset. */
export const DATA_OPTIONS = [
  'data',
  'format',
  'textColumn',
  'labelColumn',
  'label',
  'ngrams',
  'testSplit',
  'multiclass',
  'skipBadRows',
  'limit',
] as const satisfies readonly RunOptionName[];

/** The data options the user gave (commander leaves the others undefined). */
export function givenDataOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    DATA_OPTIONS.flatMap((key) => (o[key] !== undefined ? [[key, o[key]]] : [])),
  );
}

/** What one model's training takes: train adds --model, compare trains several with the same. */
export const TRAINING_OPTIONS = [
  'numWords',
  'maxlen',
  'embeddingDim',
  'units',
  'filters',
  'kernelSize',
  'optimizer',
  'lr',
  'clipnorm',
  'lazyEmbeddings',
  'batchSize',
  'validationSplit',
  'epochs',
  'seed',
  ...DATA_OPTIONS,
] as const satisfies readonly RunOptionName[];

/** Adds these shared options to `command`, in this order, with `defaults` overriding theirs. */
export function addRunOptions(
  command: Command,
  names: readonly RunOptionName[],
  defaults: Partial<Record<RunOptionName, unknown>> = {},
): Command {
  for (const name of names) {
    const option = DEFINITIONS[name]();
    if (name in defaults) option.default(defaults[name]);
    command.addOption(option);
  }
  return command;
}

/**
 * The backend --backend/--threads ask for; `fallback` (e.g. a resumed run's) before the default.
 * More threads than cores are lowered to the cores with a notice (src/backend/settings.ts).
 */
export function backendFromOptions(
  o: { backend?: string; threads?: number },
  fallback?: string,
): Backend {
  return createBackend(o.backend ?? fallback ?? (process.env.GATED_BACKEND || BACKEND_NAMES[0]), {
    threads: o.threads,
  });
}

/** `--backend native` asked for explicitly must load, not fall back (for `gated info`). */
export function requireNativeIfAsked(o: { backend?: string }): void {
  if (o.backend !== 'native') return;
  const { error } = loadNativeAddon();
  if (error !== null)
    throw new Error(`--backend native: the native backend cannot load (${error})`);
}

/** A directory-name-safe UTC time stamp for default output directories. */
export function timestamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
}
