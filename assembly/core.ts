// Elementwise maps, bias and reductions. Pointers are byte addresses of element 0; counts are
// elements. Vector loops take 4 values at a time and the same body handles the tail (ld/st),
// inlined twice: for the whole vectors (full) and for the tail (see lanes).
import { ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH } from './codes';
import { addRow, fmadd, lanes, ld, st, vexp, vsigmoid, vtanh } from './simd';

/** f(x) for the activations that work value by value (everything but softmax). */
@inline export function activate(kind: i32, x: v128): v128 {
  if (kind == ACT_SIGMOID) return vsigmoid(x);
  if (kind == ACT_TANH) return vtanh(x);
  // The mask form maps NaN and −0 to +0, as the reference's x > 0 ? x : 0.
  if (kind == ACT_RELU) return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
  return x;
}

/** f′ in terms of y = f(a). relu: 1 where y > 0 (y = 0 there gives 0, as the reference). */
@inline export function derivative(kind: i32, y: v128): v128 {
  const one = f32x4.splat(1);
  if (kind == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (kind == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (kind == ACT_RELU) return v128.and(f32x4.gt(y, f32x4.splat(0)), one);
  return one;
}

export function activation(kind: i32, x: usize, y: usize, n: i32, cols: i32): void {
  if (kind == ACT_SOFTMAX) {
    for (let base = 0; base < n; base += cols) softmaxRow(x + (<usize>base << 2), y + (<usize>base << 2), cols);
    return;
  }
  const m = n & ~3;
  activateRange(true, kind, x, y, 0, m);
  activateRange(false, kind, x, y, m, n);
}

@inline function activateRange(full: bool, kind: i32, x: usize, y: usize, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i += 4) {
    const o = <usize>i << 2, cnt = lanes(full, i1, i);
    st(y + o, activate(kind, ld(x + o, cnt)), cnt);
  }
}

function softmaxRow(x: usize, y: usize, cols: i32): void {
  let max: f32 = -Infinity;
  for (let c = 0; c < cols; c++) max = Mathf.max(max, load<f32>(x + (<usize>c << 2)));
  const m = f32x4.splat(max);
  let sum: f64 = 0;
  for (let c = 0; c < cols; c += 4) {
    const o = <usize>c << 2, cnt = min(4, cols - c);
    const e = vexp(f32x4.sub(ld(x + o, cnt), m));
    st(y + o, e, cnt);
    sum += <f64>f32x4.extract_lane(e, 0);
    if (cnt > 1) sum += <f64>f32x4.extract_lane(e, 1);
    if (cnt > 2) sum += <f64>f32x4.extract_lane(e, 2);
    if (cnt > 3) sum += <f64>f32x4.extract_lane(e, 3);
  }
  const s = f32x4.splat(<f32>sum);
  for (let c = 0; c < cols; c += 4) {
    const o = <usize>c << 2, cnt = min(4, cols - c);
    st(y + o, f32x4.div(ld(y + o, cnt), s), cnt);
  }
}

export function activationBackward(kind: i32, y: usize, dy: usize, dx: usize, n: i32, cols: i32): void {
  if (kind == ACT_SOFTMAX) {
    for (let base = 0; base < n; base += cols) {
      let dot: f64 = 0;
      for (let c = 0; c < cols; c++) {
        const o = <usize>(base + c) << 2;
        dot += <f64>load<f32>(dy + o) * <f64>load<f32>(y + o);
      }
      for (let c = 0; c < cols; c++) {
        const o = <usize>(base + c) << 2;
        store<f32>(dx + o, <f32>(<f64>load<f32>(y + o) * (<f64>load<f32>(dy + o) - dot)));
      }
    }
    return;
  }
  const m = n & ~3;
  activationBackwardRange(true, kind, y, dy, dx, 0, m);
  activationBackwardRange(false, kind, y, dy, dx, m, n);
}

@inline function activationBackwardRange(
  full: bool, kind: i32, y: usize, dy: usize, dx: usize, i0: i32, i1: i32,
): void {
  for (let i = i0; i < i1; i += 4) {
    const o = <usize>i << 2, cnt = lanes(full, i1, i);
    const yv = ld(y + o, cnt), dyv = ld(dy + o, cnt);
    const d = kind == ACT_RELU ? v128.and(dyv, f32x4.gt(yv, f32x4.splat(0))) : f32x4.mul(dyv, derivative(kind, yv));
    st(dx + o, d, cnt);
  }
}

export function expArray(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, cnt = min(4, n - i);
    st(y + o, vexp(ld(x + o, cnt)), cnt);
  }
}

