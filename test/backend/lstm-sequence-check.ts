/**
 * Checks a backend's whole-sequence LSTM ops against the per-step loop that defines them
 * (recurrent-sequence.ts): same bits, with masks, recurrent dropout and odd sizes.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import {
  lstmSequenceBackwardBySteps,
  lstmSequenceForwardBySteps,
  lstmSequenceLastBySteps,
} from '../../src/backend/recurrent-sequence.js';
import { Rng } from '../../src/random/rng.js';

interface Case {
  batch: number;
  steps: number;
  units: number;
  masked: boolean;
  dropout: boolean;
}

/** Runs forward then backward with the fused ops or the loop; returns every output. */
function run(be: Backend, fused: boolean, c: Case, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  const { batch: B, steps: T, units: H } = c;
  const rand = (n: number, scale = 1) =>
    Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const gates = rand(T * B * 4 * H, 2);
  const U = rand(H * 4 * H, 0.5);
  const Ut = new Float32Array(4 * H * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < 4 * H; j++) Ut[j * H + i] = U[i * 4 * H + j];
  const cs = rand((T + 1) * B * H);
  const h = rand((T + 1) * B * H);
  const hIn = new Float32Array(T * B * H);
  const scale = c.dropout
    ? Float32Array.from({ length: B * H }, () => (rng.next() < 0.3 ? 0 : 1 / 0.7))
    : null;
  const mask = c.masked
    ? Uint8Array.from({ length: T * B }, () => (rng.next() < 0.3 ? 0 : 1))
    : null;
  const dH = rand(T * B * H);
  const dc = new Float32Array(B * H);
  const dGates = new Float32Array(T * B * 4 * H);
  const dHIn = new Float32Array(B * H);
  const fwd = [B, T, H, gates, U, cs, h, hIn, scale, mask] as const;
  const bwd = [B, T, H, gates, cs, Ut, dH, dc, dGates, dHIn, scale, mask] as const;
  if (fused) {
    assert.ok(be.lstmSequenceForward && be.lstmSequenceBackward, `${be.name} has no fused ops`);
    be.lstmSequenceForward(...fwd);
    be.lstmSequenceBackward(...bwd);
  } else {
    lstmSequenceForwardBySteps(be, ...fwd);
    lstmSequenceBackwardBySteps(be, ...bwd);
  }
  return [gates, cs, h, hIn, dH, dc, dGates];
}

const CASES: Case[] = [];
for (const [batch, steps, units] of [
  [1, 1, 3],
  [3, 5, 17],
  [17, 4, 8],
  [64, 6, 64],
  [65, 3, 63],
]) {
  for (const masked of [false, true]) {
    for (const dropout of [false, true]) CASES.push({ batch, steps, units, masked, dropout });
  }
}

/** Asserts that the fused ops and the loop over `be`'s per-step ops agree bit for bit. */
export function checkLstmSequenceOps(be: Backend): void {
  for (const c of CASES) {
    const want = run(be, false, c, 5);
    const got = run(be, true, c, 5);
    got.forEach((a, i) => {
      const at = a.findIndex((v, j) => !Object.is(v, want[i][j]));
      assert.equal(at, -1, `${JSON.stringify(c)}: output ${i} differs at ${at}`);
    });
  }
}

/**
 * Asserts that `be`'s lstmSequenceLast equals the training path's ops that define it
 * (lstmSequenceLastBySteps over `be`) bit for bit, with masks, goBackwards, no bias, odd sizes.
 */
export function checkLstmSequenceLast(be: Backend): void {
  assert.ok(be.lstmSequenceLast, `${be.name} has no lstmSequenceLast`);
  for (const [batch, steps, units, inputDim] of [
    [1, 1, 3, 2],
    [3, 5, 17, 9],
    [17, 4, 8, 33],
    [64, 6, 64, 128],
    [65, 3, 63, 300],
  ]) {
    for (const masked of [false, true]) {
      for (const reverse of [false, true]) {
        for (const withBias of [false, true]) {
          const rng = new Rng(batch * 7 + steps);
          const rand = (n: number, scale = 1) =>
            Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
          const G = 4 * units;
          const x = rand(batch * steps * inputDim);
          const W = rand(inputDim * G, 0.3);
          const bias = withBias ? rand(G) : null;
          const U = rand(units * G, 0.5);
          const mask = masked
            ? Uint8Array.from({ length: steps * batch }, () => (rng.next() < 0.3 ? 0 : 1))
            : null;
          const args = [batch, steps, units, inputDim, x, reverse, W, bias, U, mask] as const;
          const want = new Float32Array(batch * units);
          const got = new Float32Array(batch * units);
          lstmSequenceLastBySteps(be, ...args, want);
          be.lstmSequenceLast(...args, got);
          const at = got.findIndex((v, j) => !Object.is(v, want[j]));
          const c = JSON.stringify({ batch, steps, units, inputDim, masked, reverse, withBias });
          assert.equal(at, -1, `${c}: differs at ${at}`);
        }
      }
    }
  }
}
