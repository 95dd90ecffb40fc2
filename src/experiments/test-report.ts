import { predictedLabels, type LabelSet } from '../classify/task.js';
import type { LabelledSplit } from '../data/text-dataset.js';
import {
  classificationReport,
  type ClassificationReport,
  type LabelledPrediction,
} from '../metrics/classification-report.js';
import type { Sequential } from '../models/sequential.js';
import type { Tensor } from '../tensor/tensor.js';

/** The classification report of `model` on a split (x: the split's ids as a tensor). */
export function testReport(
  model: Sequential,
  labels: LabelSet,
  split: LabelledSplit,
  x: Tensor,
  batchSize: number,
): ClassificationReport {
  return outputReport(labels, split, model.predict(x, { batchSize }));
}

/** The classification report of a classifier's outputs for a split. */
export function outputReport(
  labels: LabelSet,
  split: LabelledSplit,
  output: Tensor,
): ClassificationReport {
  const rows = labelledPredictions(labels, split, output);
  return classificationReport(rows, labels.classNames, labels.task === 'multilabel');
}

/** 1 where a row's predicted classes are exactly its true ones (what accuracy counts), else 0. */
export function correctRows(labels: LabelSet, split: LabelledSplit, output: Tensor): Uint8Array {
  return Uint8Array.from(labelledPredictions(labels, split, output), ({ truth, predicted }) =>
    truth.length === predicted.length && truth.every((t) => predicted.includes(t)) ? 1 : 0,
  );
}

/** Each row's true and predicted class ids, from the model's output for the split. */
function labelledPredictions(
  labels: LabelSet,
  split: LabelledSplit,
  output: Tensor,
): LabelledPrediction[] {
  const units = output.size / split.count;
  const idOf = new Map(labels.classNames.map((name, i) => [name, i]));
  const rows: LabelledPrediction[] = [];
  for (let i = 0; i < split.count; i++) {
    const out = output.data.subarray(i * units, (i + 1) * units);
    const truth =
      labels.task === 'multilabel'
        ? labels.classNames.flatMap((_, c) => (split.y[i * units + c] === 1 ? [c] : []))
        : [split.classIds[i]];
    rows.push({ truth, predicted: predictedLabels(labels, out).map((name) => idOf.get(name)!) });
  }
  return rows;
}
