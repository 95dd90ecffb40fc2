/**
 * An ensemble of text classifiers: the mean of their probabilities, as one classifier. Each
 * member encodes the text with its own vectorizer (vocabulary, maxlen), so members of any kind
 * combine as long as they share the task and the class names, in the same order.
 */
import { Tensor } from '../tensor/tensor.js';
import type { LabelSet } from './task.js';
import { textPredictions, type Classifier, type TextPrediction } from './text-classifier.js';

/** Most members an ensemble may have (each is a whole model in memory). */
export const MAX_ENSEMBLE_MEMBERS = 32;

export class EnsembleClassifier implements Classifier {
  readonly labels: LabelSet;

  /**
   * `names` say which member is which in errors (their directories). Throws unless there are
   * 2 to MAX_ENSEMBLE_MEMBERS members that agree on the task and the class names.
   */
  constructor(
    readonly members: readonly Classifier[],
    readonly names: readonly string[] = members.map((_, i) => `member ${i + 1}`),
  ) {
    if (members.length < 2 || members.length > MAX_ENSEMBLE_MEMBERS)
      throw new Error(
        `an ensemble needs 2 to ${MAX_ENSEMBLE_MEMBERS} models, got ${members.length}`,
      );
    if (names.length !== members.length)
      throw new Error(`${names.length} names for ${members.length} ensemble members`);
    const [first, ...rest] = members;
    rest.forEach((m, i) => {
      const a = first.labels;
      const b = m.labels;
      if (a.task !== b.task)
        throw new Error(
          `${names[i + 1]} is a ${b.task} classifier, ${names[0]} a ${a.task} one: an ensemble's models must share the task`,
        );
      if (a.classNames.join('\0') !== b.classNames.join('\0'))
        throw new Error(
          `${names[i + 1]} has the classes ${b.classNames.join(', ')}, ${names[0]} has ${a.classNames.join(', ')}: an ensemble's models must share the classes, in order`,
        );
    });
    this.labels = first.labels;
  }

  get classNames(): readonly string[] {
    return this.labels.classNames;
  }

  /** The mean of the members' outputs (summed in float64, in member order). */
  probabilities(texts: readonly string[]): Tensor {
    return meanOutput(this.members.map((m) => m.probabilities(texts)));
  }

  predict(texts: readonly string[]): TextPrediction[] {
    return texts.length === 0 ? [] : textPredictions(this.labels, texts, this.probabilities(texts));
  }
}

/** The element-wise mean of same-shaped outputs (summed in float64, in order). */
export function meanOutput(outputs: readonly Tensor[]): Tensor {
  const [first] = outputs;
  const sum = new Float64Array(first.size);
  for (const out of outputs) {
    if (out.shape.join() !== first.shape.join())
      throw new Error(
        `ensemble members gave outputs [${out.shape.join(', ')}] and [${first.shape.join(', ')}]`,
      );
    for (let i = 0; i < sum.length; i++) sum[i] += out.data[i];
  }
  const mean = Float32Array.from(sum, (v) => v / outputs.length);
  return new Tensor(mean, first.shape);
}
