// Kernels for AVX-512F/VL + FMA; this file alone is compiled with those flags (binding.gyp).
#include <immintrin.h>
#include "isa.h"

namespace gated_avx512 {
#define ISA_NAME "avx512"

struct V {
  using T = __m512;
  static constexpr int W = 16, MR = 8;
  static __mmask16 lanes(int n) { return (__mmask16)((1u << n) - 1); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static T load(const float* p, int n) { return _mm512_maskz_loadu_ps(lanes(n), p); }
  static void store(float* p, T v, int n) { _mm512_mask_storeu_ps(p, lanes(n), v); }
  static T set1(float x) { return _mm512_set1_ps(x); }
  static T zero() { return _mm512_setzero_ps(); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T div(T a, T b) { return _mm512_div_ps(a, b); }
  static T sqrt(T a) { return _mm512_sqrt_ps(a); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T max(T a, T b) { return _mm512_max_ps(a, b); }
  static T min(T a, T b) { return _mm512_min_ps(a, b); }
  static T select_lt(T a, T b, T x, T y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
  }
  static T abs(T a) { return _mm512_abs_ps(a); }
  static T copysign(T mag, T sgn) {
    const __m512i s = _mm512_set1_epi32(0x80000000);
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_andnot_si512(s, _mm512_castps_si512(mag)),
        _mm512_and_si512(s, _mm512_castps_si512(sgn))));
  }
  static T round_int(T x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static T scale2(T p, T n) { return _mm512_scalef_ps(p, n); }
};

#include "kernels.h"
}  // namespace gated_avx512

const Kernels* kernels_avx512() { return &gated_avx512::kTable; }
