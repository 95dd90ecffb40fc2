import { randomBytes } from 'node:crypto';
import { readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { link, lstat, mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { CHECKPOINT_FILE } from '../io/checkpoint.js';
import { MODEL_FILE, WEIGHTS_FILE } from '../io/model-dir.js';
import { describeFsError } from '../io/regular-file.js';
import { REPORT_FILE } from './report.js';
import { EVALUATION_FILE, HISTORY_FILE } from './report-files.js';

import { LABELS_FILE } from '../classify/task.js';
import { VECTORIZER_FILE, VOCAB_FILE } from '../text/vectorizer.js';

export { VOCAB_FILE };
/**
 * A run directory as `gated train` owns it: one run at a time (a lock file holding the pid),
 * never trained over by accident (an existing run needs --resume or --overwrite), no temp file
 * left behind by a kill, and no output path that leaves it.
 */

/** Where --checkpoint keeps the model of the lowest val_loss. */
export const BEST_DIR = 'best';
export const LOCK_FILE = '.gated-train.lock';
/** The files of a run that describe its model: what the web page may read. */
export const MODEL_RUN_FILES = [
  MODEL_FILE,
  WEIGHTS_FILE,
  VOCAB_FILE,
  VECTORIZER_FILE,
  LABELS_FILE,
  HISTORY_FILE,
] as const;
/** Everything a run writes into its directory (the CSV aside, which the flags name). */
const RUN_ENTRIES = [...MODEL_RUN_FILES, EVALUATION_FILE, CHECKPOINT_FILE, REPORT_FILE, BEST_DIR];
/** writeFileAtomic's temp files: `.<name>.<12 hex>.tmp`. */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** A problem with the run directory the user can fix; the message names it. */
export class RunDirError extends Error {}

/**
 * Takes the run's lock, creating the directory. A lock whose process is gone (a kill -9) is
 * taken over; a live one is refused. Returns the release function (also run at process exit).
 */
export async function lockRunDir(dir: string, flag: string): Promise<() => void> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new RunDirError(`${flag} ${dir}: cannot create it (${describeFsError(error)})`);
  }
  const lock = join(dir, LOCK_FILE);
  const mine = join(dir, `.gated-train.${process.pid}.${randomBytes(6).toString('hex')}.lock`);
  try {
    await writeFile(mine, `${process.pid}\n`);
  } catch (error) {
    throw new RunDirError(`${flag} ${dir}: cannot write into it (${describeFsError(error)})`);
  }
  try {
    // link() fails if the lock exists: two runs can never both succeed.
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const holder = await lockHolder(lock);
      if (holder !== null && holder !== process.pid && isAlive(holder))
        throw new RunDirError(
          `${flag} ${dir}: another gated train (pid ${holder}) is using this run directory`,
        );
      await rm(lock, { force: true }); // stale: its process is gone
    }
  } catch (error) {
    if (error instanceof RunDirError) throw error;
    throw new RunDirError(`${flag} ${dir}: cannot lock it (${describeFsError(error)})`);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      // Only our own lock: a later run may have taken over a lock we lost.
      if (Number(readFileSync(lock, 'utf8').trim()) === process.pid) unlinkSync(lock);
    } catch {
      // Best effort: a stale lock is taken over by the next run anyway.
    }
    // A run that failed before writing anything leaves no empty directories behind.
    for (let d = resolve(dir); created !== undefined; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty: the run wrote something
      }
      if (d === resolve(created)) break;
    }
  };
  process.on('exit', release);
  return release;
}

async function lockHolder(lock: string): Promise<number | null> {
  const text = await readFile(lock, 'utf8').catch(() => null);
  const pid = Number(text?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Before a fresh run: an existing run in `dir` is refused unless `overwrite`, which removes
 * every file a run writes (best/ included, so nothing of the old run survives).
 */
export async function prepareFreshRun(dir: string, overwrite: boolean): Promise<void> {
  const present = [];
  for (const name of RUN_ENTRIES) if (await exists(join(dir, name))) present.push(name);
  if (present.length === 0) return;
  if (!overwrite) {
    const finished = await readFile(join(dir, HISTORY_FILE), 'utf8').then(
      (text) => /"test"\s*:/.test(text),
      () => false,
    );
    throw new RunDirError(
      finished
        ? `--out ${dir} already holds a finished run; pass --overwrite to replace it`
        : `--out ${dir} already holds a run; continue it with --resume ${dir}, or pass --overwrite to replace it`,
    );
  }
  for (const name of RUN_ENTRIES) await rm(join(dir, name), { recursive: true, force: true });
  await removeTempFiles(dir);
}

/**
 * Removes the temp files a kill during an atomic write left (in the run and in best/), and
 * refuses a best/ that is a symbolic link (writes through it would leave the run).
 */
export async function cleanRunForResume(dir: string): Promise<void> {
  const best = join(dir, BEST_DIR);
  const info = await lstat(best).catch(() => null);
  if (info?.isSymbolicLink())
    throw new RunDirError(`${best}: is a symbolic link; a run's best/ must be a directory in it`);
  await removeTempFiles(dir);
}

async function removeTempFiles(dir: string): Promise<void> {
  for (const folder of [dir, join(dir, BEST_DIR)]) {
    const names = await readdir(folder).catch(() => []);
    for (const name of names)
      if (TEMP_FILE.test(name)) await rm(join(folder, name), { force: true });
  }
}

/**
 * An output file named by a flag (e.g. --csv) as a path relative to the run directory, which it
 * may not leave: relative paths are taken in the run, absolute ones must point into it; no `..`,
 * no run file's name, and no symbolic link on the way (checked on what exists now).
 */
export async function runRelativePath(dir: string, path: string, flag: string): Promise<string> {
  const inRun = normalize(isAbsolute(path) ? relative(resolve(dir), path) : path);
  const parts = inRun.split(sep);
  if (inRun === '.' || isAbsolute(inRun) || parts.includes('..'))
    throw new RunDirError(`${flag} ${path}: must name a file inside the run directory ${dir}`);
  if (RUN_ENTRIES.includes(parts[0]) || parts[0] === LOCK_FILE)
    throw new RunDirError(`${flag} ${path}: would overwrite the run's own ${parts[0]}`);
  for (let i = 1; i <= parts.length; i++) {
    const info = await lstat(join(dir, ...parts.slice(0, i))).catch(() => null);
    if (info === null) break;
    if (info.isSymbolicLink())
      throw new RunDirError(
        `${flag} ${path}: ${join(dir, ...parts.slice(0, i))} is a symbolic link; the file must stay inside the run directory`,
      );
  }
  return inRun;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
