/**
 * An ensemble directory: ensemble.json and a copy of each member model in members/1, members/2,
 * … (each an ordinary model directory, so any command that takes one model can take a member).
 * The members are re-saved from what loaded, so a directory holds only what a model needs.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { EnsembleClassifier, MAX_ENSEMBLE_MEMBERS } from '../classify/ensemble.js';
import { TextClassifier, type Classifier } from '../classify/text-classifier.js';
import { writeFileAtomic } from './atomic.js';
import {
  ENSEMBLE_FILE,
  isEnsembleDir,
  loadModel,
  ModelFileError,
  readModelText,
  saveModel,
} from './model-dir.js';

export { ENSEMBLE_FILE, isEnsembleDir };

export const ENSEMBLE_FORMAT = 'gated-ensemble';
export const ENSEMBLE_FORMAT_VERSION = 1;

export interface EnsembleJson {
  format: typeof ENSEMBLE_FORMAT;
  version: number;
  /** How member outputs combine: the mean of their probabilities. */
  combine: 'mean';
  /** Member directories, relative: always members/1 … members/N, in order. */
  members: string[];
}

/** One loaded member: its directory, classifier (model, vectorizer, labels) and training record. */
export interface EnsembleMember {
  dir: string;
  classifier: TextClassifier;
  training: Record<string, unknown>;
}

const memberDir = (i: number): string => `members/${i + 1}`;

/**
 * Checks that `dirs` are 2 to MAX_ENSEMBLE_MEMBERS model directories (no ensembles) whose
 * models share the task and classes, then writes the ensemble to `out` (which must not exist
 * or be empty): each member re-saved to out/members/i, ensemble.json last.
 */
export async function saveEnsemble(
  dirs: readonly string[],
  out: string,
  backend?: Backend,
): Promise<EnsembleClassifier> {
  if (dirs.length < 2 || dirs.length > MAX_ENSEMBLE_MEMBERS)
    throw new Error(`an ensemble needs 2 to ${MAX_ENSEMBLE_MEMBERS} models, got ${dirs.length}`);
  await checkEmptyOut(out);
  const members: EnsembleMember[] = [];
  for (const dir of dirs) {
    await checkModelDir(dir);
    const { model, training } = await loadModel(dir, backend);
    members.push({ dir, classifier: new TextClassifier(model, dir), training });
  }
  const ensemble = new EnsembleClassifier(
    members.map((m) => m.classifier),
    [...dirs],
  );
  for (const [i, m] of members.entries())
    await saveModel(m.classifier.model, join(out, memberDir(i)), { training: m.training });
  const json: EnsembleJson = {
    format: ENSEMBLE_FORMAT,
    version: ENSEMBLE_FORMAT_VERSION,
    combine: 'mean',
    members: members.map((_, i) => memberDir(i)),
  };
  await writeFileAtomic(join(out, ENSEMBLE_FILE), JSON.stringify(json, null, 2) + '\n');
  return ensemble;
}

async function checkModelDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (info === null) throw new ModelFileError(`${dir}: no such model directory`);
  if (!info.isDirectory()) throw new ModelFileError(`${dir}: not a directory`);
  if (await isEnsembleDir(dir))
    throw new ModelFileError(
      `${dir} is an ensemble: list its models (${dir}/members/…) instead of nesting ensembles`,
    );
}

async function checkEmptyOut(out: string): Promise<void> {
  const entries = await readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new ModelFileError(
      `${out}: cannot write the ensemble there (${err.code ?? err.message})`,
    );
  });
  if (entries.length > 0)
    throw new ModelFileError(`${out}: already exists and is not empty; choose a new directory`);
}

/** Reads and checks ensemble.json: the format, and members named exactly members/1 … members/N. */
export function parseEnsembleJson(text: string, path: string): EnsembleJson {
  const fail = (why: string): never => {
    throw new ModelFileError(`${path}: ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== ENSEMBLE_FORMAT)
    fail(`format is ${JSON.stringify(v.format)}, expected "${ENSEMBLE_FORMAT}"`);
  if (v.version !== ENSEMBLE_FORMAT_VERSION)
    fail(
      `version ${JSON.stringify(v.version)} is not supported (this gated reads version ${ENSEMBLE_FORMAT_VERSION})`,
    );
  if (v.combine !== 'mean') fail(`combine ${JSON.stringify(v.combine)} is not supported ("mean")`);
  const members = v.members;
  if (
    !Array.isArray(members) ||
    members.length < 2 ||
    members.length > MAX_ENSEMBLE_MEMBERS ||
    !members.every((m, i) => m === memberDir(i))
  )
    fail(`members must list 2 to ${MAX_ENSEMBLE_MEMBERS} directories "members/1", "members/2", …`);
  return v as unknown as EnsembleJson;
}

/** The members of the ensemble in `dir`, each loaded and checked as a text classifier. */
export async function loadEnsembleMembers(
  dir: string,
  backend?: Backend,
): Promise<EnsembleMember[]> {
  const where = join(dir, ENSEMBLE_FILE);
  const json = parseEnsembleJson(await readModelText(where), where);
  const members: EnsembleMember[] = [];
  for (const member of json.members) {
    const memberPath = join(dir, member);
    const { model, training } = await loadModel(memberPath, backend);
    members.push({ dir: memberPath, classifier: new TextClassifier(model, memberPath), training });
  }
  return members;
}

/** The ensemble in `dir` as one classifier (members checked to share the task and classes). */
export async function loadEnsemble(dir: string, backend?: Backend): Promise<EnsembleClassifier> {
  return ensembleOf(dir, await loadEnsembleMembers(dir, backend));
}

/** The loaded members of the ensemble in `dir` as one classifier, checked to agree. */
export function ensembleOf(dir: string, members: readonly EnsembleMember[]): EnsembleClassifier {
  try {
    return new EnsembleClassifier(
      members.map((m) => m.classifier),
      members.map((m) => m.dir),
    );
  } catch (err) {
    throw new ModelFileError(`${dir}: ${(err as Error).message}`);
  }
}

/** A model directory or an ensemble directory, as one classifier. */
export async function loadClassifier(dir: string, backend?: Backend): Promise<Classifier> {
  return (await isEnsembleDir(dir))
    ? loadEnsemble(dir, backend)
    : TextClassifier.load(dir, backend);
}
