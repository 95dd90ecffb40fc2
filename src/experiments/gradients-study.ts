import type { Backend } from '../backend/backend.js';
import { outputSpec } from '../classify/task.js';
import type { LabelledSplit } from '../data/text-dataset.js';
import { prepareData, type DataOptions } from './train-data.js';
import type { RecurrentLayer } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import { getOptimizer } from '../optim/index.js';
import { Tensor } from '../tensor/tensor.js';
import { buildSentimentModel } from './architectures.js';
import { gradientFlow, type GradientFlow } from './gradients.js';

export interface GradientStudyOptions {
  numWords: number;
  maxlen: number;
  embeddingDim: number;
  /** Width of every cell, so the three compare at equal state size. */
  units: number;
  /** Test reviews the norms are measured on. */
  samples: number;
  /** Training batches between the 'init' and 'trained' measurements. */
  trainBatches: number;
  batchSize: number;
  optimizer: string;
  learningRate: number;
  /** The exploding case: SimpleRNN with its recurrent kernel multiplied by this. */
  recurrentScale: number;
  /** The exploding case trains with this optimizer and rate (plain SGD shows what clipping does; Adam rescales steps itself). */
  explodeOptimizer: string;
  explodeLearningRate: number;
  clipnorm: number;
  seed: number;
  data?: string;
  limit?: number;
  /** How --data is read (see DataOptions): any dataset gated trains on. */
  format?: DataOptions['format'];
  textColumn?: string;
  labelColumn?: string;
  label?: DataOptions['label'];
  ngrams?: number;
  testSplit?: number;
  multiclass?: boolean;
  skipBadRows?: boolean;
  backend: Backend;
}

/** One gradient-flow measurement: a model in one phase. */
export interface FlowSeries extends GradientFlow {
  /** rnn, lstm, gru, or rnn-x<scale> for the exploding case. */
  model: string;
  /** init, trained, or trained-clipnorm. */
  phase: string;
}

/** One training step of a short training, measured. */
export interface StepRecord {
  loss: number;
  /** ‖g‖ over every weight, before any clipping. */
  gradNorm: number;
  /** ‖Δθ‖ over every weight: how far the step moved the model. */
  updateNorm: number;
}

export interface TrainingTrace {
  model: string;
  phase: string;
  optimizer: string;
  learningRate: number;
  clipnorm: number | null;
  steps: StepRecord[];
  /** The batch (from 1) whose loss was not finite, where training stopped; null if none. */
  divergedAt: number | null;
}

/** gradients.json (non-finite numbers are written as null). */
export interface GradientStudy {
  format: 'gated-gradients';
  version: 1;
  settings: Omit<GradientStudyOptions, 'backend'> & { backend: string };
  dataSource: string;
  /** Which reviews were measured, and why no step of them is padding. */
  samples: { count: number; minLength: number; note: string };
  series: FlowSeries[];
  training: TrainingTrace[];
}

const CELLS = ['rnn', 'lstm', 'gru'] as const;

/**
 * The rows of the test split whose true length is at least maxlen: truncated to their last
 * maxlen ids, they have no padding, so every step of the measured window is a real token and
 * no mask is needed (gated pads at the front, so a short review's first steps would be zeros).
 */
export function unpaddedRows(split: LabelledSplit, count: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < split.count && rows.length < count; i++)
    if (split.lengths[i] >= split.length) rows.push(i);
  return rows;
}

function rowsTensors(split: LabelledSplit, rows: readonly number[]): { x: Tensor; y: Tensor } {
  const T = split.length;
  const width = split.yWidth;
  const x = new Float32Array(rows.length * T);
  rows.forEach((r, i) => x.set(split.x.subarray(r * T, (r + 1) * T), i * T));
  return {
    x: new Tensor(x, [rows.length, T]),
    y: new Tensor(
      Float32Array.from(
        { length: rows.length * width },
        (_, i) => split.y[rows[Math.floor(i / width)] * width + (i % width)],
      ),
      [rows.length, width],
    ),
  };
}

const sumSquares = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
};

/** `batches` steps of trainOnBatch over consecutive training batches (wrapping), each measured. */
function shortTraining(
  model: Sequential,
  train: LabelledSplit,
  batches: number,
  batchSize: number,
): { steps: StepRecord[]; divergedAt: number | null } {
  const perEpoch = Math.max(1, Math.floor(train.count / batchSize));
  const size = Math.min(batchSize, train.count);
  const steps: StepRecord[] = [];
  for (let b = 0; b < batches; b++) {
    const start = (b % perEpoch) * size;
    const { x, y } = rowsTensors(
      train,
      Array.from({ length: size }, (_, i) => start + i),
    );
    const params = model.params();
    const before = params.map((p) => Float64Array.from(p.value.data));
    const { loss } = model.trainOnBatch(x, y);
    if (!Number.isFinite(loss)) return { steps, divergedAt: b + 1 };
    // The optimizer only reads the gradients, so they are still the unclipped ones here.
    const gradNorm = Math.sqrt(params.reduce((s, p) => s + sumSquares(p.grad.data), 0));
    let moved = 0;
    params.forEach((p, i) => {
      for (let j = 0; j < before[i].length; j++) moved += (p.value.data[j] - before[i][j]) ** 2;
    });
    steps.push({ loss, gradNorm, updateNorm: Math.sqrt(moved) });
  }
  return { steps, divergedAt: null };
}

