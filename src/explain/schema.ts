/**
 * What `explain` returns, and what `gated explain --json` prints (README: "gated explain").
 * Every per-token array has one entry per position the model read (maxlen), in time order.
 */

/** How the model saw a position: padding, the start mark, an out-of-vocabulary word, a word, or a bare id. */
export type TokenKind = 'pad' | 'start' | 'oov' | 'word' | 'id';

export interface ExplainedToken {
  position: number;
  id: number;
  /** The word (the tokenized text, or the vocabulary's word for an id); `<pad>`, `<start>`, `<oov:word>`, `#id`. */
  text: string;
  kind: TokenKind;
}

/** Which output the explanation is about. */
export interface ExplainedOutput {
  /** The output unit explained: 0 for a one-unit (sigmoid) model, else the predicted class. */
  unit: number;
  /** What the unit's value means: "P(class 1)" or "P(class k)". */
  meaning: string;
  /** The model's value of that unit on the text (what `predict` returns). */
  value: number;
  /** The predicted class: value ≥ 0.5 for one unit, else the arg-max. */
  predictedClass: number;
}

/** The gates and states of one recurrent layer (one direction of a Bidirectional), per step. */
export interface RecurrentTrace {
  /** The layer's name (`lstm`, or `forward_lstm` / `backward_lstm` inside a Bidirectional). */
  layer: string;
  cell: 'LSTM' | 'GRU' | 'SimpleRNN';
  /** 'backward' reads the text from its end: its step at time t has seen tokens t…T−1. */
  direction: 'forward' | 'backward';
  units: number;
  /**
   * Gate activations per time and unit, [T][units]: LSTM input, forget, candidate (tanh), output;
   * GRU update, reset, candidate; none for SimpleRNN (its h is its only activation).
   */
  gates: Record<string, number[][]>;
  /** The mean over units of each gate, [T]. */
  gateMeans: Record<string, number[]>;
  /** The state after each step h_t, [T][units]. */
  h: number[][];
  /** ‖h_t‖, [T]. */
  hNorm: number[];
  /** LSTM: ‖c_t‖, [T]; null for GRU and SimpleRNN. */
  cNorm: number[] | null;
}

/** The explained output if the text had ended at each token. */
export interface RunningPrediction {
  /**
   * 'state': the layers after the (last-state) recurrent layer applied to its state after each
   * token — the state the next token would update. 'prefix': the model run on each prefix of the
   * text, padded as predict pads (Bidirectional, CNN and other models, whose last state is not
   * a prefix's prediction).
   */
  method: 'state' | 'prefix';
  values: number[];
}

/** Integrated gradients (Sundararajan et al. 2017) on the embeddings. */
export interface Attribution {
  method: 'integrated-gradients';
  /** Intervals of the path integral (trapezoid rule, steps + 1 model evaluations). */
  steps: number;
  baseline: string;
  /** Per position: Σ_d (e − e′)_d · ∫ ∂f/∂e_d along the straight path; padding keeps its embedding, so 0 there. */
  values: number[];
  /** f(x), f(baseline) and the completeness check: Σ values = f(x) − f(baseline) within tolerance. */
  output: number;
  baselineOutput: number;
  completeness: {
    sum: number;
    expected: number;
    /** |sum − expected| / max(|expected|, 0.01). */
    relativeError: number;
    tolerance: number;
    ok: boolean;
  };
}

/** One of the CNN's most influential filters and the tokens it fired on. */
export interface FilterEvidence {
  filter: number;
  /** Its pooled (max) activation times ∂f/∂(pooled activation): its first-order share of f. */
  contribution: number;
  /** The max over positions, what global max pooling passes on. */
  activation: number;
  /** The window of the max: the input positions it read, and their tokens. */
  positions: number[];
  tokens: string[];
  /** The filter's activation at every output position of the convolution. */
  activations: number[];
}

export interface Explanation {
  format: 'gated-explanation';
  version: 1;
  model: {
    /** Layer class names, e.g. "Embedding → LSTM → Dense". */
    architecture: string;
    maxlen: number;
    outputUnits: number;
    backend: string;
  };
  /** The text as given, or null when ids were given. */
  text: string | null;
  output: ExplainedOutput;
  tokens: ExplainedToken[];
  /** Ids cut from the front because the text was longer than maxlen ('pre' truncation, as predict). */
  truncated: { count: number; tokens: string[] };
  recurrent: RecurrentTrace[];
  running: RunningPrediction;
  attribution: Attribution;
  /** CNN (Embedding → Conv1D → GlobalMaxPooling1D → …): the top filters; null otherwise. */
  filters: FilterEvidence[] | null;
  /** Wall time of this explanation on this backend. */
  milliseconds: number;
}