export function addRowVector(x: usize, rows: i32, cols: i32, v: usize): void {
  for (let r = 0; r < rows; r++) addRow(x + (<usize>(r * cols) << 2), v, cols);
}

/** Column sums row after row (the reference's order), 4 columns at a time. */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize, beta: i32): void {
  if (cols <= 16) {
    // A row is one cache line or less: each 4 columns' chain in registers.
    for (let c = 0; c < cols; c += 4) {
      const o = <usize>c << 2, cnt = min(4, cols - c);
      let acc = beta != 0 ? ld(out + o, cnt) : f32x4.splat(0);
      for (let r = 0; r < rows; r++) acc = f32x4.add(acc, ld(x + (<usize>(r * cols) << 2) + o, cnt));
      st(out + o, acc, cnt);
    }
    return;
  }
  // Row by row into out (in L1), so x streams once in order rather than once per 4 columns.
  if (beta == 0) memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) addRow(out, x + (<usize>(r * cols) << 2), cols);
}

/** out[i] = beta·out[i] + a[i]·b[i] (out may alias a or b). */
export function multiplyAt(n: i32, a: usize, b: usize, out: usize, beta: i32): void {
  const m = n & ~3;
  multiplyRange(true, a, b, out, beta, 0, m);
  multiplyRange(false, a, b, out, beta, m, n);
}

@inline function multiplyRange(
  full: bool, a: usize, b: usize, out: usize, beta: i32, i0: i32, i1: i32,
): void {
  for (let i = i0; i < i1; i += 4) {
    const o = <usize>i << 2, cnt = lanes(full, i1, i);
    const p = f32x4.mul(ld(a + o, cnt), ld(b + o, cnt));
    st(out + o, beta != 0 ? f32x4.add(ld(out + o, cnt), p) : p, cnt);
  }
}

/** y += alpha·x in float64 per value (alpha is a JS number; one rounding per result). */
export function axpy(alpha: f64, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

export function scale(x: usize, alpha: f64, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, <f32>(<f64>load<f32>(x + o) * alpha));
  }
}

export function sumSquares(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Row copies with an optional per-batch-row scale: the time-major ⇄ batch-major transposes. */
export function transposeSequence(
  batchMajor: usize, timeMajor: usize, batch: i32, steps: i32, features: i32,
  reverse: i32, scale: usize, toTimeMajor: i32,
): void {
  const rowBytes = <usize>features << 2;
  for (let s = 0; s < steps; s++) {
    const t = reverse != 0 ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const bm = batchMajor + <usize>(b * steps + t) * rowBytes;
      const tm = timeMajor + <usize>(s * batch + b) * rowBytes;
      const src = toTimeMajor != 0 ? bm : tm;
      const dst = toTimeMajor != 0 ? tm : bm;
      if (scale == 0) {
        // One value (a weight matrix's transpose): a copy call per value costs more than it.
        if (features == 1) store<f32>(dst, load<f32>(src));
        else memory.copy(dst, src, rowBytes);
        continue;
      }
      const sc = scale + <usize>b * rowBytes;
      for (let j = 0; j < features; j += 4) {
        const o = <usize>j << 2, cnt = min(4, features - j);
        st(dst + o, f32x4.mul(ld(src + o, cnt), ld(sc + o, cnt)), cnt);
      }
    }
  }
}

/** Lane 0 of fmadd: lets a test see whether this build fuses (one rounding) or not. */
export function maddLane0(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(fmadd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}
