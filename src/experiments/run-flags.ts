import { OPTIMIZER_NAMES } from '../optim/index.js';
import { MAX_PARAMETERS } from '../models/limits.js';
import { INDEX_FROM } from '../text/vocabulary.js';
import { DATA_FORMATS } from '../data/formats.js';
import { IMDB_LABELS } from './train-data.js';
import {
  ARCHITECTURES,
  isConvolutional,
  MULTI_WIDTHS,
  sentimentParamCount,
  widestKernel,
  type Architecture,
} from './architectures.js';
import type { RunFlags } from './train-run.js';

/**
 * The one validator of `gated train`'s settings: the CLI runs it on parsed flags, `--resume` on
 * the flags a checkpoint recorded, so a crafted checkpoint can hold nothing the CLI would refuse.
 * Limits are checked before anything is allocated from them.
 */

/** Longer than any IMDB review (about 2,500 tokens), short enough that 25,000 rows fit in memory. */
export const MAX_MAXLEN = 10_000;
/** Longest n-gram a vectorizer makes (Keras allows any; past 5 the tokens are all unique). */
export const MAX_NGRAMS = 5;
/** Values in one batch's widest activation (batch × maxlen × width): 256 MB of float32. */
export const MAX_BATCH_ACTIVATIONS = 2 ** 26;

/** A flag value that is invalid; `key` is the RunFlags key, `why` says what it must be. */
export class FlagError extends Error {
  constructor(
    readonly key: keyof RunFlags,
    readonly value: unknown,
    readonly why: string,
  ) {
    super(`${key} ${JSON.stringify(value)}: ${why}`);
  }
}

type Check = (v: unknown) => string | null;

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : max === Number.MAX_SAFE_INTEGER
        ? `must be an integer of at least ${min}`
        : `must be an integer from ${min} to ${max}`;
const positiveNumber: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a positive number';
const fraction: Check = (v) =>
  typeof v === 'number' && v >= 0 && v < 1 ? null : 'must be a number in [0, 1)';
