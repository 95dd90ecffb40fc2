// Kernels for any x86-64 (SSE2 only, no FMA: fma is a multiply then an add).
#include <emmintrin.h>
#include "isa.h"

namespace gated_baseline {
#define ISA_NAME "baseline"

struct V {
  using T = __m128;
  static constexpr int W = 4, MR = 6;
  static T load(const float* p) { return _mm_loadu_ps(p); }
  // SSE2 has no masked moves: partial vectors go through a small zero-filled buffer.
  static T load(const float* p, int n) {
    if (n == W) return _mm_loadu_ps(p);
    float t[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; i++) t[i] = p[i];
    return _mm_loadu_ps(t);
  }
  static void store(float* p, T v, int n) {
    if (n == W) return _mm_storeu_ps(p, v);
    float t[4];
    _mm_storeu_ps(t, v);
    for (int i = 0; i < n; i++) p[i] = t[i];
  }
  static T set1(float x) { return _mm_set1_ps(x); }
  static T zero() { return _mm_setzero_ps(); }
  static T add(T a, T b) { return _mm_add_ps(a, b); }
  static T sub(T a, T b) { return _mm_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm_mul_ps(a, b); }
  static T div(T a, T b) { return _mm_div_ps(a, b); }
  static T sqrt(T a) { return _mm_sqrt_ps(a); }
  static T fma(T a, T b, T c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
  static T max(T a, T b) { return _mm_max_ps(a, b); }
  static T min(T a, T b) { return _mm_min_ps(a, b); }
  static T select_lt(T a, T b, T x, T y) {
    const T m = _mm_cmplt_ps(a, b);
    return _mm_or_ps(_mm_and_ps(m, x), _mm_andnot_ps(m, y));
  }
  static T abs(T a) { return _mm_andnot_ps(_mm_set1_ps(-0.0f), a); }
  static T copysign(T mag, T sgn) {
    const T s = _mm_set1_ps(-0.0f);
    return _mm_or_ps(_mm_andnot_ps(s, mag), _mm_and_ps(s, sgn));
  }
  // Inputs are clamped to |x| < 2^8, so the int round trip is exact (NaN stays NaN downstream).
  static T round_int(T x) { return _mm_cvtepi32_ps(_mm_cvtps_epi32(x)); }
  static T scale2(T p, T n) {
    const __m128i ni = _mm_cvtps_epi32(n);
    const __m128i h = _mm_srai_epi32(ni, 1);
    const __m128i bias = _mm_set1_epi32(127);
    const T f1 = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(h, bias), 23));
    const T f2 = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_sub_epi32(ni, h), bias), 23));
    return _mm_mul_ps(_mm_mul_ps(p, f1), f2);
  }
};

#include "kernels.h"
}  // namespace gated_baseline

const Kernels* kernels_baseline() { return &gated_baseline::kTable; }
