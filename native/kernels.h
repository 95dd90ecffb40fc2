// The ISA-specific kernels, written once over a vector type V and compiled once per instruction
// set: isa_avx512.cc, isa_avx2.cc and isa_baseline.cc each define V and include this file inside
// their own namespace (so no inline symbol compiled for AVX-512 can be shared with baseline code).
//
// V provides: W (lanes), MR (GEMM micro-tile rows), T (vector), load/store (full and first-n
// lanes), set1, zero, add, sub, mul, div, sqrt, fma(a, b, c) = a·b + c (a real FMA where the ISA
// has one, else mul + add), max/min(a, b) returning b when either is NaN, select_lt(a, b, x, y) =
// a < b ? x : y, abs, copysign(mag, sgn), round_int(x) = the nearest integer (ties to even) as a
// float, scale2(p, n) = p·2^n for integral n in [−150, 128].
// A lane's result never depends on its neighbours or on how many lanes are loaded, so a partial
// vector at a row's end gives the same bits as a full one: results do not depend on how work is
// split between threads.
//
// Included after: `struct V`, <cstdint>, "isa.h".

using T = V::T;

// ---------------------------------------------------------------------------------------------
// exp, sigmoid, tanh. Error bounds (checked by test/backend/native-math.test.ts over a dense
// sweep against float64 Math.exp / Math.tanh):
//   exp:     relative error ≤ 2 ulp (2.4e-7) where the result is a normal float (x ≥ −87.3);
//            below, absolute error ≤ 2⁻¹⁴⁹; x > 88.72 → +inf; −inf → 0; NaN → NaN.
//   sigmoid: absolute error ≤ 3e-7 and relative error ≤ 5e-7 (±inf → 1 / 0, NaN → NaN).
//   tanh:    relative error ≤ 5e-7 (tanh(−0) = −0; ±inf → ±1; NaN → NaN).
// Cody–Waite reduction x = n·ln2 + r with ln2 split in two, |r| ≤ ln2/2, then Cephes's degree-6
// polynomial for e^r; 2^n is applied as two factors so results down to the subnormal range are
// exact scalings rather than flushed.

static inline T vexp(T x) {
  x = V::min(V::set1(88.8f), V::max(V::set1(-104.0f), x));
  T n = V::round_int(V::mul(x, V::set1(1.44269504088896341f)));
  T r = V::fma(n, V::set1(-0.693359375f), x);
  r = V::fma(n, V::set1(2.12194440e-4f), r);
  T p = V::set1(1.9875691500e-4f);
  p = V::fma(p, r, V::set1(1.3981999507e-3f));
  p = V::fma(p, r, V::set1(8.3334519073e-3f));
  p = V::fma(p, r, V::set1(4.1665795894e-2f));
  p = V::fma(p, r, V::set1(1.6666665459e-1f));
  p = V::fma(p, r, V::set1(5.0000001201e-1f));
  p = V::add(V::fma(p, V::mul(r, r), r), V::set1(1.0f));
  return V::scale2(p, n);
}

static inline T vsigmoid(T x) {
  const T one = V::set1(1.0f);
  return V::div(one, V::add(one, vexp(V::sub(V::zero(), x))));
}

static inline T vtanh(T x) {
  const T ax = V::abs(x);
  // |x| < 0.5625: odd Taylor series to x^15 (truncation < 6e-8 relative).
  const T x2 = V::mul(x, x);
  T p = V::set1(-929569.0f / 638512875.0f);
  p = V::fma(p, x2, V::set1(21844.0f / 6081075.0f));
  p = V::fma(p, x2, V::set1(-1382.0f / 155925.0f));
  p = V::fma(p, x2, V::set1(62.0f / 2835.0f));
  p = V::fma(p, x2, V::set1(-17.0f / 315.0f));
  p = V::fma(p, x2, V::set1(2.0f / 15.0f));
  p = V::fma(p, x2, V::set1(-1.0f / 3.0f));
  const T small = V::fma(V::mul(p, x2), x, x);
  // Otherwise 1 − 2/(e^{2|x|} + 1). Either way the sign is x's (so tanh(−0) = −0).
  const T one = V::set1(1.0f);
  const T e = vexp(V::add(ax, ax));
  const T large = V::sub(one, V::div(V::set1(2.0f), V::add(e, one)));
  return V::copysign(V::select_lt(ax, V::set1(0.5625f), small, large), x);
}

