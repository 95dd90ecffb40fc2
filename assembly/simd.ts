// Vector helpers shared by every kernel. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so
// each build gets exactly one body: the relaxed build fuses multiply-add, the plain one does not.

/** a·b + c, fused (one rounding) in the relaxed build. */
@inline export function fmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * How many lanes of the vector at j of an n-wide row are in it: 4, or n − j at a short tail. A
 * kernel body inlined with `full` constant true (n a multiple of 4, checked by its caller) folds
 * this to 4 and the branches of ld and st away: the wasm LSTM step ran 14% faster so.
 */
@inline export function lanes(full: bool, n: i32, j: i32): i32 {
  return full ? 4 : min(4, n - j);
}

/** dst[j] += src[j] for j < n, whole vectors without tail branches when n is a multiple of 4. */
@inline export function addRow(dst: usize, src: usize, n: i32): void {
  if ((n & 3) == 0) addRowLanes(true, dst, src, n);
  else addRowLanes(false, dst, src, n);
}

@inline function addRowLanes(full: bool, dst: usize, src: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const o = <usize>j << 2, cnt = lanes(full, n, j);
    st(dst + o, f32x4.add(ld(dst + o, cnt), ld(src + o, cnt)), cnt);
  }
}

/** The first `count` (1..4) floats at p; the other lanes are 0. */
@inline export function ld(p: usize, count: i32): v128 {
  if (count == 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the first `count` (1..4) lanes of v at p and nothing past them. */
@inline export function st(p: usize, v: v128, count: i32): void {
  if (count == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * e^x: Cephes expf (range reduction by ln 2 split in two parts, degree-5 polynomial), 2^n built
 * in the exponent bits. Inputs are clamped to [-87.3, 88.3] so 2^n stays a normal float.
 */
@inline export function vexp(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  let r = fmadd(n, f32x4.splat(-0.693359375), x);
  r = fmadd(n, f32x4.splat(2.12194440e-4), r);
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = fmadd(p, r, f32x4.splat(1.3981999507e-3));
  p = fmadd(p, r, f32x4.splat(8.3334519073e-3));
  p = fmadd(p, r, f32x4.splat(4.1665795894e-2));
  p = fmadd(p, r, f32x4.splat(1.6666665459e-1));
  p = fmadd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(fmadd(p, r2, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** σ(x) = 1/(1 + e^−x); e^−x overflows to a huge value, never inf, so σ(−100) = ~0, not NaN. */
@inline export function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

/**
 * tanh(x): the odd/even rational approximation of Eigen's float tanh on [−7.905, 7.905]
 * (inputs beyond are clamped: the result is then within 4 ulps of ±1). Keeps full relative
 * accuracy near 0; measured error ≤ 4.3u fused, 5.5u plain (test/backend/wasm-math.test.ts).
 */
@inline export function vtanh(x: v128): v128 {
  const limit = f32x4.splat(7.90531110763549805);
  x = f32x4.min(f32x4.max(x, f32x4.neg(limit)), limit);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = fmadd(p, x2, f32x4.splat(2.00018790482477e-13));
  p = fmadd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = fmadd(p, x2, f32x4.splat(5.12229709037114e-8));
  p = fmadd(p, x2, f32x4.splat(1.48572235717979e-5));
  p = fmadd(p, x2, f32x4.splat(6.37261928875436e-4));
  p = fmadd(p, x2, f32x4.splat(4.89352455891786e-3));
  let q = f32x4.splat(1.19825839466702e-6);
  q = fmadd(q, x2, f32x4.splat(1.18534705686654e-4));
  q = fmadd(q, x2, f32x4.splat(2.26843463243900e-3));
  q = fmadd(q, x2, f32x4.splat(4.89352518554385e-3));
  return f32x4.div(f32x4.mul(p, x), q);
}
