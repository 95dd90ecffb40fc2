import type { Backend } from '../src/backend/backend.js';
import { Rng } from '../src/random/rng.js';
import { summarize, timeCalls, type Plan, type Summary } from './stats.js';
import { matrix } from '../src/backend/core-ops.js';

/** A GEMM as the LSTM(64) layer issues it on the seed batch (B 64, T 200, D 128, 4H 256). */
interface SeedGemm {
  readonly name: string;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly beta: 0 | 1;
}

const BT = 64 * 200;

/** Forward, the per-step products, and the backward ones (the layer stores Uᵀ and Wᵀ once). */
export const SEED_GEMMS: readonly SeedGemm[] = [
  { name: 'X·W input projection', transA: false, transB: false, m: BT, n: 256, k: 128, beta: 0 },
  { name: 'h·U per step', transA: false, transB: false, m: 64, n: 256, k: 64, beta: 1 },
  {
    name: 'dG·Uᵀ per step (Uᵀ stored)',
    transA: false,
    transB: false,
    m: 64,
    n: 64,
    k: 256,
    beta: 1,
  },
  { name: 'dG·Uᵀ per step (transB)', transA: false, transB: true, m: 64, n: 64, k: 256, beta: 1 },
  { name: 'Xᵀ·dG (dW)', transA: true, transB: false, m: 128, n: 256, k: BT, beta: 1 },
  { name: 'Hᵀ·dG (dU)', transA: true, transB: false, m: 64, n: 256, k: BT, beta: 1 },
  { name: 'dG·Wᵀ (dX, Wᵀ stored)', transA: false, transB: false, m: BT, n: 128, k: 256, beta: 0 },
];

export interface OpResult {
  readonly name: string;
  readonly shape: string;
  readonly gflops: number;
  readonly ms: Summary;
}

function filled(backend: Backend, rng: Rng, n: number) {
  const a = backend.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** The row of the ceiling a backend measures (the report compares the GEMMs with it). */
export const CEILING = '128-bit FMA ceiling (f32x4, 12 chains)';

/** A backend that can run the 128-bit FMA ceiling kernel (wasm) on all its threads. */
function fmaChains(backend: Backend): ((steps: number) => void) | null {
  const run = (backend as { fmaChains?: unknown }).fmaChains;
  return typeof run === 'function' ? (run as (steps: number) => void) : null;
}

/** GFLOP/s of the ceiling kernel: 96 flops per step, 4M steps (~6 ms per thread) per call. */
function benchCeiling(run: (steps: number) => void, plan: Plan): OpResult {
  const steps = 1 << 22;
  const ms = summarize(timeCalls(() => run(steps), plan));
  return { name: CEILING, shape: '—', gflops: (96 * steps) / (ms.median * 1e6), ms };
}

/**
 * GFLOP/s (2mnk per call, median call time) of each seed GEMM on this backend, then the
 * backend's 128-bit FMA ceiling when it has one.
 */
export function benchGemms(backend: Backend, plan: Plan): OpResult[] {
  const rng = new Rng(7);
  const ceiling = fmaChains(backend);
  const ops = SEED_GEMMS.map(({ name, transA, transB, m, n, k, beta }) => {
    const a = filled(backend, rng, m * k);
    const b = filled(backend, rng, k * n);
    const c = filled(backend, rng, m * n);
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    const ms = summarize(
      timeCalls(
        () =>
          backend.gemm(
            matrix(a, transA ? k : m, transA ? m : k, { stride: lda, transposed: transA }),
            matrix(b, transB ? n : k, transB ? k : n, { stride: ldb, transposed: transB }),
            matrix(c, m, n),
            beta,
          ),
        plan,
      ),
    );
    const op = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    return {
      name,
      shape: `${op} ${m}×${k}·${k}×${n}`,
      gflops: (2 * m * n * k) / (ms.median * 1e6),
      ms,
    };
  });
  return ceiling === null ? ops : [...ops, benchCeiling(ceiling.bind(backend), plan)];
}
