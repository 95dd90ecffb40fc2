import type { Backend } from '../backend/backend.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { EmbeddingBag } from '../layers/embedding-bag.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { Parallel } from '../layers/parallel.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/pooling.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import type { BagMode } from '../text/bag.js';

export const ARCHITECTURES = [
  'lstm',
  'gru',
  'rnn',
  'cnn',
  'bilstm',
  'cnn-multi',
  'fasttext',
  'nbsvm',
] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * The bag-of-n-grams models and the TextVectorization output each reads: both take each distinct
 * n-gram of a text once ('multi_hot'). fastText averages the embeddings of the distinct n-grams:
 * on IMDB's validation split that gave 0.9174 against 0.9122 for every occurrence ('count', as
 * Keras's example's sequences). NBSVM's features are binarized by definition.
 */
const BAG_INPUTS: Partial<Record<Architecture, BagMode>> = {
  fasttext: 'multi_hot',
  nbsvm: 'multi_hot',
};

/** The bag output mode an architecture reads, or undefined for the sequence models ('int'). */
export function bagInputOf(architecture: Architecture): BagMode | undefined {
  return BAG_INPUTS[architecture];
}

/** N-grams of the bag models when --ngrams is not given: uni- and bigrams, as the references. */
export const BAG_DEFAULT_NGRAMS = 2;

/** The kernel widths of `cnn-multi`, side by side (Kim 2014). */
export const MULTI_WIDTHS = [3, 4, 5] as const;
/** Kim 2014's dropout before the output layer of `cnn-multi`. */
const MULTI_DROPOUT = 0.5;

/** The convolutional architectures: they read --filters, not --units. */
export function isConvolutional(architecture: string): boolean {
  return architecture === 'cnn' || architecture === 'cnn-multi';
}

/**
 * The flags an architecture does not read: the CNNs have no units (cnn-multi's widths are
 * fixed), the recurrent models no filters, the bag models neither.
 */
export function flagsUnusedBy(architecture: string): string[] {
  if (architecture === 'fasttext') return ['units', 'filters', 'kernelSize'];
  if (architecture === 'nbsvm') return ['embeddingDim', 'units', 'filters', 'kernelSize'];
  if (architecture === 'cnn-multi') return ['units', 'kernelSize'];
  return architecture === 'cnn' ? ['units'] : ['filters', 'kernelSize'];
}

/** The widest kernel an architecture applies to the ids (0: not convolutional). */
export function widestKernel(architecture: string, kernelSize: number): number {
  if (architecture === 'cnn-multi') return Math.max(...MULTI_WIDTHS);
  return architecture === 'cnn' ? kernelSize : 0;
}

export interface SentimentModelOptions {
  architecture: Architecture;
  numWords: number;
  maxlen: number;
  embeddingDim: number;
  /** Recurrent units (the CNN's filter count is `filters`). */
  units: number;
  /** Conv1D filters (per width for cnn-multi) and width of the Kim-style text CNN. */
  filters?: number;
  kernelSize?: number;
  seed: number;
  backend?: Backend;
  /** The output layer (default: one sigmoid unit, the sentiment classifier's). */
  output?: { units: number; activation: 'sigmoid' | 'softmax' };
}

/**
 * The text classifiers gated trains and compares: Embedding → one sequence encoder → Dense
 * (1 sigmoid unit for sentiment; K softmax or sigmoid units for other tasks, see outputSpec).
 * 'lstm' with the defaults is the reference experiment (1,329,473 parameters). 'fasttext' is
 * Keras's imdb_fasttext (n-gram ids → masking Embedding → GlobalAveragePooling1D → Dense);
 * 'nbsvm' is a Dense over the multi-hot n-gram bag, each n-gram scaled by its fixed naive-Bayes
 * ratio (EmbeddingBag with idWeights; the caller sets them with setIdWeights).
 */
export function buildSentimentModel(o: SentimentModelOptions): Sequential {
  const model = new Sequential({ seed: o.seed, ...(o.backend ? { backend: o.backend } : {}) });
  const output = o.output ?? { units: 1, activation: 'sigmoid' };
  if (o.architecture === 'nbsvm') {
    model.add(new EmbeddingBag({ inputDim: o.numWords, ...output, idWeights: true }));
    return model.build([o.maxlen]);
  }
  const maskZero = o.architecture === 'fasttext';
  model.add(new Embedding({ inputDim: o.numWords, outputDim: o.embeddingDim, maskZero }));
  for (const layer of encoder(o)) model.add(layer);
  model.add(new Dense(output));
  return model.build([o.maxlen]);
}

/**
 * The parameter count buildSentimentModel gives, by arithmetic alone: flags are checked against
 * the limits with it before a weight is allocated (test/experiments/architectures.test.ts holds
 * it to countParams()).
 */
export function sentimentParamCount(
  o: Pick<SentimentModelOptions, 'architecture' | 'numWords' | 'embeddingDim' | 'units'> & {
    filters: number;
    kernelSize: number;
  },
): number {
  const [d, h] = [o.embeddingDim, o.units];
  const lstm = 4 * (d * h + h * h + h);
  const encoder = {
    lstm: { params: lstm, out: h },
    gru: { params: 3 * (d * h + h * h) + 2 * 3 * h, out: h },
    rnn: { params: d * h + h * h + h, out: h },
    bilstm: { params: 2 * lstm, out: 2 * h },
    cnn: { params: o.kernelSize * d * o.filters + o.filters, out: o.filters },
    'cnn-multi': {
      params: MULTI_WIDTHS.reduce((n, k) => n + k * d * o.filters + o.filters, 0),
      out: MULTI_WIDTHS.length * o.filters,
    },
    fasttext: { params: 0, out: d },
  };
  // NBSVM: the kernel, its bias and the fixed ratios (one per id).
  if (o.architecture === 'nbsvm') return 2 * o.numWords + 1;
  const { params, out } = encoder[o.architecture];
  return o.numWords * d + params + out + 1;
}

function encoder(o: SentimentModelOptions): Layer[] {
  switch (o.architecture) {
    case 'lstm':
      return [new LSTM({ units: o.units })];
    case 'gru':
      return [new GRU({ units: o.units })];
    case 'rnn':
      return [new SimpleRNN({ units: o.units })];
    case 'bilstm':
      return [new Bidirectional({ layer: new LSTM({ units: o.units }) })];
    case 'cnn':
      return convBranch(o.filters ?? 128, o.kernelSize ?? 5);
    case 'cnn-multi':
      return [
        new Parallel({ branches: MULTI_WIDTHS.map((k) => convBranch(o.filters ?? 128, k)) }),
        new Dropout({ rate: MULTI_DROPOUT }),
      ];
    case 'fasttext':
      return [new GlobalAveragePooling1D({})];
    default:
      throw new Error(`unknown architecture ${JSON.stringify(o.architecture)}`);
  }
}

/** Conv1D (relu) → global max pooling: the text CNN, and each branch of cnn-multi. */
function convBranch(filters: number, kernelSize: number): Layer[] {
  return [new Conv1D({ filters, kernelSize, activation: 'relu' }), new GlobalMaxPooling1D({})];
}
