/**
 * Backend conformance suite: every op of the Backend interface, on random inputs at odd sizes
 * (1, 3, 17, 63, 65: not multiples of 8 or 16 vector lanes) and at the seed shapes (LSTM(64) on
 * batch 64 × 200 steps × 128 features), compared with the float64 reference backend.
 *
 *   import { runConformance } from './conformance.js';
 *   runConformance('native', () => createNativeBackend());
 *
 * The sequence group (conformance/sequence.ts) checks the whole-sequence ops against themselves
 * on the tested backend, bit for bit: one call against a call per step, against one thread, and
 * sequenceLast against the training path; and the recurrent layers with a step observer against
 * without.
 * The validation group (conformance/validation.ts) checks the argument contract instead: every
 * op, given negative, fractional or overflowing sizes or short arrays, throws and writes nothing.
 *
 * Inputs are float32-representable, so a float32 backend and the float64 oracle see the same
 * numbers. Every output slice is surrounded by guard values that must keep their bits (an op
 * writes nothing outside its declared output), and every input must be left unchanged.
 *
 * Error bounds, u = unit roundoff of the tested dtype (2⁻²⁴ float32), want = oracle value:
 *
 * | op                                        | bound on |got − want|                           |
 * | ----------------------------------------- | ----------------------------------------------- |
 * | gather, scatterAdd (repeated ids)         | 0: bit for bit (scatter inputs are dyadic, so   |
 * | sequenceToTimeMajor, timeMajorToSequence  |    every order of summation is exact)           |
 * | im2col1d, col2im1d, maxPool1d (+argmax),  |                                                 |
 * | maxPool1dBackward, addRowVector, multiply,|    one correctly rounded IEEE op per value      |
 * | relu, linear                              |                                                 |
 * | gemm                                      | 4·√k·u·(‖op(A)ᵢ‖₂·‖op(B)ⱼ‖₂ + β·|Cᵢⱼ|)          |
 * | sumRows                                   | 4·√rows·u·(Σᵣ|xᵣ| + β·|out|)                    |
 * | sumSquares (float64 accumulation)         | 2·u·Σx² (float32 accumulation fails at large n) |
 * | axpy / scale                              | 4 / 2 ·u·max(1, |want|)                         |
 * | activation sigmoid, tanh                  | 8·u·max(1, |want|)                              |
 * | activation softmax                        | (16 + 4·√cols)·u·max(1, |want|)                 |
 * | activationBackward sigmoid, tanh          | 4·u·max(1, |want|)                              |
 * | activationBackward softmax                | (8 + 4·√cols)·u·max(1, |want|)                  |
 * | sequenceForward, one step: SimpleRNN /    | 8 / 16 ·u·max(1, |want|): the cell kernel (the  |
 * |   LSTM, GRU (rh: 8)                       |   recurrent GEMM is exact on 1/64-grid inputs)  |
 * | sequenceBackward, one step: SimpleRNN /   | 4 / 32 ·u·max(1, |want|)                        |
 * |   LSTM, GRU                               |                                                 |
 * |   GRU resetAfter=false                    |   plus the GEMM bound of the (r ⊙ hIn)·U_h      |
 * |                                           |   (forward) or dG_h·U_hᵀ (backward) it reads    |
 * | sequenceForward + sequenceBackward,       | 1024·u·max(1, |want|): rounding carried through |
 * |   several steps                           |   the steps (about 250 on the float32 backends) |
 * | globalAvgPool1d / its backward            | (4 + 4·√steps) / 2 ·u·max(1, |want|)            |
 * | sgdUpdate, rmspropUpdate, adamUpdate      | 16·u·max(1, |want|) on weights and slots        |
 *
 * The GEMM bound is the classic float summation bound with √k for k rounding errors of random
 * sign (any blocking, FMA or thread split stays far inside it; a dropped or doubled term does
 * not). The pointwise bounds allow a vectorised exp/tanh of a few ulps plus the roundings of the
 * formula around it. Inputs include saturating values (±12, ±40, ±100) for the nonlinearities.
 */
import { describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { convCases } from './conformance/conv.js';
import { coreCases } from './conformance/core.js';
import { embeddingCases } from './conformance/embedding.js';
import type { SuiteContext } from './conformance/harness.js';
import { optimizerCases } from './conformance/optimizer.js';
import { recurrentCases } from './conformance/recurrent.js';
import { sequenceCases } from './conformance/sequence.js';
import { validationCases } from './conformance/validation.js';

export interface ConformanceOptions {
  /** The backend results are compared with. Default: the float64 reference backend. */
  oracle?: () => Backend;
  /** Run the seed-shape cases (about 1 GFLOP of GEMM, ~2 s on the reference). Default: true. */
  seedShapes?: boolean;
  /** The tested backend on one thread, when it runs on more. Default: none. */
  oneThread?: () => Backend;
}

/**
 * Registers node:test tests (one per op group and op) that check every Backend op of the backend
 * made by `create` against the oracle. `create` is called once, lazily, when the first test runs.
 */
export function runConformance(
  label: string,
  create: () => Backend,
  options: ConformanceOptions = {},
): void {
  let tested: Backend | null = null;
  let oracle: Backend | null = null;
  let single: Backend | null = null;
  const { oneThread } = options;
  const ctx: SuiteContext = {
    tested: () => (tested ??= create()),
    oracle: () => (oracle ??= (options.oracle ?? (() => createReferenceBackend('float64')))()),
    seedShapes: options.seedShapes ?? true,
    oneThread: oneThread && (() => (single ??= oneThread())),
  };
  describe(`${label} conforms to the reference backend`, () => {
    for (const [group, cases] of Object.entries({
      core: coreCases,
      embedding: embeddingCases,
      recurrent: recurrentCases,
      sequence: sequenceCases,
      conv: convCases,
      optimizer: optimizerCases,
      validation: validationCases,
    })) {
      describe(group, () => {
        for (const [op, run] of Object.entries(cases)) test(op, () => run(ctx));
      });
    }
  });
}