/**
 * `gated gradients`: ‖∂L/∂h_t‖ and ‖∂L/∂e_t‖ per step (and the LSTM/GRU gate means) for
 * SimpleRNN, LSTM and GRU of equal width on real unpadded test reviews, at initialisation and
 * after a short training; then the exploding case, a SimpleRNN with its recurrent kernel scaled
 * up, trained with and without clipnorm from the same start.
 */
export async function runGradientStudy(
  o: GradientStudyOptions,
  log: (line: string) => void,
): Promise<GradientStudy> {
  const data = await prepareData({ ...o, validationSplit: 0 }, () => undefined);
  const spec = outputSpec(data.labels);
  const rows = unpaddedRows(data.test, o.samples);
  if (rows.length === 0)
    throw new Error(`no test review has ${o.maxlen} or more ids: lower --maxlen`);
  if (rows.length < o.samples)
    log(`Only ${rows.length} test reviews have at least ${o.maxlen} ids; measuring on those`);
  const probe = rowsTensors(data.test, rows);
  log(
    `Measuring on ${rows.length} test reviews of at least ${o.maxlen} ids (no padding), from ${data.source}`,
  );

  const series: FlowSeries[] = [];
  const training: TrainingTrace[] = [];
  const measure = (model: Sequential, name: string, phase: string): void => {
    const flow = gradientFlow(model, probe.x, probe.y);
    series.push({ model: name, phase, ...flow });
    log(
      `${name} ${phase}: loss ${flow.loss.toFixed(4)}, ‖∂L/∂h_1‖/‖∂L/∂h_T‖ = ${flow.ratio.toExponential(2)}`,
    );
  };
  const build = (
    architecture: (typeof CELLS)[number],
    optimizer: string,
    lr: number,
    clipnorm?: number,
  ): Sequential => {
    const model = buildSentimentModel({
      ...o,
      numWords: data.vectorizer.vocabularySize,
      architecture,
      backend: o.backend,
      output: { units: spec.units, activation: spec.activation },
    });
    return model.compile({
      optimizer: getOptimizer({
        name: optimizer,
        learningRate: lr,
        ...(clipnorm !== undefined ? { clipnorm } : {}),
      }),
      loss: spec.loss,
      metrics: [spec.metric],
    });
  };
  const train = (
    model: Sequential,
    name: string,
    phase: string,
    optimizer: string,
    lr: number,
    clipnorm: number | null,
  ): void => {
    const run = shortTraining(model, data.train, o.trainBatches, o.batchSize);
    training.push({ model: name, phase, optimizer, learningRate: lr, clipnorm, ...run });
    if (run.divergedAt !== null)
      log(`${name} ${phase}: the loss was not finite at batch ${run.divergedAt}; stopped there`);
    measure(model, name, phase);
  };

  for (const cell of CELLS) {
    const model = build(cell, o.optimizer, o.learningRate);
    measure(model, cell, 'init');
    train(model, cell, 'trained', o.optimizer, o.learningRate, null);
  }

  const scaled = `rnn-x${o.recurrentScale}`;
  const explode = (clipnorm?: number): Sequential => {
    const model = build('rnn', o.explodeOptimizer, o.explodeLearningRate, clipnorm);
    const rnn = model.layers[1] as RecurrentLayer;
    const u = rnn.recurrentKernel?.value.data;
    if (u === undefined) throw new Error('the SimpleRNN has no recurrent kernel');
    for (let i = 0; i < u.length; i++) u[i] *= o.recurrentScale;
    return model;
  };
  const plain = explode();
  measure(plain, scaled, 'init');
  train(plain, scaled, 'trained', o.explodeOptimizer, o.explodeLearningRate, null);
  train(
    explode(o.clipnorm),
    scaled,
    'trained-clipnorm',
    o.explodeOptimizer,
    o.explodeLearningRate,
    o.clipnorm,
  );

  const { backend, ...settings } = o;
  return {
    format: 'gated-gradients',
    version: 1,
    settings: { ...settings, backend: backend.name },
    dataSource: data.source,
    samples: {
      count: rows.length,
      minLength: o.maxlen,
      note: `the first ${rows.length} test reviews with at least maxlen ids: truncated to their last maxlen ids they hold no padding, so every step is a real token and no mask is involved`,
    },
    series,
    training,
  };
}
