import type { FloatArray } from '../tensor/tensor.js';
import type { ActivationKind } from './core-ops.js';

/** Activations a SimpleRNN cell may use (softmax makes no sense on a hidden state). */
export type RecurrentActivation = Exclude<ActivationKind, 'softmax'>;

/** The cell a whole-sequence op runs; G (gates per unit) is 1, 4 and 3. */
export type SequenceCell =
  | { readonly kind: 'simpleRnn'; readonly activation: RecurrentActivation }
  | { readonly kind: 'lstm' }
  | { readonly kind: 'gru'; readonly resetAfter: boolean };

/** G of a cell: gate blocks per unit. */
export function gateCount(cell: SequenceCell): number {
  return cell.kind === 'simpleRnn' ? 1 : cell.kind === 'lstm' ? 4 : 3;
}

/**
 * Gate inputs given as rows of a table instead of in `gates`: row b of block s enters as
 * table[rows[s·B + b]] + bias (rows of G·units values; bias null or absent: none). A layer fed by
 * token ids projects each distinct token once and lets the sequence op copy the rows in step by
 * step, while they are in cache, instead of gathering all T·B rows into `gates` first (a 13 MB
 * write and reread per batch on the reference model) or adding the bias to the table first.
 */
export interface GateRows {
  readonly table: FloatArray;
  readonly rows: Int32Array;
  readonly bias?: FloatArray | null;
}

/** What sequenceLast reads a layer's input as: its cell and sizes, x [batch, steps, inputDim]. */
export interface SequenceInput {
  readonly cell: SequenceCell;
  readonly batch: number;
  readonly steps: number;
  readonly units: number;
  readonly inputDim: number;
  readonly x: FloatArray;
}

/**
 * One layer's own arguments of sequenceLast (its direction, weights, mask and output); a call
 * may run two over the same input (Bidirectional's two directions).
 */
export interface SequenceLastLayer {
  readonly reverse: boolean;
  readonly W: FloatArray;
  readonly bias: FloatArray | null;
  readonly U: FloatArray;
  readonly mask: Uint8Array | null;
  readonly out: FloatArray;
}

/**
 * One layer's recurrence over a batch: its cell, sizes and time-major buffers, whole sequences
 * from offset 0 (null where the cell or the options have none).
 */
export interface SequenceBuffers {
  readonly cell: SequenceCell;
  readonly batch: number;
  readonly steps: number;
  readonly units: number;
  /** [steps, batch, G·units]: input projections, then gate activations. */
  readonly gates: FloatArray;
  /** [steps+1, batch, units] hidden states; block 0 the initial state. */
  readonly h: FloatArray;
  /** [steps, batch, units] the recurrent input h_s ⊙ recurrentScale, when that is given. */
  readonly hIn: FloatArray | null;
  /** [batch, units] a recurrent-dropout scale, or null. */
  readonly recurrentScale: FloatArray | null;
  /** [steps, batch], 0 where a row is padding, or null. */
  readonly mask: Uint8Array | null;
  /** LSTM: [steps+1, batch, units] cell states; block 0 the initial state. */
  readonly c: FloatArray | null;
  /**
   * GRU: [steps, batch, 3·units] recurrent projections (with resetAfter zeros plus
   * recurrentBias, plus hIn·U), written by sequenceForward.
   */
  readonly rec: FloatArray | null;
  /** GRU with resetAfter: [3·units] the recurrent bias, or null or absent for none. */
  readonly recurrentBias?: FloatArray | null;
  /** GRU without resetAfter: [steps, batch, units] r ⊙ hIn per step. */
  readonly rh: FloatArray | null;
}

/** The gradients sequenceBackward reads and writes. */
export interface SequenceGradients {
  /** [steps, batch, units]: the output gradients on entry, the complete dL/dh per step on return. */
  readonly dH: FloatArray;
  /** [steps, batch, G·units], written. */
  readonly dGates: FloatArray;
  /** [batch, units] scratch when there is a recurrentScale, else null. */
  readonly dHIn: FloatArray | null;
  /** LSTM: [batch, units], dL/dc after the last step on entry, of the initial state on return. */
  readonly dc: FloatArray | null;
  /** GRU with resetAfter: [steps, batch, 3·units], written. */
  readonly dRec: FloatArray | null;
  /** GRU without resetAfter: [batch, units] scratch. */
  readonly dRh: FloatArray | null;
  /**
   * True when only the last step has an output gradient (a layer that returns its last state):
   * dH's other blocks are then not read on entry but written as if they held zeros, so the
   * caller need not zero them. Absent: false.
   */
  readonly lastStepOnly?: boolean;
}

/**
 * A second layer's sequenceForward arguments, run in the same call (Bidirectional's other
 * direction): the same cell, batch, steps and units as the first.
 */
export interface SecondSequence {
  readonly seq: SequenceBuffers;
  readonly U: FloatArray;
  readonly gateRows?: GateRows | null;
}

/** A second layer's sequenceBackward arguments, run in the same call. */
export interface SecondSequenceBackward {
  readonly seq: SequenceBuffers;
  readonly Ut: FloatArray;
  readonly grads: SequenceGradients;
}

/**
 * Step s of seq as views (steps 1, block s of each buffer; h and c from block s, their initial
 * state), and the rows of step s of gateRows: one call of a step has the bits of step s within
 * the whole call.
 */
