// The 128-bit FMA ceiling the bench compares the GEMM with: twelve independent f32x4 fmadd
// chains (enough to hide the FMA latency), nothing loaded or stored inside the loop.
import { fmadd } from './simd';

/** Runs `iters` steps of the twelve chains (96·iters flops); leaves their sum at `out`. */
export function fmaChains(iters: i32, out: usize): void {
  const m = f32x4.splat(0.999999), d = f32x4.splat(1e-7);
  let a0 = f32x4.splat(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  let a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (let i = 0; i < iters; i++) {
    a0 = fmadd(a0, m, d); a1 = fmadd(a1, m, d); a2 = fmadd(a2, m, d); a3 = fmadd(a3, m, d);
    a4 = fmadd(a4, m, d); a5 = fmadd(a5, m, d); a6 = fmadd(a6, m, d); a7 = fmadd(a7, m, d);
    a8 = fmadd(a8, m, d); a9 = fmadd(a9, m, d); a10 = fmadd(a10, m, d); a11 = fmadd(a11, m, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  v128.store(out, f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))));
}