static inline T vact(int kind, T x) {
  switch (kind) {
    case ACT_SIGMOID: return vsigmoid(x);
    case ACT_TANH: return vtanh(x);
    case ACT_RELU: return V::select_lt(V::zero(), x, x, V::zero());
    default: return x;
  }
}

// Loops over [0, n) in vectors; the last one may be partial.
#define FOR_LANES(j, n) for (long j = 0, cnt_ = 0; j < (n) && (cnt_ = ((n) - j < V::W ? (n) - j : V::W)); j += V::W)
#define LD(p) V::load((p), (int)cnt_)
#define ST(p, v) V::store((p), (v), (int)cnt_)

static void k_math(int fn, const float* x, float* y, long n) {
  FOR_LANES(j, n) {
    const T v = LD(x + j);
    ST(y + j, fn == MATH_EXP ? vexp(v) : vact(fn, v));
  }
}

static void k_softmax_rows(const float* x, float* y, long rows, long cols) {
  for (long r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float mx = -__builtin_inff();
    for (long c = 0; c < cols; c++) mx = xr[c] > mx || xr[c] != xr[c] ? xr[c] : mx;
    FOR_LANES(j, cols) ST(yr + j, vexp(V::sub(LD(xr + j), V::set1(mx))));
    double sum = 0;
    for (long c = 0; c < cols; c++) sum += yr[c];
    const T s = V::set1((float)sum);
    FOR_LANES(j, cols) ST(yr + j, V::div(LD(yr + j), s));
  }
}

// ---------------------------------------------------------------------------------------------
// Recurrent cells, rows [b0, b1) of one step (contracts: src/backend/reference/cells.ts).

static inline void copy_row(const float* s, float* d, long n) {
  for (long j = 0; j < n; j++) d[j] = s[j];
}

static void k_rnn_forward(const RnnStep& a, long b0, long b1) {
  const long H = a.units;
  for (long b = b0; b < b1; b++) {
    float* g = a.gates + b * H;
    FOR_LANES(j, H) ST(g + j, vact(a.activation, LD(g + j)));
    const bool masked = a.mask && a.mask[b] == 0;
    copy_row(masked ? a.hPrev + b * H : g, a.h + b * H, H);
  }
}

static void k_lstm_forward(const LstmStep& a, long b0, long b1) {
  const long H = a.units;
  for (long b = b0; b < b1; b++) {
    float* g = a.gates + b * 4 * H;
    const float* cp = a.cPrev + b * H;
    const float* hp = a.hPrev + b * H;
    float* c = a.c + b * H;
    float* h = a.h + b * H;
    const bool masked = a.mask && a.mask[b] == 0;
    FOR_LANES(j, H) {
      const T i = vsigmoid(LD(g + j));
      const T f = vsigmoid(LD(g + H + j));
      const T gg = vtanh(LD(g + 2 * H + j));
      const T o = vsigmoid(LD(g + 3 * H + j));
      ST(g + j, i);
      ST(g + H + j, f);
      ST(g + 2 * H + j, gg);
      ST(g + 3 * H + j, o);
      if (masked) {
        ST(c + j, LD(cp + j));
        ST(h + j, LD(hp + j));
      } else {
        const T cv = V::add(V::mul(f, LD(cp + j)), V::mul(i, gg));
        ST(c + j, cv);
        ST(h + j, V::mul(o, vtanh(cv)));
      }
    }
  }
}

