// Fused optimizer updates, the reference's formulas in the same order. SGD and RMSprop work in
// float64 per value, so each stored weight and slot is the reference's value rounded once to
// float32; Adam works in float32 (see adam).
import { fmadd, lanes, ld, st } from './simd';

@inline function clipped(grad: usize, i: i32, scale: f64, clipValue: f64): f64 {
  const g = <f64>load<f32>(grad + (<usize>i << 2)) * scale;
  return min(max(g, -clipValue), clipValue);
}

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** momentum = 0 (null pointer) for plain SGD. */
export function sgd(
  w: usize, grad: usize, n: i32, scale: f64, clipValue: f64, lr: f64, mu: f64, nesterov: i32,
  momentum: usize,
): void {
  for (let i = 0; i < n; i++) {
    const g = clipped(grad, i, scale, clipValue);
    const wi = at(w, i);
    if (momentum == 0) {
      store<f32>(wi, <f32>(<f64>load<f32>(wi) - g * lr));
      continue;
    }
    const mi = at(momentum, i);
    const m = <f32>(<f64>load<f32>(mi) * mu - g * lr);
    store<f32>(mi, m);
    const inc = nesterov != 0 ? <f64>m * mu - g * lr : <f64>m;
    store<f32>(wi, <f32>(<f64>load<f32>(wi) + inc));
  }
}

export function rmsprop(
  w: usize, grad: usize, n: i32, scale: f64, clipValue: f64, lr: f64, rho: f64, mu: f64, eps: f64,
  velocity: usize, momentum: usize, averageGrad: usize,
): void {
  for (let i = 0; i < n; i++) {
    const g = clipped(grad, i, scale, clipValue);
    const vi = at(velocity, i);
    const v = <f32>(rho * <f64>load<f32>(vi) + (1 - rho) * (g * g));
    store<f32>(vi, v);
    let denominator: f64;
    if (averageGrad != 0) {
      const ai = at(averageGrad, i);
      const a = <f32>(rho * <f64>load<f32>(ai) + (1 - rho) * g);
      store<f32>(ai, a);
      denominator = <f64>v - <f64>a * <f64>a + eps;
    } else {
      denominator = <f64>v + eps;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    const wi = at(w, i);
    if (momentum != 0) {
      const mi = at(momentum, i);
      const m = <f32>(mu * <f64>load<f32>(mi) + increment);
      store<f32>(mi, m);
      store<f32>(wi, <f32>(<f64>load<f32>(wi) - <f64>m));
    } else {
      store<f32>(wi, <f32>(<f64>load<f32>(wi) - increment));
    }
  }
}

/**
 * Adam on values [i0, i1) in float32 arithmetic: it runs over every weight each batch (the seed's
 * 10000×128 embedding table included), so it is vectorised four wide and split across threads;
 * the few extra roundings stay far inside the conformance bound. c1 = 1 − β1, c2 = 1 − β2.
 */
export function adam(
  i0: i32, i1: i32, w: usize, grad: usize, scale: f32, clipValue: f32, alpha: f32, c1: f32,
  c2: f32, eps: f32, m: usize, v: usize,
): void {
  const iv = i0 + ((i1 - i0) & ~3);
  adamRange(true, i0, iv, w, grad, scale, clipValue, alpha, c1, c2, eps, m, v);
  adamRange(false, iv, i1, w, grad, scale, clipValue, alpha, c1, c2, eps, m, v);
}

@inline function adamRange(
  full: bool, i0: i32, i1: i32, w: usize, grad: usize, scale: f32, clipValue: f32, alpha: f32,
  c1: f32, c2: f32, eps: f32, m: usize, v: usize,
): void {
  const sc = f32x4.splat(scale), hi = f32x4.splat(clipValue), lo = f32x4.splat(-clipValue);
  const k1 = f32x4.splat(c1), k2 = f32x4.splat(c2), al = f32x4.splat(alpha), ep = f32x4.splat(eps);
  for (let i = i0; i < i1; i += 4) {
    const o = <usize>i << 2, cnt = lanes(full, i1, i);
    const g = f32x4.min(f32x4.max(f32x4.mul(ld(grad + o, cnt), sc), lo), hi);
    const m0 = ld(m + o, cnt), v0 = ld(v + o, cnt);
    const m1 = fmadd(f32x4.sub(g, m0), k1, m0);
    const v1 = fmadd(f32x4.sub(f32x4.mul(g, g), v0), k2, v0);
    st(m + o, m1, cnt);
    st(v + o, v1, cnt);
    const step = f32x4.div(f32x4.mul(m1, al), f32x4.add(f32x4.sqrt(v1), ep));
    st(w + o, f32x4.sub(ld(w + o, cnt), step), cnt);
  }
}
