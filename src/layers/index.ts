/** Every layer class, as `layers.X` in the public API. */
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dense, type DenseOptions } from './dense.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Conv1D, type Conv1DOptions } from './conv1d.js';
export {
  MaxPooling1D,
  GlobalMaxPooling1D,
  GlobalAveragePooling1D,
  type MaxPooling1DOptions,
  type GlobalPoolingOptions,
} from './pooling.js';
export { SimpleRNN, type SimpleRNNOptions } from './simple-rnn.js';
export { LSTM, type LSTMOptions } from './lstm.js';
export { GRU, type GRUOptions } from './gru.js';
export { Bidirectional, type BidirectionalOptions } from './bidirectional.js';
export { EmbeddingBag, type EmbeddingBagOptions } from './embedding-bag.js';
export { Parallel, type ParallelOptions } from './parallel.js';
