import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHECKPOINT_FILE, readCheckpoint, type Checkpoint } from '../../io/checkpoint.js';
import { MODEL_FILE, ModelFileError } from '../../io/model-dir.js';
import type { RunFlags } from '../../experiments/train-run.js';
import { FlagError, validateRunFlags } from '../../experiments/run-flags.js';
import { BACKEND_NAMES } from '../../backend/registry.js';

/** `gated train` option (commander's attribute name) → the run flag it sets. */
export const FLAG_KEYS = {
  model: 'architecture',
  numWords: 'numWords',
  maxlen: 'maxlen',
  embeddingDim: 'embeddingDim',
  units: 'units',
  filters: 'filters',
  kernelSize: 'kernelSize',
  optimizer: 'optimizer',
  lr: 'learningRate',
  clipnorm: 'clipnorm',
  lazyEmbeddings: 'lazyEmbeddings',
  batchSize: 'batchSize',
  validationSplit: 'validationSplit',
  epochs: 'epochs',
  seed: 'seed',
  data: 'data',
  format: 'format',
  textColumn: 'textColumn',
  labelColumn: 'labelColumn',
  label: 'label',
  ngrams: 'ngrams',
  testSplit: 'testSplit',
  multiclass: 'multiclass',
  skipBadRows: 'skipBadRows',
  limit: 'limit',
  earlyStopping: 'earlyStopping',
  checkpoint: 'checkpoint',
  csv: 'csv',
  keepCheckpoint: 'keepCheckpoint',
} as const satisfies Record<string, keyof RunFlags>;

/** Flags a resumed run may change: more epochs extend it; keeping the checkpoint changes no number. */
const FREE_ON_RESUME = new Set(['epochs', 'keepCheckpoint']);

/** The run flags parsed options set, unchecked (compare adds the architecture per model). */
export function optionFlags(o: Record<string, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (const [attr, key] of Object.entries(FLAG_KEYS))
    if (o[attr] !== undefined) flags[key] = o[attr];
  return flags;
}

/** The run flags from parsed `gated train` options, checked as a whole. */
export function flagsFromOptions(o: Record<string, unknown>): RunFlags {
  return validateRunFlags(optionFlags(o));
}

/** A FlagError as the CLI says it: the flag as typed, its value, what is wrong. */
export function flagMessage(err: FlagError): string {
  const attr = Object.keys(FLAG_KEYS).find(
    (a) => FLAG_KEYS[a as keyof typeof FLAG_KEYS] === err.key,
  );
  return `--${kebab(attr ?? err.key)} ${String(err.value)}: ${err.why}`;
}

/**
 * The flags of the run in `dir` and its checkpoint. The saved flags pass the same checks as the
 * command line's (a checkpoint is a file anyone may have edited); flags given again must agree
 * with them, except --epochs, which may extend the run.
 */
export async function resumeFlags(
  dir: string,
  command: Command,
): Promise<{ flags: RunFlags; backend?: string; checkpoint: Checkpoint }> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path) && existsSync(join(dir, MODEL_FILE)))
    throw new Error(
      `${path}: not there: the run finished and its checkpoint was removed (train with --keep-checkpoint to extend a run later)`,
    );
  const checkpoint = await readCheckpoint(path);
  const { backend, ...saved } = checkpoint.flags;
  const bad = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  if (backend !== undefined && !(BACKEND_NAMES as readonly unknown[]).includes(backend))
    bad(`flag backend ${JSON.stringify(backend)} must be one of: ${BACKEND_NAMES.join(', ')}`);
  const given = command.opts();
  const flags: Record<string, unknown> = { ...checkedFlags(saved, bad) };
  for (const [attr, key] of Object.entries(FLAG_KEYS)) {
    if (command.getOptionValueSource(attr) !== 'cli') continue;
    const value = given[attr];
    const kept = saved[key];
    if (FREE_ON_RESUME.has(attr)) flags[key] = value;
    else if (JSON.stringify(comparable(key, value)) !== JSON.stringify(comparable(key, kept))) {
      throw new Error(
        `--${kebab(attr)} ${String(value)} differs from the run being resumed (${kept === undefined ? 'not set' : String(kept)}); drop it to keep the saved value`,
      );
    }
  }
  const done = checkpoint.fit.epoch + (checkpoint.fit.progress ? 1 : 0);
  if (typeof flags.epochs === 'number' && flags.epochs < done)
    throw new Error(`--epochs ${flags.epochs} is fewer than the ${done} the run has begun`);
  return {
    flags: flags as unknown as RunFlags,
    ...(typeof backend === 'string' ? { backend } : {}),
    checkpoint,
  };
}

/** The checkpoint's flags through the CLI's validator; a bad one names the file. */
function checkedFlags(saved: Record<string, unknown>, bad: (why: string) => never): RunFlags {
  try {
    return validateRunFlags(saved);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    return bad(`flag ${err.key} ${JSON.stringify(err.value)?.slice(0, 80)} ${err.why}`);
  }
}

/** Paths compare as the checkpoint stores them: the data absolute, the CSV relative to the run. */
function comparable(key: string, value: unknown): unknown {
  return key === 'data' && typeof value === 'string' ? resolve(value) : value;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A path as a POSIX shell reads it back. */
export function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
