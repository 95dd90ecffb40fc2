/**
 * A labelled text dataset from any row source, as padded id matrices and targets, with the
 * TextVectorization adapted on its training split only.
 *
 * Two passes over the source, so nothing grows with the file but what training needs:
 *   1. labels (class names, multi-label or not, the split a row belongs to): a few ints per row;
 *   2. text: each row's tokens are counted (training rows only) and the ids of the part that
 *      survives truncation are kept in one Int32Array pool. Ids are provisional (first seen
 *      order) until the counts are complete; then they are mapped to the vocabulary's ids.
 */
import { inferTask, makeLabelSet, MAX_CLASSES, type LabelSet } from '../classify/task.js';
import { Rng } from '../random/rng.js';
import {
  OOV_ID,
  textTokens,
  TextVectorization,
  type TextVectorizationConfig,
} from '../text/text-vectorization.js';
import { DataError } from './errors.js';
import { GrowableInt32 } from './growable.js';
import { isBad, type RowSource } from './rows.js';
import { orderForValidation, stratifiedSplit } from './stratify.js';

export interface TextDatasetOptions {
  /** The path, for messages. */
  describe: string;
  vectorization: TextVectorizationConfig;
  /** Held out as the test split (stratified) when the source has no test split of its own. */
  testSplit: number;
  /** Fraction of the training rows placed last, stratified, for fit's validationSplit. */
  validationSplit: number;
  seed: number;
  /** Two classes make a binary task unless this asks for a 2-way softmax. */
  multiclass?: boolean;
  /** Count and skip bad rows instead of stopping at the first. */
  skipBadRows?: boolean;
  onProgress?: (message: string) => void;
}

/** One split: ids [count, length] row-major, targets [count, yWidth]. */
export interface LabelledSplit {
  x: Int32Array;
  /** Class ids (binary, multi-class: yWidth 1) or multi-hot rows (multi-label: yWidth K). */
  y: Float32Array;
  yWidth: number;
  /** The true token count of each row, before padding or truncation. */
  lengths: Int32Array;
  /** The first class of each row (its only class unless multi-label; -1 for none). */
  classIds: Int32Array;
  count: number;
  length: number;
}

export interface TextDataset {
  train: LabelledSplit;
  test: LabelledSplit;
  vectorization: TextVectorization;
  labels: LabelSet;
  /** Bad rows skipped (with skipBadRows). */
  skipped: number;
  /** True when the test split came from the source (train/ and test/ folders). */
  sourceTestSplit: boolean;
}

const PROGRESS_EVERY = 100000;

export async function loadTextDataset(
  source: RowSource,
  o: TextDatasetOptions,
): Promise<TextDataset> {
  const pass1 = await readLabels(source, o);
  const { classNames, multiLabel, rowCount } = pass1;
  if (rowCount === 0) throw new DataError(`${o.describe}: no labelled rows (an empty dataset)`);
  if (!multiLabel && classNames.length < 2)
    throw new DataError(
      `${o.describe}: every row has the class "${classNames[0]}"; a classifier needs at least 2`,
    );
  if (classNames.length > MAX_CLASSES)
    throw new DataError(`${o.describe}: ${classNames.length} classes, more than ${MAX_CLASSES}`);
  const labels = makeLabelSet(
    inferTask(classNames.length, { multiLabel, multiclass: o.multiclass ?? false }),
    classNames,
  );
  const rng = new Rng(o.seed);
  // A multi-label row may have no label at all: it counts as class -1 for stratifying.
  const primary = (row: number): number =>
    pass1.labelStarts[row] < pass1.labelStarts[row + 1]
      ? pass1.labelPool[pass1.labelStarts[row]]
      : -1;
  const { train: trainRows, test: testRows } = splitRows(pass1, primary, o, rng);
  const isTest = new Uint8Array(rowCount);
  for (const row of testRows) isTest[row] = 1;

  const pass2 = await readTokens(source, o, isTest, rowCount);
  const vectorization = TextVectorization.fromCounts(pass2.trainCounts, o.vectorization, {
    counts: pass2.trainDocumentCounts,
    documents: rowCount - testRows.length,
  });
  const idOfProvisional = Int32Array.from(pass2.tokens, (t) => vectorization.tokenId(t));
  const build = (rows: Int32Array): LabelledSplit =>
    buildSplit(rows, pass1, pass2, idOfProvisional, labels, vectorization);
  const trainOrder =
    o.validationSplit > 0
      ? orderForValidation(trainRows, primary, o.validationSplit, rng)
      : trainRows;
  return {
    train: build(trainOrder),
    test: build(testRows),
    vectorization,
    labels,
    skipped: pass1.skipped,
    sourceTestSplit: pass1.hasSourceSplit,
  };
}

