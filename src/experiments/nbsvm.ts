import { naiveBayesRatios } from '../classify/nb-ratios.js';
import type { LabelSet } from '../classify/task.js';
import type { LabelledSplit } from '../data/text-dataset.js';
import { EmbeddingBag } from '../layers/embedding-bag.js';
import type { Sequential } from '../models/sequential.js';

/**
 * Sets an NBSVM model's fixed per-n-gram scale to the naive-Bayes ratios of the rows it will
 * train on: the first rows of `train`, before the validationSplit tail that fit holds out (the
 * same Math.floor as fit), so neither the validation nor the test rows shape the features.
 */
export function setNaiveBayesRatios(
  model: Sequential,
  labels: LabelSet,
  train: LabelledSplit,
  validationSplit: number,
): void {
  if (labels.task !== 'binary')
    throw new Error(
      `--model nbsvm classifies two classes (one sigmoid unit); this data is ${labels.task} with ${labels.classNames.length} classes`,
    );
  const layer = model.layers[0];
  if (!(layer instanceof EmbeddingBag))
    throw new Error('an NBSVM model starts with an EmbeddingBag');
  const rows = Math.floor(train.count * (1 - validationSplit));
  const bags = { ids: train.x, count: train.count, width: train.length };
  layer.setIdWeights(naiveBayesRatios(bags, train.classIds, rows, layer.inputDim));
}
