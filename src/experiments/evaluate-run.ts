/**
 * `gated evaluate`: a saved classifier on the test split of the data it was trained on (or
 * another path in the same format), with loss, accuracy, the per-class report and the confusion
 * matrix.
 */
import { TextClassifier } from '../classify/text-classifier.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { loadModel } from '../io/model-dir.js';
import type { ClassificationReport } from '../metrics/classification-report.js';
import { EVALUATION_FILE, HISTORY_FILE, writeRunReport } from './report-files.js';
import { testReport } from './test-report.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Logs } from '../models/callbacks.js';
import { prepareData, type DataOptions } from './train-data.js';
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

export async function evaluateRun(
  dir: string,
  o: {
    data?: string;
    /** Only this many test texts (IMDB: balanced), for quick checks. */
    limit?: number;
    batchSize: number;
    backend?: Backend;
    onProgress?: (msg: string) => void;
  },
): Promise<Evaluation> {
  const { model, training } = await loadModel(dir, o.backend);
  const classifier = new TextClassifier(model, dir);
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
  const test = splitTensors(data.test);
  const metrics = model.evaluate(test.x, test.y, { batchSize: o.batchSize });
  const report = testReport(model, classifier.labels, data.test, test.x, o.batchSize);
  // report.html shows the latest evaluation (a run directory without history.json is left alone).
  await writeFileAtomic(join(dir, EVALUATION_FILE), JSON.stringify(report) + '\n');
  if (existsSync(join(dir, HISTORY_FILE))) await writeRunReport(dir);
  return { loss: metrics.loss, metrics, report, count: data.test.count, source: data.source };
}