const oneOf =
  (choices: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && choices.includes(v) ? null : `must be one of: ${choices.join(', ')}`;
const path: Check = (v) =>
  typeof v === 'string' && v !== '' && !v.includes('\0') ? null : 'must be a file path';
const column: Check = (v) =>
  typeof v === 'string' && v !== '' && v.length <= 1000 ? null : 'must be a column name';
const yes: Check = (v) => (v === true ? null : 'must be true when set');

const RULES: { [K in keyof RunFlags]-?: { check: Check; required: boolean } } = {
  architecture: { check: oneOf(ARCHITECTURES), required: true },
  numWords: { check: int(INDEX_FROM + 1), required: true },
  maxlen: { check: int(1, MAX_MAXLEN), required: true },
  embeddingDim: { check: int(1), required: true },
  units: { check: int(1), required: true },
  filters: { check: int(1), required: true },
  kernelSize: { check: int(1), required: true },
  optimizer: { check: oneOf(OPTIMIZER_NAMES), required: true },
  learningRate: { check: positiveNumber, required: true },
  clipnorm: { check: positiveNumber, required: false },
  lazyEmbeddings: { check: yes, required: false },
  batchSize: { check: int(1), required: true },
  validationSplit: { check: fraction, required: true },
  epochs: { check: int(1), required: true },
  seed: { check: int(0), required: true },
  data: { check: path, required: false },
  format: { check: oneOf(DATA_FORMATS), required: false },
  textColumn: { check: column, required: false },
  labelColumn: { check: column, required: false },
  label: { check: oneOf(IMDB_LABELS), required: false },
  ngrams: { check: int(1, MAX_NGRAMS), required: false },
  testSplit: { check: fraction, required: false },
  multiclass: { check: yes, required: false },
  skipBadRows: { check: yes, required: false },
  limit: { check: int(1), required: false },
  earlyStopping: { check: int(1), required: false },
  checkpoint: { check: yes, required: false },
  csv: { check: path, required: false },
  keepCheckpoint: { check: yes, required: false },
};

export const RUN_FLAG_KEYS = Object.keys(RULES) as (keyof RunFlags)[];

/**
 * Checks every flag and how they combine; returns them typed, or throws a FlagError naming the
 * first bad one. Unknown keys are refused (a checkpoint holds only what `runFlags` wrote).
 */
export function validateRunFlags(flags: Record<string, unknown>): RunFlags {
  for (const key of Object.keys(flags)) {
    if (!Object.hasOwn(RULES, key))
      throw new FlagError(key as keyof RunFlags, flags[key], 'is not a gated train flag');
  }
  for (const key of RUN_FLAG_KEYS) {
    const value = flags[key];
    if (value === undefined) {
      if (RULES[key].required) throw new FlagError(key, value, 'is required');
      continue;
    }
    const why = RULES[key].check(value);
    if (why !== null) throw new FlagError(key, value, why);
  }
  const f = flags as unknown as RunFlags;
  if (f.earlyStopping !== undefined && f.validationSplit === 0)
    throw new FlagError(
      'earlyStopping',
      f.earlyStopping,
      'watches val_loss: it needs a validation split > 0',
    );
  if (f.lazyEmbeddings && f.optimizer !== 'adam')
    throw new FlagError('lazyEmbeddings', true, `is an Adam option, not ${f.optimizer}'s`);
  const widest = widestKernel(f.architecture, f.kernelSize);
  if (widest > f.maxlen)
    throw f.architecture === 'cnn'
      ? new FlagError('kernelSize', f.kernelSize, `must not exceed maxlen (${f.maxlen})`)
      : new FlagError(
          'maxlen',
          f.maxlen,
          `must be at least ${widest}, the widest kernel of ${f.architecture}`,
        );
  checkSizes(f);
  return f;
}

/** The model and one batch's activations must fit the limits: refused here, never allocated. */
function checkSizes(f: RunFlags): void {
  const params = sentimentParamCount(f);
  if (params > MAX_PARAMETERS) {
    const [key, hint] = biggestFactor(f);
    throw new FlagError(
      key,
      f[key],
      `the model would have ${params.toLocaleString('en-US')} parameters, more than gated's limit of ${MAX_PARAMETERS.toLocaleString('en-US')} (${hint})`,
    );
  }
  const width = Math.max(f.embeddingDim, activationWidth(f.architecture, f.units, f.filters));
  const values = f.batchSize * f.maxlen * width;
  if (values > MAX_BATCH_ACTIVATIONS)
    throw new FlagError(
      'batchSize',
      f.batchSize,
      `a batch would hold ${values.toLocaleString('en-US')} activation values (batch × maxlen × width), more than the limit of ${MAX_BATCH_ACTIVATIONS.toLocaleString('en-US')}`,
    );
}

/** The widest per-step activation of the encoder (gate pre-activations, or the CNN's filters). */
function activationWidth(architecture: Architecture, units: number, filters: number): number {
  const gates = {
    lstm: 4,
    gru: 3,
    rnn: 1,
    bilstm: 8,
    cnn: 0,
    'cnn-multi': 0,
    fasttext: 0,
    nbsvm: 0,
  }[architecture];
  if (architecture === 'cnn-multi') return MULTI_WIDTHS.length * filters;
  return architecture === 'cnn' ? filters : gates * units;
}

/** The flag that contributes most to the parameter count, to name in the error. */
function biggestFactor(f: RunFlags): [keyof RunFlags, string] {
  if (f.architecture === 'nbsvm') return ['numWords', 'lower --num-words'];
  const embedding = f.numWords * f.embeddingDim;
  if (embedding * 2 >= sentimentParamCount(f))
    return f.numWords >= f.embeddingDim
      ? ['numWords', 'lower --num-words or --embedding-dim']
      : ['embeddingDim', 'lower --embedding-dim or --num-words'];
  return isConvolutional(f.architecture)
    ? ['filters', 'lower --filters or --kernel-size']
    : ['units', 'lower --units'];
}