static void k_lstm_backward(const LstmStep& a, long b0, long b1) {
  const long H = a.units;
  const T one = V::set1(1.0f);
  for (long b = b0; b < b1; b++) {
    const float* g = a.gates + b * 4 * H;
    float* dg = a.dGates + b * 4 * H;
    const float* dh = a.dh + b * H;
    if (a.mask && a.mask[b] == 0) {
      for (long j = 0; j < 4 * H; j++) dg[j] = 0;
      if (a.dhPrev) {
        float* dp = a.dhPrev + b * H;
        for (long j = 0; j < H; j++) dp[j] += dh[j];
      }
      continue;
    }
    const float* cp = a.cPrev + b * H;
    float* dc = a.dc + b * H;
    FOR_LANES(j, H) {
      const T i = LD(g + j), f = LD(g + H + j), gg = LD(g + 2 * H + j), o = LD(g + 3 * H + j);
      const T tc = vtanh(LD(a.c + b * H + j));
      const T dhv = LD(dh + j);
      const T dct = V::add(LD(dc + j), V::mul(V::mul(dhv, o), V::sub(one, V::mul(tc, tc))));
      ST(dg + j, V::mul(V::mul(V::mul(dct, gg), i), V::sub(one, i)));
      ST(dg + H + j, V::mul(V::mul(V::mul(dct, LD(cp + j)), f), V::sub(one, f)));
      ST(dg + 2 * H + j, V::mul(V::mul(dct, i), V::sub(one, V::mul(gg, gg))));
      ST(dg + 3 * H + j, V::mul(V::mul(V::mul(dhv, tc), o), V::sub(one, o)));
      ST(dc + j, V::mul(dct, f));
    }
  }
}

static void k_gru_forward(const GruStep& a, long b0, long b1) {
  const long H = a.units;
  const T one = V::set1(1.0f);
  for (long b = b0; b < b1; b++) {
    float* g = a.gates + b * 3 * H;
    const float* rc = a.rec + b * 3 * H;
    const float* hp = a.hPrev + b * H;
    float* h = a.h + b * H;
    const bool masked = a.mask && a.mask[b] == 0;
    FOR_LANES(j, H) {
      const T z = vsigmoid(V::add(LD(g + j), LD(rc + j)));
      const T r = vsigmoid(V::add(LD(g + H + j), LD(rc + H + j)));
      const T recH = LD(rc + 2 * H + j);
      const T hh = vtanh(V::add(LD(g + 2 * H + j), a.resetAfter ? V::mul(r, recH) : recH));
      ST(g + j, z);
      ST(g + H + j, r);
      ST(g + 2 * H + j, hh);
      const T hpv = LD(hp + j);
      ST(h + j, masked ? hpv : V::add(V::mul(z, hpv), V::mul(V::sub(one, z), hh)));
    }
  }
}

