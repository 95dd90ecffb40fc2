/**
 * The classification task a model solves and the names of its classes (labels.json): what its
 * output layer must be, which loss trains it, and how its outputs read as class names.
 *
 *   binary      two classes, one sigmoid unit: P(classNames[1]); targets 0/1, [n, 1]
 *   multiclass  K ≥ 2 classes, K softmax units; targets class ids [n, 1]
 *               (sparse_categorical_crossentropy) or one-hot [n, K] (categorical_crossentropy)
 *   multilabel  K labels, K sigmoid units, each on when P ≥ threshold; targets multi-hot [n, K]
 */
export const TASKS = ['binary', 'multiclass', 'multilabel'] as const;
export type Task = (typeof TASKS)[number];

export const LABELS_FILE = 'labels.json';

export interface LabelSet {
  task: Task;
  /** Class names by id (Keras: sorted alphabetically when read from folders). */
  classNames: readonly string[];
  /** A multi-label output counts as on from this probability (0.5 unless set). */
  threshold: number;
}

export interface LabelsJson {
  format: 'gated-labels';
  version: 1;
  task: Task;
  classNames: string[];
  threshold: number;
}

/** The largest number of classes a model may have (a guard against a label column of ids). */
export const MAX_CLASSES = 10000;

/** The task a dataset's labels call for: two classes are binary unless `multiclass` is asked. */
export function inferTask(
  classCount: number,
  options: { multiLabel: boolean; multiclass?: boolean },
): Task {
  if (options.multiLabel) return 'multilabel';
  return classCount === 2 && !options.multiclass ? 'binary' : 'multiclass';
}

export function makeLabelSet(task: Task, classNames: readonly string[], threshold = 0.5): LabelSet {
  const fail = (problem: string): never => {
    throw new Error(`labels: ${problem}`);
  };
  if (!TASKS.includes(task)) fail(`task must be one of ${TASKS.join(', ')}, got ${String(task)}`);
  if (!Array.isArray(classNames) || classNames.some((c) => typeof c !== 'string' || c === ''))
    fail('classNames must be non-empty strings');
  if (new Set(classNames).size !== classNames.length) fail('classNames holds a name twice');
  const min = task === 'multilabel' ? 1 : 2;
  if (classNames.length < min || classNames.length > MAX_CLASSES)
    fail(`a ${task} task needs ${min} to ${MAX_CLASSES} classes, got ${classNames.length}`);
  if (task === 'binary' && classNames.length !== 2)
    fail(`a binary task has exactly 2 classes, got ${classNames.length}`);
  if (!(typeof threshold === 'number' && threshold > 0 && threshold < 1))
    fail(`threshold must be a number in (0, 1), got ${String(threshold)}`);
  return Object.freeze({ task, classNames: Object.freeze([...classNames]), threshold });
}

export function labelsToJSON(labels: LabelSet): LabelsJson {
  return {
    format: 'gated-labels',
    version: 1,
    task: labels.task,
    classNames: [...labels.classNames],
    threshold: labels.threshold,
  };
}

export function labelsFromJSON(json: unknown): LabelSet {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('labels: expected an object');
  const j = json as Record<string, unknown>;
  if (j.format !== 'gated-labels') throw new Error('labels: format must be "gated-labels"');
  if (j.version !== 1) throw new Error(`labels: unsupported version ${String(j.version)}`);
  return makeLabelSet(j.task as Task, j.classNames as string[], j.threshold as number);
}

/** The labels of a model saved before labels.json existed: IMDB sentiment. */
export const IMDB_SENTIMENT_LABELS: LabelSet = makeLabelSet('binary', ['negative', 'positive']);

/** What the output layer of a model for `labels` is, and the loss and metric that train it. */
export function outputSpec(labels: LabelSet): {
  units: number;
  activation: 'sigmoid' | 'softmax';
  loss: string;
  metric: string;
} {
  switch (labels.task) {
    case 'binary':
      return { units: 1, activation: 'sigmoid', loss: 'binary_crossentropy', metric: 'accuracy' };
    case 'multiclass':
      return {
        units: labels.classNames.length,
        activation: 'softmax',
        loss: 'sparse_categorical_crossentropy',
        metric: 'accuracy',
      };
    case 'multilabel':
      // Keras resolves 'accuracy' on a K-unit output to categorical accuracy, which means
      // nothing for independent labels: name the per-label one.
      return {
        units: labels.classNames.length,
        activation: 'sigmoid',
        loss: 'binary_crossentropy',
        metric: 'binary_accuracy',
      };
  }
}

/** Throws unless a model's last layer (units, activation) is the one `labels` calls for. */
export function checkOutputMatches(
  labels: LabelSet,
  output: { units: number; activation: string },
  where: string,
): void {
  const want = outputSpec(labels);
  if (output.units !== want.units || output.activation !== want.activation) {
    throw new Error(
      `${where}: the model's output (${output.units} ${output.activation} unit${output.units === 1 ? '' : 's'}) ` +
        `does not fit its ${labels.task} task with ${labels.classNames.length} classes ` +
        `(expected ${want.units} ${want.activation})`,
    );
  }
}

export interface ClassScore {
  label: string;
  probability: number;
}

/**
 * Probabilities per class name from one row of model output, most probable first. Binary: the
 * sigmoid is P(classNames[1]), so the other class gets 1 − p.
 */
export function classScores(labels: LabelSet, row: ArrayLike<number>): ClassScore[] {
  const scores =
    labels.task === 'binary'
      ? [
          { label: labels.classNames[0], probability: 1 - row[0] },
          { label: labels.classNames[1], probability: row[0] },
        ]
      : labels.classNames.map((label, j) => ({ label, probability: row[j] }));
  return scores.sort((a, b) => b.probability - a.probability);
}

/** The predicted class names of one output row: the top class, or every label over threshold. */
export function predictedLabels(labels: LabelSet, row: ArrayLike<number>): string[] {
  if (labels.task === 'multilabel')
    return labels.classNames.filter((_, j) => row[j] >= labels.threshold);
  return [classScores(labels, row)[0].label];
}
