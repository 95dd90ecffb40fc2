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
  const output = model.predict(x, { batchSize });
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
  return classificationReport(rows, labels.classNames, labels.task === 'multilabel');
}