static void k_gru_reset_forward(const GruStep& a, long b0, long b1) {
  const long H = a.units;
  for (long b = b0; b < b1; b++) {
    const float* g = a.gates + b * 3 * H + H;
    const float* rc = a.rec + b * 3 * H + H;
    FOR_LANES(j, H) {
      const T r = vsigmoid(V::add(LD(g + j), LD(rc + j)));
      ST(a.h + b * H + j, V::mul(r, LD(a.hPrev + b * H + j)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Adam (Keras 3, bias corrections folded into alpha), elements [i0, i1).

// The backward steps without transcendentals (the derivatives come from the stored activations):
// the reference's arithmetic in the same order, lane by lane (no FMA contraction), so the bits are
// the scalar loop's on every ISA.

// A row whose mask is 0 at this step: no gate gradients, dL/dh passes to the previous state.
static inline void masked_backward(long gates, long H, const float* dh, float* dg, float* dRec,
                                   float* dhPrev) {
  for (long j = 0; j < gates; j++) dg[j] = 0;
  if (dRec)
    for (long j = 0; j < gates; j++) dRec[j] = 0;
  if (dhPrev)
    for (long j = 0; j < H; j++) dhPrev[j] += dh[j];
}

static void k_rnn_backward(int act, long H, const float* gates, const float* dh, float* dG,
                           float* dhPrev, const uint8_t* mask, long b0, long b1) {
  const T one = V::set1(1.0f), zero = V::zero();
  for (long b = b0; b < b1; b++) {
    const long o = b * H;
    if (mask && mask[b] == 0) {
      masked_backward(H, H, dh + o, dG + o, nullptr, dhPrev ? dhPrev + o : nullptr);
      continue;
    }
    FOR_LANES(j, H) {
      const T y = LD(gates + o + j), d = LD(dh + o + j);
      T g = d;
      if (act == ACT_SIGMOID) g = V::mul(V::mul(d, y), V::sub(one, y));
      if (act == ACT_TANH) g = V::mul(d, V::sub(one, V::mul(y, y)));
      if (act == ACT_RELU) g = V::select_lt(zero, y, d, zero);
      ST(dG + o + j, g);
    }
  }
}

static void k_gru_backward(bool resetAfter, long H, const float* gates, const float* rec,
                           const float* hPrev, const float* dh, float* dG, float* dRec,
                           float* dhPrev, const uint8_t* mask, long b0, long b1) {
  const T one = V::set1(1.0f);
  for (long b = b0; b < b1; b++) {
    const float* g = gates + b * 3 * H;
    float* dg = dG + b * 3 * H;
    float* dr = dRec ? dRec + b * 3 * H : nullptr;
    const float* d = dh + b * H;
    float* dp = dhPrev ? dhPrev + b * H : nullptr;
    if (mask && mask[b] == 0) {
      masked_backward(3 * H, H, d, dg, resetAfter ? dr : nullptr, dp);
      continue;
    }
    const float* r0 = rec + b * 3 * H;
    const float* hp = hPrev + b * H;
    FOR_LANES(j, H) {
      const T z = LD(g + j), hh = LD(g + 2 * H + j), dhv = LD(d + j);
      const T dz = V::mul(V::mul(V::mul(dhv, V::sub(LD(hp + j), hh)), z), V::sub(one, z));
      const T dah = V::mul(V::mul(dhv, V::sub(one, z)), V::sub(one, V::mul(hh, hh)));
      ST(dg + j, dz);
      ST(dg + 2 * H + j, dah);
      if (resetAfter) {
        const T r = LD(g + H + j);
        const T dar = V::mul(V::mul(V::mul(dah, LD(r0 + 2 * H + j)), r), V::sub(one, r));
        ST(dg + H + j, dar);
        ST(dr + j, dz);
        ST(dr + H + j, dar);
        ST(dr + 2 * H + j, V::mul(dah, r));
      }
      if (dp) ST(dp + j, V::add(LD(dp + j), V::mul(dhv, z)));
    }
  }
}

static void k_gru_reset_backward(long H, const float* gates, const float* hPrev, const float* dRh,
                                 float* dGates, float* dhPrev, long b0, long b1) {
  const T one = V::set1(1.0f);
  for (long b = b0; b < b1; b++) {
    const float* g = gates + b * 3 * H + H;
    float* dg = dGates + b * 3 * H + H;
    const float *d = dRh + b * H, *hp = hPrev + b * H;
    float* dp = dhPrev ? dhPrev + b * H : nullptr;
    FOR_LANES(j, H) {
      const T r = LD(g + j), dv = LD(d + j);
      ST(dg + j, V::mul(V::mul(V::mul(dv, LD(hp + j)), r), V::sub(one, r)));
      if (dp) ST(dp + j, V::add(LD(dp + j), V::mul(dv, r)));
    }
  }
}

static void k_adam(const AdamArgs& a, long i0, long i1) {
  const T scale = V::set1(a.clipScale), lo = V::set1(-a.clipValue), hi = V::set1(a.clipValue);
  const T c1 = V::set1(a.oneMinusBeta1), c2 = V::set1(a.oneMinusBeta2);
  const T alpha = V::set1(a.alpha), eps = V::set1(a.epsilon);
  const long n = i1 - i0;
  float *w = a.w + i0, *m = a.m + i0, *v = a.v + i0;
  const float* grad = a.grad + i0;
  FOR_LANES(j, n) {
    const T g = V::min(hi, V::max(lo, V::mul(LD(grad + j), scale)));
    const T mv = V::add(LD(m + j), V::mul(V::sub(g, LD(m + j)), c1));
    const T vv = V::add(LD(v + j), V::mul(V::sub(V::mul(g, g), LD(v + j)), c2));
    ST(m + j, mv);
    ST(v + j, vv);
    ST(w + j, V::sub(LD(w + j), V::div(V::mul(mv, alpha), V::add(V::sqrt(vv), eps))));
  }
}

#undef FOR_LANES
#undef LD
#undef ST

// ---------------------------------------------------------------------------------------------
// GEMM: C[m0:m1, n0:n1] = op(A)·op(B) + beta·C. An MR×(2W) register tile accumulates over k in
// order, in blocks of KC (the block boundaries depend on k only), so every C value is computed by
// the same operations whatever sub-block a thread is given. A is read in place through strides
// (the kernel broadcasts single values, so either layout works); B is read in place when it is
// k×n row-major, else packed per (KC × NC) block into the caller's scratch.

constexpr int NR = 2 * V::W;
// Column tiles per lone-row kernel: 2 accumulators each, half the vector registers in all.
constexpr int ROW_TILES = V::W >= 16 ? 8 : 4;

template <int R, bool FULL>
static inline void micro(long kc, const float* a, long ars, long aps, const float* b, long bs,
                         float* c, long ldc, int cols, bool accumulate) {
  const int n0 = FULL ? V::W : (cols < V::W ? cols : V::W);
  const int n1 = FULL ? V::W : (cols > V::W ? cols - V::W : 0);
  T acc0[R], acc1[R];
  for (int r = 0; r < R; r++) {
    acc0[r] = accumulate ? V::load(c + r * ldc, n0) : V::zero();
    acc1[r] = accumulate ? V::load(c + r * ldc + V::W, n1) : V::zero();
  }
  for (long p = 0; p < kc; p++) {
    const T b0 = FULL ? V::load(b) : V::load(b, n0);
    const T b1 = FULL ? V::load(b + V::W) : V::load(b + V::W, n1);
    for (int r = 0; r < R; r++) {
      const T av = V::set1(a[r * ars]);
      acc0[r] = V::fma(av, b0, acc0[r]);
      acc1[r] = V::fma(av, b1, acc1[r]);
    }
    a += aps;
    b += bs;
  }
  for (int r = 0; r < R; r++) {
    V::store(c + r * ldc, acc0[r], n0);
    V::store(c + r * ldc + V::W, acc1[r], n1);
  }
}

// One row by NT full column tiles at once: a lone row (a single review's prediction) would
// otherwise run one tile's two accumulators as dependent FMA chains, waiting out the FMA latency
// at every k. Each column still sums over k in order, so the bits are the micro-tile's.
template <int NT>
static inline void micro_row(long kc, const float* a, long aps, const float* b, long bs,
                             long tileStride, float* c, bool accumulate) {
  T acc[2 * NT];
  for (int t = 0; t < 2 * NT; t++) acc[t] = accumulate ? V::load(c + t * V::W) : V::zero();
  for (long p = 0; p < kc; p++) {
    const T av = V::set1(*a);
    for (int t = 0; t < NT; t++) {
      acc[2 * t] = V::fma(av, V::load(b + t * tileStride), acc[2 * t]);
      acc[2 * t + 1] = V::fma(av, V::load(b + t * tileStride + V::W), acc[2 * t + 1]);
    }
    a += aps;
    b += bs;
  }
  for (int t = 0; t < 2 * NT; t++) V::store(c + t * V::W, acc[t], V::W);
}

// min(full, N) column tiles from b on for a lone row (full ≥ 1); returns how many.
template <int N = ROW_TILES>
static inline long row_tiles(long full, long kc, const float* a, long aps, const float* b, long bs,
                             long tileStride, float* c, bool accumulate) {
  if constexpr (N > 1) {
    if (full < N) return row_tiles<N - 1>(full, kc, a, aps, b, bs, tileStride, c, accumulate);
  }
  micro_row<N>(kc, a, aps, b, bs, tileStride, c, accumulate);
  return N;
}

template <int R>
static inline void tile(int rows, int cols, long kc, const float* a, long ars, long aps,
                        const float* b, long bs, float* c, long ldc, bool accumulate) {
  if constexpr (R > 1) {
    if (rows < R) return tile<R - 1>(rows, cols, kc, a, ars, aps, b, bs, c, ldc, accumulate);
  }
  if (cols == NR) micro<R, true>(kc, a, ars, aps, b, bs, c, ldc, cols, accumulate);
  else micro<R, false>(kc, a, ars, aps, b, bs, c, ldc, cols, accumulate);
}

static void k_gemm(const GemmArgs& g, long m0, long m1, long n0, long n1, float* scratch) {
  if (g.k == 0) {
    if (!g.beta)
      for (long i = m0; i < m1; i++)
        for (long j = n0; j < n1; j++) g.c[i * g.ldc + j] = 0;
    return;
  }
  const long ars = g.ta ? 1 : g.lda, aps = g.ta ? g.lda : 1;
  // A k×n B is packed too when enough row tiles reuse each panel: read in place, its rows lie
  // ldb apart, and a panel's kc rows then fall into a few L1 sets (4 KB aliasing) and are
  // refetched from L2 for every row tile (the weight gradients Xᵀ·dG ran ~25% slower than X·W).
  // Packing moves values only, so each C value's operations are the same either way.
  const bool pack = g.tb || (m1 - m0 >= 16 * V::MR && g.ldb != NR);
  for (long jc = n0; jc < n1; jc += GEMM_NC) {
    const long nc = n1 - jc < GEMM_NC ? n1 - jc : GEMM_NC;
    for (long p0 = 0; p0 < g.k; p0 += GEMM_KC) {
      const long kc = g.k - p0 < GEMM_KC ? g.k - p0 : GEMM_KC;
      const bool accumulate = p0 > 0 || g.beta;
      // Panel t holds op(B)[p0:p0+kc, jc+t·NR : +NR] k-major, zero-padded to NR columns.
      if (g.tb) {
        for (long t = 0; t * NR < nc; t++) {
          float* panel = scratch + t * kc * NR;
          for (long jj = 0; jj < NR; jj++) {
            const long j = t * NR + jj;
            const float* src = g.b + (jc + j) * g.ldb + p0;
            if (j < nc) for (long p = 0; p < kc; p++) panel[p * NR + jj] = src[p];
            else for (long p = 0; p < kc; p++) panel[p * NR + jj] = 0;
          }
        }
      } else if (pack) {
        for (long t = 0; t * NR < nc; t++) {
          float* panel = scratch + t * kc * NR;
          const int cols = (int)(nc - t * NR < NR ? nc - t * NR : NR);
          const int c0 = cols < V::W ? cols : V::W, c1 = cols > V::W ? cols - V::W : 0;
          const float* src = g.b + p0 * g.ldb + jc + t * NR;
          for (long p = 0; p < kc; p++, src += g.ldb) {
            V::store(panel + p * NR, V::load(src, c0), V::W);
            V::store(panel + p * NR + V::W, V::load(src + V::W, c1), V::W);
          }
        }
      }
      for (long i = m0; i < m1; i += V::MR) {
        const int rows = (int)(m1 - i < V::MR ? m1 - i : V::MR);
        const float* ap = g.a + i * ars + p0 * aps;
        for (long j = 0; j < nc; j += NR) {
          const int cols = (int)(nc - j < NR ? nc - j : NR);
          const float* bp = pack ? scratch + (j / NR) * kc * NR : g.b + p0 * g.ldb + jc + j;
          const long bs = pack ? NR : g.ldb;
          if (rows == 1 && cols == NR) {
            j += (row_tiles((nc - j) / NR, kc, ap, aps, bp, bs, pack ? kc * NR : NR,
                            g.c + i * g.ldc + jc + j, accumulate) - 1) * NR;
            continue;
          }
          tile<V::MR>(rows, cols, kc, ap, ars, aps, bp, bs, g.c + i * g.ldc + jc + j, g.ldc,
                      accumulate);
        }
      }
    }
  }
}

static const Kernels kTable = {
    ISA_NAME, NR, V::MR, k_gemm, k_math, k_softmax_rows, k_rnn_forward, k_lstm_forward,
    k_lstm_backward, k_gru_forward, k_gru_reset_forward, k_adam, k_rnn_backward, k_gru_backward,
    k_gru_reset_backward,
};
