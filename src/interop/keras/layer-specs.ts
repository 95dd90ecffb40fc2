// How each gated layer's options correspond to a Keras 3 layer's config, read in both directions
// (import: Keras → gated; export: gated → Keras), so the two can never disagree.

/** One option: its Keras config key and gated option name, and how values convert. */
export interface OptionSpec {
  keras: string;
  gated: string;
  /** Keras value → gated value (identity by default). */
  toGated?: (value: unknown) => unknown;
  /** gated value → Keras value (identity by default). */
  toKeras?: (value: unknown) => unknown;
}

export interface LayerSpec {
  options: readonly OptionSpec[];
  /**
   * Keras keys whose value gated cannot change: written on export, and on import any other value
   * is an error naming the key (a missing key is Keras's default, which is this value).
   */
  fixed: Readonly<Record<string, unknown>>;
  /** Keras keys that do not change what a trained model computes (initializers, seeds). */
  ignored: readonly string[];
}

/** Keras stores 1-D sizes as a one-element list; gated as a number. */
const single: Pick<OptionSpec, 'toGated' | 'toKeras'> = {
  toGated: (v) => (Array.isArray(v) && v.length === 1 ? v[0] : v),
  toKeras: (v) => [v],
};

const NO_REGULARIZERS = {
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
};

const RECURRENT_OPTIONS: readonly OptionSpec[] = [
  { keras: 'units', gated: 'units' },
  { keras: 'use_bias', gated: 'useBias' },
  { keras: 'return_sequences', gated: 'returnSequences' },
  { keras: 'go_backwards', gated: 'goBackwards' },
  { keras: 'dropout', gated: 'dropout' },
  { keras: 'recurrent_dropout', gated: 'recurrentDropout' },
];

const RECURRENT_FIXED = {
  ...NO_REGULARIZERS,
  recurrent_regularizer: null,
  recurrent_constraint: null,
  return_state: false,
  stateful: false,
};

/** unroll changes how Keras runs the loop, not what it computes; zero_output_for_mask: see import. */
const RECURRENT_IGNORED = [
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'seed',
  'unroll',
  'zero_output_for_mask',
];

const GATED_CELL_FIXED = { activation: 'tanh', recurrent_activation: 'sigmoid' };

export const LAYER_SPECS: Readonly<Record<string, LayerSpec>> = {
  Embedding: {
    options: [
      { keras: 'input_dim', gated: 'inputDim' },
      { keras: 'output_dim', gated: 'outputDim' },
      { keras: 'mask_zero', gated: 'maskZero' },
    ],
    fixed: {
      embeddings_regularizer: null,
      activity_regularizer: null,
      embeddings_constraint: null,
      quantization_config: null,
      lora_rank: null,
    },
    ignored: ['embeddings_initializer', 'lora_alpha'],
  },
  Dense: {
    options: [
      { keras: 'units', gated: 'units' },
      { keras: 'activation', gated: 'activation' },
      { keras: 'use_bias', gated: 'useBias' },
    ],
    fixed: { ...NO_REGULARIZERS, quantization_config: null, lora_rank: null },
    ignored: ['kernel_initializer', 'bias_initializer', 'lora_alpha'],
  },
  Dropout: {
    options: [{ keras: 'rate', gated: 'rate' }],
    fixed: { noise_shape: null },
    ignored: ['seed'],
  },
  Conv1D: {
    options: [
      { keras: 'filters', gated: 'filters' },
      { keras: 'kernel_size', gated: 'kernelSize', ...single },
      { keras: 'strides', gated: 'strides', ...single },
      { keras: 'padding', gated: 'padding' },
      { keras: 'dilation_rate', gated: 'dilationRate', ...single },
      { keras: 'activation', gated: 'activation' },
      { keras: 'use_bias', gated: 'useBias' },
    ],
    fixed: { ...NO_REGULARIZERS, data_format: 'channels_last', groups: 1 },
    ignored: ['kernel_initializer', 'bias_initializer'],
  },
  MaxPooling1D: {
    options: [
      { keras: 'pool_size', gated: 'poolSize', ...single },
      { keras: 'strides', gated: 'strides', ...single },
      { keras: 'padding', gated: 'padding' },
    ],
    fixed: { data_format: 'channels_last' },
    ignored: [],
  },
  GlobalMaxPooling1D: {
    options: [],
    fixed: { data_format: 'channels_last', keepdims: false },
    ignored: [],
  },
  GlobalAveragePooling1D: {
    options: [],
    fixed: { data_format: 'channels_last', keepdims: false },
    ignored: [],
  },
  SimpleRNN: {
    options: [...RECURRENT_OPTIONS, { keras: 'activation', gated: 'activation' }],
    fixed: RECURRENT_FIXED,
    ignored: RECURRENT_IGNORED,
  },
  LSTM: {
    options: [...RECURRENT_OPTIONS, { keras: 'unit_forget_bias', gated: 'unitForgetBias' }],
    fixed: { ...RECURRENT_FIXED, ...GATED_CELL_FIXED },
    ignored: RECURRENT_IGNORED,
  },
  GRU: {
    options: [...RECURRENT_OPTIONS, { keras: 'reset_after', gated: 'resetAfter' }],
    fixed: { ...RECURRENT_FIXED, ...GATED_CELL_FIXED },
    ignored: RECURRENT_IGNORED,
  },
  Bidirectional: {
    // The wrapped layers ('layer', 'backward_layer') are converted on their own.
    options: [{ keras: 'merge_mode', gated: 'mergeMode' }],
    fixed: {},
    ignored: [],
  },
};

export const RECURRENT_CLASSES = ['SimpleRNN', 'LSTM', 'GRU'];

/**
 * Keras's name for a layer's group in model.weights.h5: its class name in snake case
 * (keras.src.utils.naming.to_snake_case), `_1`, `_2`, … for later layers of the same class.
 */
export function kerasWeightGroups(classNames: readonly string[]): string[] {
  const used = new Map<string, number>();
  return classNames.map((className) => {
    const snake = className
      .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toLowerCase();
    const seen = used.get(snake);
    used.set(snake, seen === undefined ? 0 : seen + 1);
    return seen === undefined ? snake : `${snake}_${seen + 1}`;
  });
}

/** The h5 dataset paths of a layer's weights, in the order gated's params() lists them. */
export function kerasWeightPaths(group: string, className: string, count: number): string[] {
  const vars = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `layers/${group}/${prefix}vars/${i}`);
  if (className === 'Bidirectional') {
    return [...vars('forward_layer/cell/', count / 2), ...vars('backward_layer/cell/', count / 2)];
  }
  return vars(RECURRENT_CLASSES.includes(className) ? 'cell/' : '', count);
}