interface LabelPass {
  classNames: string[];
  multiLabel: boolean;
  rowCount: number;
  /** Row r's class ids are labelPool[labelStarts[r] .. labelStarts[r + 1]]. */
  labelPool: Int32Array;
  labelStarts: Int32Array;
  /** 0 none, 1 train, 2 test. */
  sourceSplit: Uint8Array;
  hasSourceSplit: boolean;
  skipped: number;
}

async function readLabels(source: RowSource, o: TextDatasetOptions): Promise<LabelPass> {
  const provisional = new Map<string, number>();
  const pool = new GrowableInt32();
  const starts = new GrowableInt32();
  const splits = new GrowableInt32();
  let multiLabel = false;
  let skipped = 0;
  starts.push(0);
  for await (const item of source()) {
    if (isBad(item)) {
      if (!o.skipBadRows) throw new DataError(`${item.bad} (--skip-bad-rows skips such rows)`);
      skipped++;
      continue;
    }
    if (item.multiLabel || item.labels.length > 1) multiLabel = true;
    for (const label of item.labels) {
      let id = provisional.get(label);
      if (id === undefined) provisional.set(label, (id = provisional.size));
      pool.push(id);
    }
    starts.push(pool.length);
    splits.push(item.split === 'train' ? 1 : item.split === 'test' ? 2 : 0);
    if ((starts.length - 1) % PROGRESS_EVERY === 0)
      o.onProgress?.(`read the labels of ${starts.length - 1} rows`);
  }
  const classNames = sortClassNames([...provisional.keys()]);
  const finalId = new Int32Array(provisional.size);
  classNames.forEach((name, id) => (finalId[provisional.get(name)!] = id));
  const labelPool = pool.view().map((p) => finalId[p]);
  const sourceSplit = Uint8Array.from(splits.view());
  return {
    classNames,
    multiLabel,
    rowCount: starts.length - 1,
    labelPool,
    labelStarts: starts.view().slice(),
    sourceSplit,
    hasSourceSplit: sourceSplit.some((s) => s === 2),
    skipped,
  };
}

