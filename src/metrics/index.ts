import type { Tensor } from '../tensor/tensor.js';

/**
 * A metric in the form that accumulates exactly over batches of any size: compute() returns the
 * SUM over the batch's samples of each sample's value (for accuracy: how many are right), so the
 * training loop adds these up and divides by the number of samples seen (Keras's mean metric).
 * A sample with several outputs (a sequence, multi-label) counts the mean over its values.
 */
export interface Metric {
  /** Keras name, the key in logs and history ('accuracy', …). */
  readonly name: string;
  compute(yPred: Tensor, yTrue: Tensor): number;
}

function shapeOf(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

function argmax(data: Tensor['data'], base: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (data[base + j] > data[base + best]) best = j;
  return best;
}

/**
 * Keras binary_accuracy: a value is right when (p > 0.5) equals its target. Returns the sum over
 * samples (the first axis) of each sample's fraction right.
 */
export function binaryAccuracySum(yPred: Tensor, yTrue: Tensor): number {
  if (yPred.size !== yTrue.size || yPred.size === 0) {
    throw new Error(`binary_accuracy: yPred ${shapeOf(yPred)} and yTrue ${shapeOf(yTrue)} differ`);
  }
  let correct = 0;
  for (let i = 0; i < yPred.size; i++) {
    if ((yPred.data[i] > 0.5 ? 1 : 0) === yTrue.data[i]) correct++;
  }
  return (correct * yPred.shape[0]) / yPred.size;
}

/**
 * Keras categorical_accuracy: a row is right when the argmax over the last axis (first maximum
 * on ties) matches the target's. A target with one value per row is read as class ids
 * (sparse_categorical_accuracy). Returns the sum over samples of each sample's fraction right.
 */
export function categoricalAccuracySum(yPred: Tensor, yTrue: Tensor): number {
  const classes = yPred.shape[yPred.shape.length - 1];
  const rows = yPred.size / classes;
  const sparse = yTrue.size === rows && classes > 1;
  if ((!sparse && yTrue.size !== yPred.size) || rows === 0) {
    throw new Error(
      `categorical_accuracy: yPred ${shapeOf(yPred)} and yTrue ${shapeOf(yTrue)} do not match`,
    );
  }
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const target = sparse ? yTrue.data[r] : argmax(yTrue.data, r * classes, classes);
    if (argmax(yPred.data, r * classes, classes) === target) correct++;
  }
  return (correct * yPred.shape[0]) / rows;
}

/**
 * Keras's 'accuracy' string, resolved as Keras does from the shapes: binary when the output has
 * one unit, sparse categorical when the target has one value per row, else categorical.
 */
function accuracySum(yPred: Tensor, yTrue: Tensor): number {
  const units = yPred.shape[yPred.shape.length - 1];
  return units === 1 ? binaryAccuracySum(yPred, yTrue) : categoricalAccuracySum(yPred, yTrue);
}

const METRICS: Record<string, Metric['compute']> = {
  accuracy: accuracySum,
  acc: accuracySum,
  binary_accuracy: binaryAccuracySum,
  categorical_accuracy: categoricalAccuracySum,
  // categoricalAccuracySum reads one value per row as a class id.
  sparse_categorical_accuracy: categoricalAccuracySum,
};

export const METRIC_NAMES: readonly string[] = Object.keys(METRICS);

/** The metric for a Keras name ('accuracy', 'binary_accuracy', 'categorical_accuracy'). */
export function getMetric(name: string): Metric {
  const compute = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
  if (!compute) {
    throw new Error(`unknown metric '${name}' (valid: ${METRIC_NAMES.join(', ')})`);
  }
  return { name, compute };
}
