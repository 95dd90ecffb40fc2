// Kernels with no transcendental functions: plain loops (auto-vectorised for the baseline ISA),
// identical on every CPU. Each takes the sub-range of independent outputs it should compute, so
// the caller can split the work between threads without changing any result.
#pragma once
#include <cstdint>

struct Window1d {
  long batch, steps, channels, size, stride, dilation, padLeft, outSteps;
};

namespace generic {

void addRowVector(float* x, long cols, const float* v, long r0, long r1);
void activationBackward(int kind, const float* y, const float* dy, float* dx, long i0, long i1);
void softmaxBackward(const float* y, const float* dy, float* dx, long cols, long r0, long r1);
void multiply(const float* a, const float* b, float* out, long i0, long i1);
void multiplyAt(const float* a, const float* b, float* out, bool beta, long i0, long i1);
void axpy(float alpha, const float* x, float* y, long i0, long i1);
void scale(float* x, float alpha, long i0, long i1);
double sumSquares(const float* x, long n);

void gather(const float* table, long dim, const int32_t* ids, float* out, long i0, long i1);
void scatterAdd(const float* dOut, const int32_t* ids, long count, long dim, float* dTable,
                long r0, long r1);
// Bags b0..b1 of an embedding bag (CSR ids/offsets, weights or null, mean divides by the count).
void embeddingBag(const float* table, long dim, const int32_t* ids, const int32_t* offsets,
                  const float* weights, bool mean, float* out, long b0, long b1);
// Columns d0..d1 of its gradient, every bag in order (so repeated ids add up as the reference).
void embeddingBagBackward(const float* dOut, const int32_t* ids, const int32_t* offsets,
                          long bags, const float* weights, bool mean, long dim, float* dTable,
                          long d0, long d1);
void transposeSequence(float* batchMajor, float* timeMajor, long batch, long steps, long features,
                       bool reverse, const float* scale, bool toTimeMajor, long s0, long s1);

void im2col(const float* x, const Window1d& w, float* cols, long b0, long b1);
void col2im(const float* dCols, const Window1d& w, float* dx, long b0, long b1);
void maxPool(const float* x, const Window1d& w, float* y, int32_t* argmax, long b0, long b1);
void maxPoolBackward(const float* dy, const int32_t* argmax, const Window1d& w, float* dx);
// Conv1D's backward from a gradient that is nonzero at `count` listed output indices only
// (ConvOps.conv1dBackwardSparse). Weights: filters f0..f1, sums kept transposed in `sums`
// (filters × size·channels, then filters bias sums), which also receives kernelT, the kernel
// transposed (filters × size·channels) for the input pass. Input: batch rows b0..b1 of dx.
struct SparseConvGrad {
  int kind;
  const float *y, *dy;
  const int32_t* at;
  long count, filters;
};
void convSparseWeights(const SparseConvGrad& s, const float* x, const float* kernel,
                       const Window1d& w, float* sums, float* kernelT, float* dKernel,
                       float* dBias, long f0, long f1);
void convSparseInput(const SparseConvGrad& s, const float* kernelT, const Window1d& w, float* dx,
                     long b0, long b1);
void avgPool(const float* x, long steps, long channels, const uint8_t* mask, float* y, long b0,
             long b1);
void avgPoolBackward(const float* dy, long steps, long channels, const uint8_t* mask, float* dx,
                     long b0, long b1);

void sgd(float* w, const float* grad, float clipScale, float clipValue, float lr, float mu,
         bool nesterov, float* momentum, long i0, long i1);
void rmsprop(float* w, const float* grad, float clipScale, float clipValue, float lr, float rho,
             float mu, float eps, float* velocity, float* momentum, float* averageGrad, long i0,
             long i1);

}  // namespace generic
