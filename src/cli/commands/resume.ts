import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHECKPOINT_FILE, readCheckpoint, type Checkpoint } from '../../io/checkpoint.js';
import { MODEL_FILE, ModelFileError } from '../../io/model-dir.js';
import type { RunFlags } from '../../experiments/train-run.js';

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
  batchSize: 'batchSize',
  validationSplit: 'validationSplit',
  epochs: 'epochs',
  seed: 'seed',
  data: 'data',
  limit: 'limit',
  earlyStopping: 'earlyStopping',
  checkpoint: 'checkpoint',
  csv: 'csv',
  keepCheckpoint: 'keepCheckpoint',
} as const satisfies Record<string, keyof RunFlags>;

/** Flags a resumed run may change: more epochs extend it; keeping the checkpoint changes no number. */
const FREE_ON_RESUME = new Set(['epochs', 'keepCheckpoint']);

/** The run flags from parsed `gated train` options. */
export function flagsFromOptions(o: Record<string, unknown>): RunFlags {
  const flags: Record<string, unknown> = {};
  for (const [attr, key] of Object.entries(FLAG_KEYS))
    if (o[attr] !== undefined) flags[key] = o[attr];
  return flags as unknown as RunFlags;
}

/**
 * The flags of the run in `dir` and its checkpoint. Flags given again on the command line must
 * agree with the saved ones, except --epochs, which may extend the run.
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
  const given = command.opts();
  const flags: Record<string, unknown> = { ...saved };
  for (const [attr, key] of Object.entries(FLAG_KEYS)) {
    const value = given[attr];
    const kept = saved[key];
    if (value !== undefined && kept !== undefined && typeof kept !== typeof value)
      throw new ModelFileError(`${path}: flag ${key} has the wrong type (${JSON.stringify(kept)})`);
    if (command.getOptionValueSource(attr) !== 'cli') continue;
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

/** Paths compare resolved, as the checkpoint stores them. */
function comparable(key: string, value: unknown): unknown {
  return (key === 'data' || key === 'csv') && typeof value === 'string' ? resolve(value) : value;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A path as a POSIX shell reads it back. */
export function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
