import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { loadImdb, type ImdbSplit } from '../data/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { saveModel } from '../io/model-dir.js';
import { getOptimizer } from '../optim/index.js';
import type { Callback, Logs } from '../models/callbacks.js';
import { ProgressLogger, type ProgressSink } from '../models/progbar.js';
import type { History, Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { buildSentimentModel, type Architecture } from './architectures.js';

export const VOCAB_FILE = 'vocab.json';
export const HISTORY_FILE = 'history.json';

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
  batchSize: number;
  validationSplit: number;
  epochs: number;
  seed: number;
  data?: string;
  limit?: number;
  out: string;
  backend: Backend;
}

export interface TrainRunResult {
  model: Sequential;
  history: History;
  test: Logs;
}

/** Rows of a padded id matrix and labels as the tensors a model takes. */
export function splitTensors(split: ImdbSplit): { x: Tensor; y: Tensor } {
  return {
    x: new Tensor(Float32Array.from(split.x), [split.count, split.maxlen]),
    y: new Tensor(Float32Array.from(split.y), [split.count, 1]),
  };
}

/**
 * The reference experiment end to end: IMDB → model → fit with Keras-style progress → test
 * evaluation, saving model, vocabulary and history into `out` after every epoch so a crash
 * loses at most the epoch in progress.
 */
export async function runTraining(
  o: TrainRunOptions,
  log: (line: string) => void,
  progress: ProgressSink,
): Promise<TrainRunResult> {
  const data = await loadImdb({
    numWords: o.numWords,
    maxlen: o.maxlen,
    seed: 113,
    onProgress: (msg: string) => log(msg),
    ...(o.data !== undefined ? { data: o.data } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  });
  log(`Data: ${data.train.count} train and ${data.test.count} test reviews from ${data.source}`);
  const model = buildSentimentModel({ ...o, backend: o.backend });
  model.compile({
    optimizer: getOptimizer({ name: o.optimizer, learningRate: o.learningRate }),
    loss: 'binary_crossentropy',
    metrics: ['accuracy'],
  });
  log(model.summary());
  log(`Backend: ${o.backend.name}`);

  const training = { ...o, backend: o.backend.name, dataSource: data.source };
  await writeFileAtomic(join(o.out, VOCAB_FILE), JSON.stringify(data.vocabulary.toJSON()) + '\n');
  const saveRun = async (test?: Logs): Promise<void> => {
    await saveModel(model, o.out, { training });
    const record = test ? { ...model.history, test } : model.history;
    await writeFileAtomic(join(o.out, HISTORY_FILE), JSON.stringify(record, null, 2) + '\n');
  };
  const saveEachEpoch: Callback = { onEpochEnd: () => saveRun() };

  const train = splitTensors(data.train);
  const history = await model.fit(train.x, train.y, {
    batchSize: o.batchSize,
    epochs: o.epochs,
    validationSplit: o.validationSplit,
    callbacks: [new ProgressLogger(progress), saveEachEpoch],
  });

  const test = splitTensors(data.test);
  const started = performance.now();
  const testLogs = model.evaluate(test.x, test.y, { batchSize: o.batchSize });
  log(
    `Test loss: ${testLogs.loss.toFixed(4)} - Test accuracy: ${(testLogs.accuracy ?? NaN).toFixed(4)} ` +
      `(${data.test.count} reviews, ${((performance.now() - started) / 1000).toFixed(1)}s)`,
  );
  await saveRun(testLogs);
  log(`Saved model, vocabulary and history to ${o.out}`);
  return { model, history, test: testLogs };
}
