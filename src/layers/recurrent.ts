import type { Backend } from '../backend/backend.js';
import { matrix } from '../backend/core-ops.js';
import {
  sequenceStep,
  type GateRows,
  type SequenceBuffers,
  type SecondSequenceBackward,
  type SequenceCell,
} from '../backend/recurrent-ops.js';
import type { Rng } from '../random/rng.js';
import { Tensor, type FloatArray, type SequenceMask, type Shape } from '../tensor/tensor.js';
import { createParam } from './common.js';
import type { Embedding } from './embedding.js';
import { glorotUniform, orthogonal } from './initializers.js';
import { Layer, type ForwardContext, type LayerConfig, type Param } from './layer.js';
import { TokenProjection } from './token-projection.js';

/**
 * One step of a recurrent layer as an observer sees it (RecurrentObserver.step), right after
 * the cell ran. Arrays are the layer's own time-major buffers: read them during the call only.
 */
export interface RecurrentStep {
  /** Time index t of the step (step s of a goBackwards layer is time T−1−s). */
  readonly time: number;
  readonly batch: number;
  readonly units: number;
  /** G: gate blocks per unit (1 SimpleRNN, 3 GRU, 4 LSTM). */
  readonly gateCount: number;
  /**
   * The step's gate activations, [batch, G·units] from gatesOffset, gates side by side in the
   * cell's order (LSTM i, f, c, o; GRU z, r, h; SimpleRNN its output).
   */
  readonly gates: FloatArray;
  readonly gatesOffset: number;
  /** The new state h_t, [batch, units] from stateOffset; an observer may change it in place. */
  readonly h: FloatArray;
  /** LSTM: the new cell state c_t, [batch, units] from stateOffset; null for the other cells. */
  readonly c: FloatArray | null;
  readonly stateOffset: number;
  /** 0 at mask[maskOffset + b] when row b is padding at this step (its state carried over); null: no mask. */
  readonly mask: Uint8Array | null;
  readonly maskOffset: number;
}

/**
 * What a study sees of a recurrent layer (RecurrentLayer.observer): `explain` records the steps,
 * the gradient study the state gradients, and finite differences perturb h_t in `step`.
 */
export interface RecurrentObserver {
  /**
   * Called after every step of forward with its gates and new state, which it may change before
   * the next step reads it: forward then runs as one backend call per step (the same bits as one
   * call for the whole sequence). Backward is unchanged.
   */
  step?(step: RecurrentStep): void;
  /**
   * Called at the end of backward with ‖∂L/∂h_t‖ (over the batch, including the gradient carried
   * from later steps) for each time t, in time order.
   */
  stateGradients?(norms: Float64Array): void;
}

/** Options shared by SimpleRNN, LSTM and GRU (Keras names, camel-cased). */
export interface RecurrentOptions {
  /** Size of the hidden state H: a positive integer. */
  units: number;
  useBias?: boolean;
  /** Output every step's h as [B, T, H] (true) or only the last one as [B, H] (false). */
  returnSequences?: boolean;
  /** Process the sequence from its last step; with returnSequences the output is in that order. */
  goBackwards?: boolean;
  /** Fraction of input features dropped in training, one mask per sample for all steps. */
  dropout?: number;
  /** Fraction of hidden units dropped from the recurrent input in training, one mask per sample. */
  recurrentDropout?: number;
  name?: string;
}

/**
 * What one forward pass keeps for backward. Sequence buffers are time-major in processing order
 * (step s is time T−1−s when goBackwards), so every step is one contiguous [B, width] block.
 */
