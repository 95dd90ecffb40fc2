// Fused optimizer updates in float64 per value, the reference's formulas in the same order, so
// each stored weight and slot is the reference's value rounded once to float32.

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

/** Two values per f64x2 vector; the scalar tail runs the same formulas. */
export function adam(
  w: usize, grad: usize, n: i32, scale: f64, clipValue: f64, alpha: f64, beta1: f64, beta2: f64,
  eps: f64, m: usize, v: usize,
): void {
  const sc = f64x2.splat(scale), hi = f64x2.splat(clipValue), lo = f64x2.splat(-clipValue);
  const c1 = f64x2.splat(1 - beta1), c2 = f64x2.splat(1 - beta2);
  const al = f64x2.splat(alpha), ep = f64x2.splat(eps);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    const g = f64x2.min(f64x2.max(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(grad + o)), sc), lo), hi);
    const m0 = f64x2.promote_low_f32x4(v128.load64_zero(m + o));
    const m1 = f32x4.demote_f64x2_zero(f64x2.add(m0, f64x2.mul(f64x2.sub(g, m0), c1)));
    v128.store64_lane(m + o, m1, 0);
    const v0 = f64x2.promote_low_f32x4(v128.load64_zero(v + o));
    const v1 = f32x4.demote_f64x2_zero(f64x2.add(v0, f64x2.mul(f64x2.sub(f64x2.mul(g, g), v0), c2)));
    v128.store64_lane(v + o, v1, 0);
    const step = f64x2.div(
      f64x2.mul(f64x2.promote_low_f32x4(m1), al),
      f64x2.add(f64x2.sqrt(f64x2.promote_low_f32x4(v1)), ep),
    );
    const w0 = f64x2.promote_low_f32x4(v128.load64_zero(w + o));
    v128.store64_lane(w + o, f32x4.demote_f64x2_zero(f64x2.sub(w0, step)), 0);
  }
  for (; i < n; i++) {
    const g = clipped(grad, i, scale, clipValue);
    const mi = at(m, i), vi = at(v, i), wi = at(w, i);
    const m1 = <f32>(<f64>load<f32>(mi) + (g - <f64>load<f32>(mi)) * (1 - beta1));
    store<f32>(mi, m1);
    const v1 = <f32>(<f64>load<f32>(vi) + (g * g - <f64>load<f32>(vi)) * (1 - beta2));
    store<f32>(vi, v1);
    store<f32>(wi, <f32>(<f64>load<f32>(wi) - (<f64>m1 * alpha) / (Math.sqrt(<f64>v1) + eps)));
  }
}