export function sequenceStep(
  seq: SequenceBuffers,
  s: number,
  gateRows: GateRows | null,
): [SequenceBuffers, GateRows | null] {
  const BH = seq.batch * seq.units;
  const GBH = gateCount(seq.cell) * BH;
  const step: SequenceBuffers = {
    ...seq,
    steps: 1,
    gates: sequenceBlocks(seq.gates, s, GBH),
    h: sequenceBlocks(seq.h, s, BH, 2),
    hIn: sequenceBlocks(seq.hIn, s, BH),
    mask: sequenceBlocks(seq.mask, s, seq.batch),
    c: sequenceBlocks(seq.c, s, BH, 2),
    rec: sequenceBlocks(seq.rec, s, GBH),
    rh: sequenceBlocks(seq.rh, s, BH),
  };
  return [step, gateRows && { ...gateRows, rows: sequenceBlocks(gateRows.rows, s, seq.batch) }];
}

/** What both sequence transposes take after their two arrays. */
export type TransposeShape = [
  batch: number,
  steps: number,
  features: number,
  reverse: boolean,
  scale: FloatArray | null,
];

/**
 * Blocks [s, s + count) of a time-major sequence buffer of `width`-value blocks, as a view: what
 * a sequence op takes to start at step s (null stays null).
 */
export function sequenceBlocks<A extends FloatArray | Uint8Array | Int32Array>(
  a: A,
  s: number,
  width: number,
  count?: number,
): A;
export function sequenceBlocks<A extends FloatArray | Uint8Array | Int32Array>(
  a: A | null,
  s: number,
  width: number,
  count?: number,
): A | null;
export function sequenceBlocks<A extends FloatArray | Uint8Array | Int32Array>(
  a: A | null,
  s: number,
  width: number,
  count = 1,
): A | null {
  return a && (a.subarray(s * width, (s + count) * width) as A);
}

/**
 * The recurrence as whole-sequence ops, plus the transposes around it.
 *
 * A recurrent layer makes one call per pass (sequenceForward, sequenceBackward; sequenceLast for
 * inference), which a fast backend runs with threads splitting the batch for all steps. The
 * definition of each is the reference backend's loop over its per-step cell kernels
 * (./reference/sequence.ts, ./reference/cells.ts). All sequence buffers are time-major, in
 * processing order (step s of a goBackwards layer is time T−1−s): one step is a contiguous
 * [batch, width] block. Within a block, row b of a [batch, G·units] gate array holds the gates
 * side by side, each `units` wide, in Keras order (LSTM i, f, c, o; GRU z, r, h).
 *
 * Masks [steps, batch]: 0 when row b is padding at step s (null: no padding). A masked row keeps
 * its state (h_t = h_{t−1}, c_t = c_{t−1}) and gets zero gate gradients; its dL/dh passes
 * straight to the previous step.
 *
 * sequenceForward over steps [s, s + n) of a sequence is the call of n steps on views
 * (subarrays) from block s of each buffer (h and c: block s is then the initial state), with the
 * same bits as within one longer call: a layer whose observer must see every step runs forward
 * as calls of one step (sequenceStep makes their records).
 */
export interface RecurrentOps {
  /**
   * y[s, b, :] = x[b, t, :] ⊙ scale[b, :] with t = reverse ? steps−1−s : s: a batch-major
   * [batch, steps, features] array to time-major [steps, batch, features]. scale (a per-sample
   * dropout mask of `batch·features` values) is optional.
   */
  sequenceToTimeMajor(x: FloatArray, y: FloatArray, ...shape: TransposeShape): void;
  /** The inverse: x[b, t, :] = y[s, b, :] ⊙ scale[b, :] with t as above. */
  timeMajorToSequence(y: FloatArray, x: FloatArray, ...shape: TransposeShape): void;

  /**
   * The whole recurrence of seq: for s = 0 … steps−1,
   *   hIn_s = h_s ⊙ recurrentScale (only when recurrentScale is given; else h_s is the input);
   *   the cell's recurrent projection of hIn_s (U [units, G·units]) and its step kernel.
   * gates hold the input projections on entry, or are copied in from gateRows when given, and
   * the gate activations on return; h, hIn, c, rec and rh are written as SequenceBuffers says.
   * `second`, when given, is a second layer of the same cell and sizes (Bidirectional's other
   * direction), computed as by its own call: a fast backend then gives each layer its own
   * threads, which run whole blocks of every step instead of rows of both layers' blocks.
   */
  sequenceForward(
    seq: SequenceBuffers,
    U: FloatArray,
    gateRows?: GateRows | null,
    second?: SecondSequence | null,
  ): void;
  /**
   * Backward through time after sequenceForward over the same seq: for s = steps−1 … 0 the
   * cell's step backward (dh = dH block s; what passes straight to the previous state, a masked
   * row's dh and GRU's z ⊙ dh, is added to dH block s−1 when s > 0), then the gradient through U
   * (Ut = Uᵀ [G·units, units]) into dH block s−1, through recurrentScale when given. seq's
   * buffers as sequenceForward left them; grads as SequenceGradients says. `second` as in
   * sequenceForward.
   */
  sequenceBackward(
    seq: SequenceBuffers,
    Ut: FloatArray,
    grads: SequenceGradients,
    second?: SecondSequenceBackward | null,
  ): void;
  /**
   * Inference of the last state, exactly the training path's ops: input.x batch-major to
   * time-major (reversed when layer.reverse), gates = x·W (W [inputDim, G·units]) + bias (or
   * none; GRU resetAfter: bias [2, 3·units], row 0 here and row 1 the recurrent bias), zero
   * initial states, sequenceForward with the layer's mask ([steps, batch] in processing order, or
   * null), and the state after the last step into out [batch, units]. A fast backend runs it
   * without keeping what only backward needs. `second`, when given, is a second layer of the same
   * cell and sizes over the same x (Bidirectional's other direction), computed as by its own
   * call: a fast backend may then give each layer its own threads, where one review's batch of 1
   * cannot be split.
   */
  sequenceLast(
    input: SequenceInput,
    layer: SequenceLastLayer,
    second?: SequenceLastLayer | null,
  ): void;
}