export interface SequencePass {
  readonly batch: number;
  readonly steps: number;
  readonly inputDim: number;
  /** [T, B, D] inputs after input dropout; null when the layer projected an Embedding's tokens. */
  readonly x: FloatArray | null;
  /** The Embedding whose tokens the layer projected itself (forwardTokens), or null. */
  readonly tokens: Embedding | null;
  /**
   * [T, B, G·H] input projections (or, with gateRows, filled by the sequence op), overwritten by
   * the cell with the gate activations.
   */
  readonly gates: FloatArray;
  /** The projected tokens the sequence op copies into `gates` (forwardTokens), or null. */
  readonly gateRows: GateRows | null;
  /** [T+1, B, H] hidden states; block 0 is the zero initial state, block s+1 the state after step s. */
  readonly h: FloatArray;
  /** The recurrent input of step s at block s: `h` itself, or h ⊙ recurrent-dropout mask [T, B, H]. */
  readonly hIn: FloatArray;
  /** [T, B] 0 where the input is padding, or null. */
  readonly mask: Uint8Array | null;
  readonly inputScale: FloatArray | null;
  readonly recurrentScale: FloatArray | null;
  /** The cell's own sequences (RecurrentOps.sequenceForward), set by beginForward: LSTM c; GRU rec and rh. */
  c: FloatArray | null;
  rec: FloatArray | null;
  rh: FloatArray | null;
  /** GRU with resetAfter: its recurrent bias, or null. */
  recurrentBias: FloatArray | null;
}

/** What a recurrent layer's forward hands its recurrence: the projected input. */
type RecurrenceInput = Pick<
  SequencePass,
  'batch' | 'steps' | 'inputDim' | 'x' | 'tokens' | 'gates' | 'gateRows' | 'inputScale'
>;

/**
 * A pass's backward through time (an observer watches forward steps only) as sequenceBackward
 * takes it (as its first layer or its second): dGates is filled and dH completed (dL/dh per step,
 * output gradients on entry).
 */
interface BackwardPass extends SecondSequenceBackward {
  readonly p: SequencePass;
}

/** The cell's own backward buffers (RecurrentOps.sequenceBackward): LSTM dc; GRU dRec or dRh. */
export interface BackwardBuffers {
  dc: FloatArray | null;
  dRec: FloatArray | null;
  dRh: FloatArray | null;
}

const COMMON_KEYS = [
  'units',
  'useBias',
  'returnSequences',
  'goBackwards',
  'dropout',
  'recurrentDropout',
  'name',
];

function checkRate(owner: string, what: string, rate: number): number {
  if (!(typeof rate === 'number' && rate >= 0 && rate < 1)) {
    throw new Error(`${owner}: ${what} must be a number in [0, 1), got ${String(rate)}`);
  }
  return rate;
}

