// What the ISA-specific kernel tables provide (see kernels.h) and the argument blocks they take.
// Pointers are already offset and every size already validated by the N-API layer.
#pragma once
#include <cstdint>

#include "codes.h"  // ACT_*, CELL_*: written by the build from src/backend/kernel-codes.json

// The table lists softmax last: the codes below it are the elementwise activations.
constexpr int ELEMENTWISE_ACT_COUNT = ACT_SOFTMAX;
// math()'s code for exp: the one after the activations.
constexpr int MATH_EXP = ACT_COUNT;

// K and N blocking of the GEMM; scratch per thread holds GEMM_KC × GEMM_NC floats.
constexpr long GEMM_KC = 256, GEMM_NC = 512;

struct GemmArgs {
  bool ta, tb;
  long m, n, k;
  const float* a;
  long lda;
  const float* b;
  long ldb;
  float* c;
  long ldc;
  bool beta;
};

struct RnnStep {
  int activation;
  long units;
  float* gates;
  const float* hPrev;
  float* h;
  const uint8_t* mask;
};

// One LSTM step, forward (gates, cPrev, c, hPrev, h) or backward (gates, cPrev, c, dh, dc,
// dGates, dhPrev).
struct LstmStep {
  long units;
  float* gates;
  const float* cPrev;
  float* c;
  const float* hPrev;
  float* h;
  const float* dh;
  float* dc;
  float* dGates;
  float* dhPrev;
  const uint8_t* mask;
};

// gruForward (h = new state) or gruResetForward (h = r ⊙ hPrev).
struct GruStep {
  bool resetAfter;
  long units;
  float* gates;
  const float* rec;
  const float* hPrev;
  float* h;
  const uint8_t* mask;
};

struct AdamArgs {
  float* w;
  const float* grad;
  float* m;
  float* v;
  float clipScale, clipValue, alpha, epsilon;
  float oneMinusBeta1, oneMinusBeta2;  // computed in double by the caller
};

struct Kernels {
  const char* name;
  int nr, mr;  // GEMM micro-tile: columns, rows
  void (*gemm)(const GemmArgs&, long m0, long m1, long n0, long n1, float* scratch);
  void (*math)(int fn, const float* x, float* y, long n);  // ACT_* or MATH_EXP, elementwise
  void (*softmax)(const float* x, float* y, long rows, long cols);
  void (*rnnForward)(const RnnStep&, long b0, long b1);
  void (*lstmForward)(const LstmStep&, long b0, long b1);
  void (*lstmBackward)(const LstmStep&, long b0, long b1);
  void (*gruForward)(const GruStep&, long b0, long b1);
  void (*gruResetForward)(const GruStep&, long b0, long b1);
  void (*adam)(const AdamArgs&, long i0, long i1);
  // Backward steps of rows [b0, b1) (masked rows: zero gate gradients, dh passed on to dhPrev).
  void (*rnnBackward)(int activation, long units, const float* gates, const float* dh,
                      float* dGates, float* dhPrev, const uint8_t* mask, long b0, long b1);
  void (*gruBackward)(bool resetAfter, long units, const float* gates, const float* rec,
                      const float* hPrev, const float* dh, float* dGates, float* dRec,
                      float* dhPrev, const uint8_t* mask, long b0, long b1);
  void (*gruResetBackward)(long units, const float* gates, const float* hPrev, const float* dRh,
                           float* dGates, float* dhPrev, long b0, long b1);
};

const Kernels* kernels_avx512();
const Kernels* kernels_avx2();
const Kernels* kernels_baseline();
