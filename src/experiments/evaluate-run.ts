/**
 * `gated evaluate`: a saved classifier on the test split of the data it was trained on (or
 * another path in the same format), with loss, accuracy, the per-class report and the confusion
 * matrix.
 */
import { TextClassifier } from '../classify/text-classifier.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { ensembleOf, loadEnsembleMembers } from '../io/ensemble-dir.js';
import { isEnsembleDir, loadModel } from '../io/model-dir.js';
import { meanOutput } from '../classify/ensemble.js';
import { outputSpec } from '../classify/task.js';
import type { LabelledSplit } from '../data/text-dataset.js';
import { getLoss } from '../losses/index.js';
import { getMetric } from '../metrics/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { ClassificationReport } from '../metrics/classification-report.js';
import { EVALUATION_FILE, HISTORY_FILE, writeRunReport } from './report-files.js';
import { outputReport, testReport } from './test-report.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Logs } from '../models/callbacks.js';
import { prepareData, type DataOptions, type PreparedData } from './train-data.js';
import { splitTensors } from './train-run.js';
import type { TextVectorization } from '../text/text-vectorization.js';

export interface Evaluation {
  loss: number;
  /** The model's metric (accuracy, or binary_accuracy for multi-label) and its value. */
  metrics: Logs;
  report: ClassificationReport;
  count: number;
  source: string;
}

/** The saved flags that say how the data was read and split. */
const DATA_FLAGS = [
  'data',
  'format',
  'textColumn',
  'labelColumn',
  'label',
  'numWords',
  'maxlen',
  'ngrams',
  'testSplit',
  'validationSplit',
  'seed',
  'multiclass',
  'skipBadRows',
  'limit',
] as const;

export interface EvaluateOptions {
  data?: string;
  /** Only this many test texts (IMDB: balanced), for quick checks. */
  limit?: number;
  batchSize: number;
  backend?: Backend;
  onProgress?: (msg: string) => void;
}

/** A saved model, or an ensemble of them, on its test split. */
export async function evaluateRun(dir: string, o: EvaluateOptions): Promise<Evaluation> {
  if (await isEnsembleDir(dir)) return evaluateEnsemble(dir, o);
  const { model, training } = await loadModel(dir, o.backend);
  const classifier = new TextClassifier(model, dir);
  const { data, test } = await testSplitFor(dir, classifier, training, o);
  const metrics = model.evaluate(test.x, test.y, { batchSize: o.batchSize });
  const report = testReport(model, classifier.labels, data.test, test.x, o.batchSize);
  return finish(dir, {
    loss: metrics.loss,
    metrics,
    report,
    count: data.test.count,
    source: data.source,
  });
}

/**
 * An ensemble on the test split: each member encodes the test texts with its own vectorizer
 * (read as its training flags say), and the mean of their outputs is scored. The members must
 * read the same test split in the same order (the bag models read IMDB as rows, in another order
 * than the keras.datasets.imdb-id models: such a mix is refused, not misaligned).
 */
async function evaluateEnsemble(dir: string, o: EvaluateOptions): Promise<Evaluation> {
  const members = await loadEnsembleMembers(dir, o.backend);
  const { labels } = ensembleOf(dir, members);
  const outputs: Tensor[] = [];
  let first: { split: LabelledSplit; y: Tensor; source: string } | null = null;
  for (const m of members) {
    const { data, test } = await testSplitFor(m.dir, m.classifier, m.training, o);
    outputs.push(m.classifier.model.predict(test.x, { batchSize: o.batchSize }));
    if (first === null) first = { split: data.test, y: test.y, source: data.source };
    else if (!sameTargets(first.split, data.test))
      throw new Error(
        `${m.dir} reads its test split differently from ${members[0].dir} (${data.source}: other labels, or the same reviews in another order, as the bag models and the keras.datasets.imdb-id models order IMDB): evaluate the members one by one; predict and serve take the ensemble as it is`,
      );
  }
  const { split, y, source } = first!;
  const mean = meanOutput(outputs);
  const spec = outputSpec(labels);
  const loss = getLoss(spec.loss).compute(
    mean,
    y,
    new Tensor(new Float32Array(mean.size), mean.shape),
  );
  const metrics: Logs = {
    loss,
    [spec.metric]: getMetric(spec.metric).compute(mean, y) / split.count,
  };
  const report = outputReport(labels, split, mean);
  return finish(dir, { loss, metrics, report, count: split.count, source });
}

function sameTargets(a: LabelledSplit, b: LabelledSplit): boolean {
  return a.count === b.count && a.y.length === b.y.length && a.y.every((v, i) => v === b.y[i]);
}

/** Writes evaluation.json (and report.html for a run with a history) into dir. */
async function finish(dir: string, evaluation: Evaluation): Promise<Evaluation> {
  // report.html shows the latest evaluation (a run directory without history.json is left alone).
  await writeFileAtomic(join(dir, EVALUATION_FILE), JSON.stringify(evaluation.report) + '\n');
  if (existsSync(join(dir, HISTORY_FILE))) await writeRunReport(dir);
  return evaluation;
}

/** The test split of the data a model was trained on, encoded with its vectorizer. */
async function testSplitFor(
  dir: string,
  classifier: TextClassifier,
  training: Record<string, unknown>,
  o: EvaluateOptions,
): Promise<{ data: PreparedData; test: { x: Tensor; y: Tensor } }> {
  const saved: Record<string, unknown> = {};
  for (const key of DATA_FLAGS) if (training[key] !== undefined) saved[key] = training[key];
  if (o.data !== undefined) saved.data = o.data;
  if (o.limit !== undefined) saved.limit = o.limit;
  // A bag model's data is read as its vectorizer says (output mode, n-grams).
  const vectorizer = classifier.vectorizer;
  const bag =
    'vectorization' in vectorizer ? (vectorizer.vectorization as TextVectorization).config : null;
  const dataOptions = {
    numWords: vectorizer.vocabularySize,
    maxlen: vectorizer.sequenceLength,
    validationSplit: 0,
    seed: 1,
    ...saved,
    ...(bag && bag.outputMode !== 'int' ? { outputMode: bag.outputMode, ngrams: bag.ngrams } : {}),
  } as DataOptions;
  const data = await prepareData(dataOptions, o.onProgress ?? (() => undefined));
  if (JSON.stringify(data.vectorizer.toJSON()) !== JSON.stringify(classifier.vectorizer.toJSON()))
    throw new Error(
      `the data at ${data.source} does not give the vocabulary this model was trained with (${dir}/${classifier.vectorizer.fileName})`,
    );
  if (data.labels.classNames.join('\0') !== classifier.classNames.join('\0'))
    throw new Error(
      `the data at ${data.source} has the classes ${data.labels.classNames.join(', ')}; the model has ${classifier.classNames.join(', ')}`,
    );
  return { data, test: splitTensors(data.test) };
}
