import { Bidirectional, type BidirectionalOptions } from './bidirectional.js';
import { Conv1D, type Conv1DOptions } from './conv1d.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout, type DropoutOptions } from './dropout.js';
import { Embedding, type EmbeddingOptions } from './embedding.js';
import { EmbeddingBag, type EmbeddingBagOptions } from './embedding-bag.js';
import { GRU, type GRUOptions } from './gru.js';
import type { Layer, LayerConfig } from './layer.js';
import { LSTM, type LSTMOptions } from './lstm.js';
import { parallelFromConfig } from './parallel.js';
import {
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  MaxPooling1D,
  type GlobalPoolingOptions,
  type MaxPooling1DOptions,
} from './pooling.js';
import { SimpleRNN, type SimpleRNNOptions } from './simple-rnn.js';

/** Every layer class by its Keras class name, for rebuilding a model from model.json. */
const LAYERS: Record<string, (config: LayerConfig) => Layer> = {
  Embedding: (c) => new Embedding(c as unknown as EmbeddingOptions),
  EmbeddingBag: (c) => new EmbeddingBag(c as unknown as EmbeddingBagOptions),
  Dense: (c) => new Dense(c as unknown as DenseOptions),
  Dropout: (c) => new Dropout(c as unknown as DropoutOptions),
  Conv1D: (c) => new Conv1D(c as unknown as Conv1DOptions),
  MaxPooling1D: (c) => new MaxPooling1D(c as unknown as MaxPooling1DOptions),
  GlobalMaxPooling1D: (c) => new GlobalMaxPooling1D(c as unknown as GlobalPoolingOptions),
  GlobalAveragePooling1D: (c) => new GlobalAveragePooling1D(c as unknown as GlobalPoolingOptions),
  SimpleRNN: (c) => new SimpleRNN(c as unknown as SimpleRNNOptions),
  LSTM: (c) => new LSTM(c as unknown as LSTMOptions),
  GRU: (c) => new GRU(c as unknown as GRUOptions),
  Bidirectional: (c) => new Bidirectional(c as unknown as BidirectionalOptions),
  Parallel: (c) => parallelFromConfig(c, layerFromConfig),
};

export const LAYER_CLASS_NAMES = Object.keys(LAYERS);

/** Rebuilds a layer from its class name and getConfig() output; unknown names are an error. */
export function layerFromConfig(className: string, config: LayerConfig): Layer {
  const make = Object.hasOwn(LAYERS, className) ? LAYERS[className] : undefined;
  if (!make)
    throw new Error(`unknown layer class '${className}' (known: ${LAYER_CLASS_NAMES.join(', ')})`);
  return make(config);
}