/** Names in code-unit order, or by value when every name is an integer ("2" before "10"). */
function sortClassNames(names: string[]): string[] {
  if (names.every((n) => /^-?\d+$/.test(n))) return names.sort((a, b) => Number(a) - Number(b));
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function splitRows(
  pass: LabelPass,
  primary: (row: number) => number,
  o: TextDatasetOptions,
  rng: Rng,
): { train: Int32Array; test: Int32Array } {
  const all = Int32Array.from({ length: pass.rowCount }, (_, i) => i);
  if (pass.hasSourceSplit) {
    return {
      train: all.filter((r) => pass.sourceSplit[r] !== 2),
      test: all.filter((r) => pass.sourceSplit[r] === 2),
    };
  }
  const heldCount = Math.round(pass.rowCount * o.testSplit);
  if (heldCount < 1 || heldCount >= pass.rowCount)
    throw new DataError(
      `${o.describe}: a test split of ${o.testSplit} of ${pass.rowCount} rows leaves no test or no training rows`,
    );
  const { kept, held } = stratifiedSplit(all, primary, heldCount, rng);
  return { train: kept, test: held };
}

interface TokenPass {
  /** Tokens by provisional id (first-seen order). */
  tokens: string[];
  trainCounts: Map<string, number>;
  /** Training rows holding each token (for 'tf_idf'; empty in other modes). */
  trainDocumentCounts: Map<string, number>;
  /** Row r's kept ids are pool[starts[r] .. starts[r + 1]], provisional. */
  pool: Int32Array;
  starts: Int32Array;
  /** Row r's token count before truncation. */
  tokenCounts: Int32Array;
}

async function readTokens(
  source: RowSource,
  o: TextDatasetOptions,
  isTest: Uint8Array,
  rowCount: number,
): Promise<TokenPass> {
  const { outputSequenceLength, truncating, outputMode = 'int' } = o.vectorization;
  // A bag keeps every token (bagInto decides what a long text loses); a sequence its window.
  const length = outputMode === 'int' ? outputSequenceLength : Infinity;
  const documentCounts = outputMode === 'tf_idf' ? new Map<number, number>() : null;
  const provisional = new Map<string, number>();
  const counts: number[] = [];
  const pool = new GrowableInt32(1 << 16);
  const starts = new GrowableInt32();
  const tokenCounts = new GrowableInt32();
  starts.push(0);
  let row = 0;
  for await (const item of source()) {
    if (isBad(item)) continue;
    if (row >= rowCount) break;
    const tokens = textTokens(item.text, o.vectorization);
    const train = isTest[row] === 0;
    const keepFrom = truncating === 'pre' ? Math.max(0, tokens.length - length) : 0;
    const keepTo = Math.min(tokens.length, keepFrom + length);
    for (let t = 0; t < tokens.length; t++) {
      let id = provisional.get(tokens[t]);
      if (id === undefined) {
        provisional.set(tokens[t], (id = counts.length));
        counts.push(0);
      }
      if (train) counts[id]++;
      if (t >= keepFrom && t < keepTo) pool.push(id);
    }
    if (train && documentCounts !== null) {
      for (const id of new Set(pool.view().subarray(starts.view()[row])))
        documentCounts.set(id, (documentCounts.get(id) ?? 0) + 1);
    }
    starts.push(pool.length);
    tokenCounts.push(tokens.length);
    row++;
    if (row % PROGRESS_EVERY === 0) o.onProgress?.(`read the text of ${row} rows`);
  }
  if (row !== rowCount)
    throw new DataError(`${o.describe}: changed while it was read (${rowCount} rows, then ${row})`);
  const trainCounts = new Map<string, number>();
  const tokens = [...provisional.keys()];
  tokens.forEach((token, id) => counts[id] > 0 && trainCounts.set(token, counts[id]));
  const trainDocumentCounts = new Map<string, number>();
  for (const [id, n] of documentCounts ?? []) trainDocumentCounts.set(tokens[id], n);
  return {
    tokens,
    trainCounts,
    trainDocumentCounts,
    pool: pool.view(),
    starts: starts.view(),
    tokenCounts: tokenCounts.view(),
  };
}

function buildSplit(
  rows: Int32Array,
  labelPass: LabelPass,
  tokenPass: TokenPass,
  idOfProvisional: Int32Array,
  labels: LabelSet,
  vectorization: TextVectorization,
): LabelledSplit {
  const length = vectorization.sequenceLength;
  const count = rows.length;
  const yWidth = labels.task === 'multilabel' ? labels.classNames.length : 1;
  const split: LabelledSplit = {
    x: new Int32Array(count * length),
    y: new Float32Array(count * yWidth),
    yWidth,
    lengths: Int32Array.from(rows, (row) => tokenPass.tokenCounts[row]),
    classIds: new Int32Array(count),
    count,
    length,
  };
  const { pool, starts } = tokenPass;
  const { labelPool, labelStarts } = labelPass;
  const primary = (row: number): number =>
    labelStarts[row] < labelStarts[row + 1] ? labelPool[labelStarts[row]] : -1;
  rows.forEach((row, i) => {
    const ids = Int32Array.from(
      pool.subarray(starts[row], starts[row + 1]),
      (p) => idOfProvisional[p] ?? OOV_ID,
    );
    vectorization.encodeInto(ids, split.x, i * length);
    split.classIds[i] = primary(row);
    if (yWidth === 1) split.y[i] = primary(row);
    else
      for (let l = labelStarts[row]; l < labelStarts[row + 1]; l++)
        split.y[i * yWidth + labelPool[l]] = 1;
  });
  return split;
}