function checkBoolean(owner: string, what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${owner}: ${what} must be a boolean`);
  return value;
}

/** Per-sample inverted-dropout scales: 0 with probability `rate`, else 1/(1−rate). */
function drawDropout(out: FloatArray, rate: number, rng: Rng): FloatArray {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < out.length; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}

/**
 * The sequence loop of every recurrent layer, written once over the backend's gemm and the
 * cell's fused pointwise kernels (see RecurrentOps):
 * - forward: one GEMM projects all steps' inputs X[T·B, D]·W[D, G·H] (+ bias); then per step
 *   the cell adds h_{t−1}·U and runs its fused kernel;
 * - backward: per step the cell's fused backward kernel and dL/dh_{t−1} = dG·Uᵀ; then
 *   dW = Xᵀ·dG, dU = H_prevᵀ·dG as GEMMs over all steps, db by sumRows, dX = dG·Wᵀ.
 * This base owns masking, dropout, goBackwards, returnSequences and the buffers; a cell
 * supplies its gate count, bias layout, its SequenceCell and its own buffers. The loop over
 * time is the backend's (RecurrentOps.sequenceForward/Backward: one call per pass, or per step
 * of forward when an observer must see every step).
 *
 * Masks: at a masked step the states carry over unchanged, and with returnSequences the
 * output there is zeros. Recurrent dropout scales only the recurrent input h_{t−1}·U (and, for
 * GRU resetAfter=false, r ⊙ h_{t−1}); state carries (GRU's z ⊙ h_{t−1}) use the undropped state.
 * All buffers are reused across batches, outputs included (valid until the next forward).
 */
export abstract class RecurrentLayer extends Layer {
  readonly units: number;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** A study's view of the steps and state gradients (not part of the config). */
  observer: RecurrentObserver | null = null;

  /** G: gates per unit (1 SimpleRNN, 3 GRU, 4 LSTM). */
  protected abstract readonly gateCount: number;
  /**
   * Names of the gate blocks, in the cell's order (LSTM input, forget, candidate, output; GRU
   * update, reset, candidate); none for SimpleRNN, whose one block is its output.
   */
  abstract readonly gateNames: readonly string[];
  kernel: Param | null = null;
  recurrentKernel: Param | null = null;
  bias: Param | null = null;
  private tokenProjection: TokenProjection | null = null;
  protected pass: SequencePass | null = null;

  /** `extraKeys`: the option names the cell adds to RecurrentOptions. */
  constructor(options: RecurrentOptions, owner: string, extraKeys: readonly string[]) {
    if (typeof options !== 'object' || options === null) {
      throw new Error(`${owner}: expected an options object`);
    }
    super(options.name);
    // Catches Keras snake_case names and typos, which would otherwise be silently ignored.
    const known = [...COMMON_KEYS, ...extraKeys];
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new Error(`${owner}: unknown option '${key}' (known: ${known.join(', ')})`);
      }
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new Error(`${owner}: name must be a string`);
    }
    const { units } = options;
    if (!Number.isInteger(units) || units <= 0) {
      throw new Error(`${owner}: units must be a positive integer, got ${String(units)}`);
    }
    this.units = units;
    this.useBias = checkBoolean(owner, 'useBias', options.useBias, true);
    this.returnSequences = checkBoolean(owner, 'returnSequences', options.returnSequences, false);
    this.goBackwards = checkBoolean(owner, 'goBackwards', options.goBackwards, false);
    this.dropout = checkRate(owner, 'dropout', options.dropout ?? 0);
    this.recurrentDropout = checkRate(owner, 'recurrentDropout', options.recurrentDropout ?? 0);
  }

  /** Shape of the bias (Keras): [G·H] by default. */
  protected biasShape(): Shape {
    return [this.gateCount * this.units];
  }

  /** Fills the bias after it is zeroed (LSTM's unitForgetBias overrides this). */
  protected initBias(_bias: FloatArray): void {}

  override build(inputShape: Shape, backend: Backend, rng: Rng): void {
    if (inputShape.length !== 2) {
      throw new Error(
        `${this.className} '${this.name}': expected input of rank 3 [batch, steps, features], ` +
          `got [batch, ${inputShape.join(', ')}]`,
      );
    }
    const D = inputShape[1];
    if (!Number.isInteger(D) || D <= 0) {
      throw new Error(`${this.className} '${this.name}': the feature size must be known, got ${D}`);
    }
    super.build(inputShape, backend, rng);
    const GH = this.gateCount * this.units;
    // Keras draw order: kernel, recurrent kernel, bias.
    this.kernel = createParam(this.backend, 'kernel', [D, GH]);
    glorotUniform(this.kernel.value.data, D, GH, rng);
    this.recurrentKernel = createParam(this.backend, 'recurrent_kernel', [this.units, GH]);
    orthogonal(this.recurrentKernel.value.data, this.units, GH, rng);
    this.bias = this.useBias ? createParam(this.backend, 'bias', this.biasShape()) : null;
    if (this.bias !== null) this.initBias(this.bias.value.data);
    this.pass = null;
  }

  override params(): Param[] {
    const ps = [this.kernel, this.recurrentKernel, this.bias];
    return ps.filter((p): p is Param => p !== null);
  }

  override outputShape(inputShape: Shape): Shape {
    return this.returnSequences ? [inputShape[0], this.units] : [this.units];
  }

  /** The output mask follows the output's step order (reversed when goBackwards). */
  override computeMask(_x: Tensor, inputMask: SequenceMask | null): SequenceMask | null {
    if (!this.returnSequences || inputMask === null) return null;
    if (!this.goBackwards) return inputMask;
    const { batch, steps } = inputMask;
    const data = this.ws.uint8('outputMask', batch * steps);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < steps; t++)
        data[b * steps + t] = inputMask.data[b * steps + steps - 1 - t];
    }
    return { data, batch, steps };
  }

  override getConfig(): LayerConfig {
    return {
      name: this.name,
      units: this.units,
      useBias: this.useBias,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }

  protected get W(): Param {
    if (this.kernel === null) throw new Error(`${this.className} '${this.name}' is not built yet`);
    return this.kernel;
  }

  protected get U(): Param {
    if (this.recurrentKernel === null) {
      throw new Error(`${this.className} '${this.name}' is not built yet`);
    }
    return this.recurrentKernel;
  }

  /** [B, T, D] of an input x, checked against the kernel. */
  private checkedInput(x: Tensor): [number, number, number] {
    const W = this.W;
    if (x.shape.length !== 3 || x.shape[2] !== W.value.shape[0]) {
      throw new Error(
        `${this.className} '${this.name}': expected input [batch, steps, ${W.value.shape[0]}], ` +
          `got [${x.shape.join(', ')}]`,
      );
    }
    const [B, T, D] = x.shape;
    if (T < 1) throw new Error(`${this.className} '${this.name}': sequences must have ≥ 1 step`);
    return [B, T, D];
  }

  override forward(x: Tensor, ctx: ForwardContext): Tensor {
    const last = this.forwardLastStates(x, ctx, null);
    if (last !== null) return last[0];
    return this.recur(this.projectInput(x, ctx), ctx);
  }

  /**
   * forward() of this layer and `other` (Bidirectional's other direction: the same cell and
   * units) over the same x, or their forwardTokens when `embedding` is given, both recurrences in
   * one backend call where neither needs its steps one by one (a fast backend then gives each
   * layer its own threads); the same bits as two forwards.
   */
  forwardWith(
    other: RecurrentLayer,
    x: Tensor,
    ctx: ForwardContext,
    embedding: Embedding | null = null,
  ): [Tensor, Tensor] {
    this.checkTwin(other);
    const last = embedding === null ? this.forwardLastStates(x, ctx, other) : null;
    if (last !== null) return [last[0], last[1]];
    const project = (l: RecurrentLayer) =>
      embedding === null ? l.projectInput(x, ctx) : l.projectTokens(embedding, x, ctx);
    if (this.observer?.step !== undefined || other.observer?.step !== undefined) {
      return [this.recur(project(this), ctx), other.recur(project(other), ctx)];
    }
    const p = this.startRecurrence(project(this), ctx);
    const q = other.startRecurrence(project(other), ctx);
    const second = { seq: other.sequenceOf(q), U: other.U.value.data, gateRows: q.gateRows };
    this.backend.sequenceForward(this.sequenceOf(p), this.U.value.data, p.gateRows, second);
    return [this.finishRecurrence(p), other.finishRecurrence(q)];
  }

  /** The time-major input projection of x (after input dropout), for recur. */
  private projectInput(x: Tensor, ctx: ForwardContext): RecurrenceInput {
    const W = this.W;
    const [B, T, D] = this.checkedInput(x);
    const H = this.units;
    const GH = this.gateCount * H;
    const be = this.backend;
    const ws = this.ws;
    const training = ctx.training;
    const inputScale =
      training && this.dropout > 0
        ? drawDropout(ws.get('inputScale', B * D), this.dropout, ctx.rng)
        : null;
    const x3 = ws.get('x', T * B * D);
    be.sequenceToTimeMajor(x.data, x3, B, T, D, this.goBackwards, inputScale);
    const gates = ws.get('gates', T * B * GH);
    be.gemm(matrix(x3, T * B, D), matrix(W.value.data, D, GH), matrix(gates, T * B, GH), 0);
    if (this.bias !== null) be.addRowVector(gates, T * B, GH, this.bias.value.data);
    return {
      batch: B,
      steps: T,
      inputDim: D,
      x: x3,
      tokens: null,
      gates,
      gateRows: null,
      inputScale,
    };
  }

  /**
   * forward() on what `embedding` would output for the token ids x [B, T], without that output:
   * the input projection runs once per distinct token (TokenProjection), and backward() hands the
   * embedding its rows' gradients itself and returns null. Sequential.trainOnBatch runs an
   * Embedding and the recurrent layer after it this way when the layer has no input dropout.
   */
  forwardTokens(embedding: Embedding, x: Tensor, ctx: ForwardContext): Tensor {
    return this.recur(this.projectTokens(embedding, x, ctx), ctx);
  }

  /** forwardTokens' input: the batch's distinct tokens projected once each, as gate rows. */
  private projectTokens(embedding: Embedding, x: Tensor, ctx: ForwardContext): RecurrenceInput {
    const W = this.W;
    if (x.shape.length !== 2 || embedding.outputDim !== W.value.shape[0]) {
      throw new Error(
        `${this.className} '${this.name}': expected token ids [batch, steps] embedded in ` +
          `${W.value.shape[0]} features, got [${x.shape.join(', ')}] embedded in ${embedding.outputDim}`,
      );
    }
    if (ctx.training && this.dropout > 0) {
      throw new Error(`${this.className} '${this.name}': input dropout needs the embedded input`);
    }
    const [B, T] = x.shape;
    if (T < 1) throw new Error(`${this.className} '${this.name}': sequences must have ≥ 1 step`);
    const gates = this.ws.get('gates', T * B * this.gateCount * this.units);
    this.tokenProjection ??= new TokenProjection(this.backend, this.ws);
    const gateRows = this.tokenProjection.forward(
      embedding.tokens(x),
      { batch: B, steps: T, goBackwards: this.goBackwards, gateWidth: this.gateCount * this.units },
      W.value.data,
      this.bias === null ? null : this.bias.value.data,
    );
    const D = embedding.outputDim;
    const pass = { batch: B, steps: T, inputDim: D, x: null, tokens: embedding, gates, gateRows };
    return { ...pass, inputScale: null };
  }

  /** The recurrence over the projected inputs and the layer's output, for both forwards. */
  private recur(input: RecurrenceInput, ctx: ForwardContext): Tensor {
    const p = this.startRecurrence(input, ctx);
    this.runForward(p);
    return this.finishRecurrence(p);
  }

  /** The pass of the recurrence over `input`: its buffers, dropout and mask (before the op). */
  private startRecurrence(input: RecurrenceInput, ctx: ForwardContext): SequencePass {
    const { batch: B, steps: T } = input;
    const H = this.units;
    const ws = this.ws;
    const recurrentScale =
      ctx.training && this.recurrentDropout > 0
        ? drawDropout(ws.get('recurrentScale', B * H), this.recurrentDropout, ctx.rng)
        : null;
    const h = ws.get('h', (T + 1) * B * H);
    const p: SequencePass = {
      ...input,
      h,
      hIn: recurrentScale === null ? h : ws.get('hIn', T * B * H),
      mask: ctx.mask === null ? null : this.processingMask(ctx.mask, B, T),
      recurrentScale,
      c: null,
      rec: null,
      rh: null,
      recurrentBias: null,
    };
    h.fill(0, 0, B * H);
    this.beginForward(p);
    return p;
  }

  /** Keeps the pass for backward and returns the layer's output from its states. */
  private finishRecurrence(p: SequencePass): Tensor {
    const { batch: B, steps: T, h } = p;
    const H = this.units;
    const ws = this.ws;
    this.pass = p;
    if (!this.returnSequences) {
      const y = ws.get('y', B * H);
      y.set(h.subarray(T * B * H, (T + 1) * B * H));
      return new Tensor(y, [B, H]);
    }
    const y = ws.get('y', B * T * H);
    this.backend.timeMajorToSequence(h.subarray(B * H), y, B, T, H, false, null);
    this.zeroMaskedRows(y, p.mask, B, T, (b, s) => (b * T + s) * H);
    return new Tensor(y, [B, T, H]);
  }

  /** dL/dx [B, T, D] from dL/dy, accumulating the weights' gradients (after forward()). */
  override backward(dy: Tensor): Tensor {
    return this.inputGradient(this.backwardThroughTime(dy));
  }

  /**
   * backward() of this layer and `other` after forwardWith (backwardTokens after it projected
   * tokens), both recurrences backward in one backend call: [dL/dx of this layer's dy, of other's
   * dyOther], each null after projected tokens.
   */
  backwardWith(other: RecurrentLayer, dy: Tensor, dyOther: Tensor): [Tensor | null, Tensor | null] {
    this.checkTwin(other);
    const mine = this.startBackward(dy);
    const theirs = other.startBackward(dyOther);
    this.backend.sequenceBackward(mine.seq, mine.Ut, mine.grads, theirs);
    return [
      this.afterRecurrence(this.finishBackward(mine)),
      other.afterRecurrence(other.finishBackward(theirs)),
    ];
  }

  /** The rest of backward after the recurrence's: dL/dx, or null after projected tokens. */
  private afterRecurrence(r: [SequencePass, FloatArray]): Tensor | null {
    return r[0].tokens === null ? this.inputGradient(r) : this.tokenGradient(r);
  }

  /** dL/dx [B, T, D] and the kernel's and bias's gradients, after the recurrence's backward. */
  private inputGradient([p, dGates]: [SequencePass, FloatArray]): Tensor {
    const { batch: B, steps: T, inputDim: D } = p;
    if (p.x === null) {
      throw new Error(
        `${this.className} '${this.name}': the last forward projected tokens: use backwardTokens`,
      );
    }
    const GH = this.gateCount * this.units;
    const be = this.backend;
    const W = this.W;
    be.gemm(
      matrix(p.x, T * B, D, { transposed: true }),
      matrix(dGates, T * B, GH),
      matrix(W.grad.data, D, GH),
      1,
    );
    if (this.bias !== null) be.sumRows(dGates, T * B, GH, this.bias.grad.data, 1);
    const dXt = this.ws.get('dX', T * B * D);
    const Wt = this.transposed('Wt', W.value.data, D, GH);
    be.gemm(matrix(dGates, T * B, GH), matrix(Wt, GH, D), matrix(dXt, T * B, D), 0);
    const dx = this.ws.get('dx', B * T * D);
    be.timeMajorToSequence(dXt, dx, B, T, D, this.goBackwards, p.inputScale);
    return new Tensor(dx, [B, T, D]);
  }

  /** Whether the last forward was forwardTokens (its backward is then backwardTokens). */
  get projectedTokens(): boolean {
    return this.pass !== null && this.pass.tokens !== null;
  }

  /**
   * backward() after forwardTokens: the weights' gradients, and the embedding's rows' gradients
   * added into the embedding's own gradient; the token ids have none to return.
   */
  backwardTokens(dy: Tensor): null {
    return this.tokenGradient(this.backwardThroughTime(dy));
  }

  /** The weights' and the embedding rows' gradients after the recurrence (forwardTokens). */
  private tokenGradient([p, dGates]: [SequencePass, FloatArray]): null {
    if (p.tokens === null || this.tokenProjection === null) {
      throw new Error(`${this.className} '${this.name}': the last forward did not project tokens`);
    }
    const W = this.W;
    const Wt = this.transposed('Wt', W.value.data, p.inputDim, this.gateCount * this.units);
    const dBias = this.bias === null ? null : this.bias.grad.data;
    const { rows, dRows } = this.tokenProjection.backward(dGates, Wt, W.grad.data, dBias);
    p.tokens.addRowGradients(rows, dRows);
    return null;
  }

  /**
   * The part of backward both inputs share: checks dy, runs the recurrence backward and the
   * recurrent kernel's gradient; returns the pass and dL/d(gate pre-activations) [T·B, G·H].
   */
  private backwardThroughTime(dy: Tensor): [SequencePass, FloatArray] {
    const b = this.startBackward(dy);
    this.backend.sequenceBackward(b.seq, b.Ut, b.grads);
    return this.finishBackward(b);
  }

  /** backwardThroughTime up to the sequence op: dy checked, dH of the outputs, Uᵀ, the buffers. */
  private startBackward(dy: Tensor): BackwardPass {
    const p = this.pass;
    if (p === null) throw new Error(`${this.className} '${this.name}': backward before forward`);
    const { batch: B, steps: T } = p;
    const H = this.units;
    const GH = this.gateCount * H;
    const BH = B * H;
    const expected = this.returnSequences ? [B, T, H] : [B, H];
    if (dy.shape.join() !== expected.join()) {
      throw new Error(
        `${this.className} '${this.name}': dy has shape [${dy.shape.join(', ')}], ` +
          `expected [${expected.join(', ')}]`,
      );
    }
    const be = this.backend;
    const ws = this.ws;
    const dGates = ws.get('dGates', T * B * GH);
    // dH block s: dL/dh after step s, complete (output + later steps) by the time step s runs.
    const dH = ws.get('dH', T * BH);
    if (this.returnSequences) {
      be.sequenceToTimeMajor(dy.data, dH, B, T, H, false, null);
      // Outputs at masked steps are constant zeros: their gradient goes nowhere.
      this.zeroMaskedRows(dH, p.mask, B, T, (b, s) => (s * B + b) * H);
    } else {
      // Only the last block: the op writes the others (lastStepOnly).
      dH.set(dy.data, (T - 1) * BH);
    }
    // Uᵀ and Wᵀ stored once per backward: the per-step dG·Uᵀ and dG·Wᵀ then run as plain
    // row-major products (about 1.4–1.8x faster than gemm's transB path on the reference backend).
    const Ut = this.transposed('Ut', this.U.value.data, H, GH);
    const dHIn = p.recurrentScale === null ? null : ws.get('dHIn', BH);
    const lastStepOnly = !this.returnSequences;
    const grads = { dH, dGates, dHIn, ...this.beginBackward(p), lastStepOnly };
    return { p, seq: this.sequenceOf(p), Ut, grads };
  }

  /** backwardThroughTime after the sequence op: the recurrent kernel's gradient, the observer. */
  private finishBackward({ p, grads }: BackwardPass): [SequencePass, FloatArray] {
    const { batch: B, steps: T } = p;
    const BH = B * this.units;
    const { dGates, dH } = grads;
    const be = this.backend;
    this.recurrentGradients(p, dGates);
    if (this.observer?.stateGradients !== undefined) {
      const norms = new Float64Array(T);
      for (let s = 0; s < T; s++) {
        const t = this.goBackwards ? T - 1 - s : s;
        norms[t] = Math.sqrt(be.sumSquares(dH.subarray(s * BH, (s + 1) * BH), BH));
      }
      this.observer.stateGradients(norms);
    }
    return [p, dGates];
  }

  /** A [rows, cols] matrix transposed into the workspace buffer `name`. */
  private transposed(name: string, m: FloatArray, rows: number, cols: number): FloatArray {
    const out = this.ws.get(name, rows * cols);
    // [rows, cols, 1] batch-major → [cols, rows, 1] "time-major" is exactly the transpose.
    this.backend.sequenceToTimeMajor(m, out, rows, cols, 1, false, null);
    return out;
  }

  /** [B, T] input mask → [T, B] in processing order. */
  private processingMask(mask: SequenceMask, B: number, T: number): Uint8Array {
    if (mask.batch !== B || mask.steps !== T) {
      throw new Error(
        `${this.className} '${this.name}': mask is [${mask.batch}, ${mask.steps}], input is [${B}, ${T}, …]`,
      );
    }
    const out = this.ws.uint8('mask', T * B);
    for (let s = 0; s < T; s++) {
      const t = this.goBackwards ? T - 1 - s : s;
      for (let b = 0; b < B; b++) out[s * B + b] = mask.data[b * T + t];
    }
    return out;
  }

  private zeroMaskedRows(
    data: FloatArray,
    mask: Uint8Array | null,
    B: number,
    T: number,
    rowStart: (b: number, s: number) => number,
  ): void {
    if (mask === null) return;
    const H = this.units;
    for (let s = 0; s < T; s++) {
      for (let b = 0; b < B; b++) {
        if (mask[s * B + b] === 0) data.fill(0, rowStart(b, s), rowStart(b, s) + H);
      }
    }
  }

  /**
   * The recurrence over all steps in one backend call (a fast backend splits the batch between
   * threads for all steps at once), or, when an observer must see every step, one call per step
   * on views from block s of each buffer (the call reads block s of h and c as its initial state
   * and writes block s + 1), the observer running between them.
   */
  private runForward(p: SequencePass): void {
    const seq = this.sequenceOf(p);
    const U = this.U.value.data;
    const be = this.backend;
    const observer = this.observer;
    if (observer?.step === undefined) {
      be.sequenceForward(seq, U, p.gateRows);
      return;
    }
    const BH = p.batch * this.units;
    for (let s = 0; s < p.steps; s++) {
      const [step, rows] = sequenceStep(seq, s, p.gateRows);
      be.sequenceForward(step, U, rows);
      observer.step({
        time: this.goBackwards ? p.steps - 1 - s : s,
        batch: p.batch,
        units: this.units,
        gateCount: this.gateCount,
        gates: p.gates,
        gatesOffset: s * this.gateCount * BH,
        h: p.h,
        c: p.c,
        stateOffset: (s + 1) * BH,
        mask: p.mask,
        maskOffset: s * p.batch,
      });
    }
  }

  /** The pass as the sequence ops take it. */
  private sequenceOf(p: SequencePass): SequenceBuffers {
    const { batch, steps, gates, h, mask, recurrentScale, c, rec, rh, recurrentBias } = p;
    const hIn = recurrentScale === null ? null : p.hIn;
    const shape = { cell: this.cell, batch, steps, units: this.units };
    return { ...shape, gates, h, hIn, recurrentScale, mask, c, rec, rh, recurrentBias };
  }

  /**
   * Inference when only the last state is wanted (no returnSequences, step observer or pass kept
   * for backward): one backend call that keeps only the current step (RecurrentOps.sequenceLast;
   * the same bits as the training path) into y [B, H]. `other`, a layer of the same cell and sizes
   * (Bidirectional's other direction), runs in the same call, so a fast backend can give each its
   * own thread where one review cannot be split. Null when either layer needs its full forward.
   */
  forwardLastStates(x: Tensor, ctx: ForwardContext, other: RecurrentLayer | null): Tensor[] | null {
    if (other !== null) this.checkTwin(other);
    const layers = other === null ? [this] : [this, other];
    const full = (l: RecurrentLayer) =>
      ctx.training || ctx.keepForBackward || l.returnSequences || l.observer?.step !== undefined;
    if (layers.some(full)) return null;
    const [B, T, D] = this.checkedInput(x);
    other?.checkedInput(x);
    const args = layers.map((l) => {
      l.pass = null;
      return {
        reverse: l.goBackwards,
        W: l.W.value.data,
        bias: l.bias === null ? null : l.bias.value.data,
        U: l.U.value.data,
        mask: ctx.mask === null ? null : l.processingMask(ctx.mask, B, T),
        out: l.ws.get('y', B * l.units),
      };
    });
    const input = {
      cell: this.cell,
      batch: B,
      steps: T,
      units: this.units,
      inputDim: D,
      x: x.data,
    };
    this.backend.sequenceLast(input, args[0], args[1] ?? null);
    return args.map((a) => new Tensor(a.out, [B, this.units]));
  }

  /** A second layer of one backend call must have this layer's cell and units. */
  private checkTwin(other: RecurrentLayer): void {
    if (other.units !== this.units || JSON.stringify(other.cell) !== JSON.stringify(this.cell)) {
      throw new Error(
        `${this.className} '${this.name}': the second layer must have its cell and units`,
      );
    }
  }

  /** The cell the sequence ops run. */
  protected abstract readonly cell: SequenceCell;
  /** Sets the cell's own sequences in p (called after the input projection). */
  protected beginForward(_p: SequencePass): void {}
  /** The cell's own backward buffers, zeroed where the ops need it. */
  protected beginBackward(_p: SequencePass): BackwardBuffers {
    return { dc: null, dRec: null, dRh: null };
  }

  /** dU += H_inᵀ·dGates over all steps (GRU overrides: its recurrent gradient differs). */
  protected recurrentGradients(p: SequencePass, dGates: FloatArray): void {
    const GH = this.gateCount * this.units;
    const rows = p.steps * p.batch;
    const dU = this.U.grad.data;
    this.backend.gemm(
      matrix(p.hIn, rows, this.units, { transposed: true }),
      matrix(dGates, rows, GH),
      matrix(dU, this.units, GH),
      1,
    );
  }
}

/** Builds a recurrent layer from its serialized config (used by Bidirectional). */
export type RecurrentFactory = (config: LayerConfig) => RecurrentLayer;

const recurrentFactories = new Map<string, RecurrentFactory>();

/**
 * Each recurrent layer module registers itself here on load, so Bidirectional can rebuild its
 * inner layer from {className, config} without importing every layer class.
 */
export function registerRecurrentLayer(className: string, factory: RecurrentFactory): void {
  recurrentFactories.set(className, factory);
}

export function createRecurrentLayer(className: string, config: LayerConfig): RecurrentLayer {
  const factory = recurrentFactories.get(className);
  if (factory === undefined) {
    const known = [...recurrentFactories.keys()].join(', ') || 'none loaded';
    throw new Error(`unknown recurrent layer '${className}' (registered: ${known})`);
  }
  return factory(config);
}
