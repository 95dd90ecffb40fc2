import type { Backend } from '../backend/backend.js';
import { matrix } from '../backend/core-ops.js';
import type { GateRows } from '../backend/recurrent-ops.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { Workspace } from './workspace.js';

/** What a recurrent layer's token projection reads: an Embedding's table and the batch's ids. */
export interface TokenInput {
  /** The embedding table E [vocabulary, D]. */
  readonly table: FloatArray;
  /** Token ids [B, T], each in [0, vocabulary) (the Embedding has checked them). */
  readonly ids: Int32Array;
}

/**
 * The input projection of a recurrent layer fed straight by an Embedding, computed once per
 * distinct token of the batch: E[ids]·W + b = (E[u]·W + b)[ids] for the batch's distinct ids u.
 * A batch of 64 × 200 tokens from a 10,000-word vocabulary holds about 7,200 distinct ids, so
 * the projection GEMM and both weight-gradient GEMMs run on 7,200 rows instead of 12,800, and
 * the embedding vectors are never copied per token nor transposed to time-major (the sequence op
 * copies each step's projected rows into its gates itself, RecurrentOps' gateRows). The values
 * are those of the dense path up to the order of float32 sums.
 */
export class TokenProjection {
  /** The distinct ids of the batch in first-seen order (in processing order). */
  private rows = new Int32Array(0);
  /** positions[s·B + b]: the index in `rows` of the token of row b at step s. */
  private positions = new Int32Array(0);
  /**
   * The rows s·B + b grouped by token, ascending within a token: token k's are
   * tokenRows[tokenStarts[k], tokenStarts[k + 1]), so a token's gate gradients are one bag.
   */
  private tokenRows = new Int32Array(0);
  private tokenStarts = new Int32Array(0);
  /** slot[id]: the id's index in `rows` while the batch is indexed, −1 otherwise. */
  private slot = new Int32Array(0);
  private count = 0;
  private inputDim = 0;
  /** E[rows] [count, D] from the last forward: the weight gradient's left operand. */
  private inputs: FloatArray | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly ws: Workspace,
  ) {}

  /**
   * The projected tokens of ids [B, T] (W [D, GH]) as the gate rows of a sequence op in
   * processing order (step s is time T−1−s when goBackwards), with the bias for the op to add as
   * it copies them in; valid until the next forward.
   */
  forward(
    input: TokenInput,
    shape: { batch: number; steps: number; goBackwards: boolean; gateWidth: number },
    W: FloatArray,
    bias: FloatArray | null,
  ): GateRows {
    const { batch: B, steps: T, gateWidth: GH } = shape;
    const D = W.length / GH;
    this.index(input.ids, B, T, shape.goBackwards, input.table.length / D);
    const be = this.backend;
    const n = this.count;
    const capacity = this.rows.length;
    const inputs = this.ws.get('tokenInputs', capacity * D);
    be.gather(input.table, D, this.rows.subarray(0, n), inputs);
    const projected = this.ws.get('tokenProjections', capacity * GH);
    be.gemm(matrix(inputs, n, D), matrix(W, D, GH), matrix(projected, n, GH), 0);
    this.inputs = inputs;
    return { table: projected.subarray(0, n * GH), rows: this.positions, bias };
  }

  /**
   * From dGates [T·B, GH] of the last forward: dW += E[u]ᵀ·dP and db += Σ dP over the distinct
   * tokens' summed gate gradients dP; returns the distinct ids and their embedding gradients
   * dP·Wᵀ [count, D] (valid until the next backward).
   */
  backward(
    dGates: FloatArray,
    Wt: FloatArray,
    dW: FloatArray,
    dBias: FloatArray | null,
  ): { rows: Int32Array; dRows: FloatArray } {
    const inputs = this.inputs;
    if (inputs === null) throw new Error('token projection: backward before forward');
    const be = this.backend;
    const n = this.count;
    const capacity = this.rows.length;
    const GH = dGates.length / this.positions.length;
    const D = Wt.length / GH;
    const dProjected = this.ws.get('tokenProjectionGrads', capacity * GH);
    // Each token's gradients added in processing order, as a scatter would add them, but each
    // token's row written once, by one thread: nothing to zero first.
    be.embeddingBag(
      dGates,
      GH,
      this.tokenRows,
      this.tokenStarts.subarray(0, n + 1),
      null,
      'sum',
      dProjected,
    );
    be.gemm(
      matrix(inputs, n, D, { transposed: true }),
      matrix(dProjected, n, GH),
      matrix(dW, D, GH),
      1,
    );
    if (dBias !== null) be.sumRows(dProjected, n, GH, dBias, 1);
    const dRows = this.ws.get('tokenInputGrads', capacity * D);
    be.gemm(matrix(dProjected, n, GH), matrix(Wt, GH, D), matrix(dRows, n, D), 0);
    return { rows: this.rows.subarray(0, n), dRows: dRows.subarray(0, n * D) };
  }

  /** Lists the distinct ids of ids [B, T] and where each token's row is, in processing order. */
  private index(ids: Int32Array, B: number, T: number, goBackwards: boolean, inputDim: number) {
    const tokens = B * T;
    if (this.positions.length !== tokens || this.inputDim !== inputDim) {
      this.positions = new Int32Array(tokens);
      this.tokenRows = new Int32Array(tokens);
      this.rows = new Int32Array(Math.min(tokens, inputDim));
      this.tokenStarts = new Int32Array(this.rows.length + 1);
    }
    if (this.inputDim !== inputDim) {
      this.slot = new Int32Array(inputDim).fill(-1);
      this.inputDim = inputDim;
    }
    const { rows, positions, slot } = this;
    let count = 0;
    for (let s = 0; s < T; s++) {
      const t = goBackwards ? T - 1 - s : s;
      for (let b = 0; b < B; b++) {
        const id = ids[b * T + t];
        let k = slot[id];
        if (k < 0) {
          k = count++;
          slot[id] = k;
          rows[k] = id;
        }
        positions[s * B + b] = k;
      }
    }
    for (let k = 0; k < count; k++) slot[rows[k]] = -1;
    this.count = count;
    // A counting sort of the rows by token.
    const { tokenRows, tokenStarts: starts } = this;
    starts.fill(0, 0, count + 1);
    for (let p = 0; p < tokens; p++) starts[positions[p] + 1]++;
    for (let k = 0; k < count; k++) starts[k + 1] += starts[k];
    for (let p = 0; p < tokens; p++) tokenRows[starts[positions[p]]++] = p;
    for (let k = count; k > 0; k--) starts[k] = starts[k - 1];
    starts[0] = 0;
  }
}
