import { Dense } from '../layers/dense.js';
import type { Sequential } from '../models/sequential.js';
import type { TextVectorization } from '../text/text-vectorization.js';
import type { Vocabulary } from '../text/vocabulary.js';
import { topFilters } from './filters.js';
import { integratedGradients } from './integrated-gradients.js';
import { runningPrediction } from './running.js';
import type { ExplainedOutput, Explanation, RecurrentTrace } from './schema.js';
import { embed, embeddingOf, outputUnits, repeatIds } from './stack.js';
import { readInput } from './tokens.js';
import { recordRecurrent, recurrentLayers } from './trace.js';

export interface ExplainOptions {
  /**
   * Needed to explain a text (and to name the words of given ids): the IMDB word index, or the
   * TextVectorization the model was trained with.
   */
  vocabulary?: Vocabulary | TextVectorization;
  /** Integrated-gradients intervals to start with (doubled until completeness holds). Default 32. */
  steps?: number;
  /** The most intervals tried (steps must not exceed it). Default 512. */
  maxSteps?: number;
  /** Completeness tolerance, relative. Default 0.01. */
  tolerance?: number;
  /** CNN: how many filters to show. Default 8. */
  topFilters?: number;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`explain: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Which output unit is explained and what its value means. */
function explainedOutput(model: Sequential, values: readonly number[]): ExplainedOutput {
  const last = model.layers[model.layers.length - 1];
  const activation = last instanceof Dense ? last.activation : 'linear';
  if (values.length === 1) {
    return {
      unit: 0,
      meaning: activation === 'sigmoid' ? 'P(class 1)' : 'output 0',
      value: values[0],
      predictedClass: values[0] >= 0.5 ? 1 : 0,
    };
  }
  let unit = 0;
  values.forEach((v, i) => {
    if (v > values[unit]) unit = i;
  });
  return {
    unit,
    meaning: activation === 'softmax' ? `P(class ${unit})` : `output ${unit}`,
    value: values[unit],
    predictedClass: unit,
  };
}

/**
 * Looks inside one prediction of a built model that starts with an Embedding: per token how the
 * model saw it, every recurrent layer's gates and states (run step by step through the layers'
 * observer), the running prediction, integrated-gradients attributions on the embeddings
 * and, for the CNN, its top filters. `input` is a text (with options.vocabulary) or token ids;
 * either is padded and truncated to the model's length as predict does. Runs on the model's
 * backend, in inference mode (no dropout); the weights are not changed (their gradient buffers
 * are used as scratch).
 */
export function explain(
  model: Sequential,
  input: string | ArrayLike<number>,
  options: ExplainOptions = {},
): Explanation {
  const started = performance.now();
  const steps = positiveInt(options.steps ?? 32, 'steps');
  const maxSteps = positiveInt(options.maxSteps ?? 512, 'maxSteps');
  if (steps > maxSteps)
    throw new Error(`explain: steps (${steps}) must be ≤ maxSteps (${maxSteps})`);
  const top = positiveInt(options.topFilters ?? 8, 'topFilters');
  const tolerance = options.tolerance ?? 0.01;
  if (!(tolerance > 0)) throw new Error(`explain: tolerance must be > 0, got ${tolerance}`);
  const embedding = embeddingOf(model);
  const maxlen = model.inputShape[0];
  const read = readInput(input, maxlen, embedding.inputDim, options.vocabulary);
  const units = outputUnits(model);

  const finish = recordRecurrent(recurrentLayers(model.layers));
  let values: number[];
  let recurrent: RecurrentTrace[] = [];
  try {
    const y = model.forward(repeatIds(model, read.ids, 1), false);
    values = Array.from(y.data.subarray(0, units));
  } finally {
    // Detaches the observers even when the forward failed.
    recurrent = finish();
  }
  const output = explainedOutput(model, values);
  const running = runningPrediction(model, read.ids, recurrent, output.unit, units);
  const attribution = integratedGradients(model, read.ids, output.unit, {
    steps,
    maxSteps,
    tolerance,
    chunk: 32,
  });
  const { vectors, maskFor } = embed(model, read.ids);
  const filters = topFilters(model, vectors, maskFor(1), read.tokens, output.unit, units, top);
  return {
    format: 'gated-explanation',
    version: 1,
    model: {
      architecture: model.layers.map((l) => l.className).join(' → '),
      maxlen,
      outputUnits: units,
      backend: model.backend.name,
    },
    text: read.text,
    output,
    tokens: read.tokens,
    truncated: read.truncated,
    recurrent,
    running,
    attribution,
    filters,
    milliseconds: performance.now() - started,
  };
}
