#include "generic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "isa.h"

namespace generic {
namespace {

// Math.min/max semantics: NaN propagates.
inline float clip(float g, float scale, float cv) {
  g *= scale;
  if (g != g) return g;
  return g < -cv ? -cv : g > cv ? cv : g;
}

}  // namespace

void addRowVector(float* x, long cols, const float* v, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    float* row = x + r * cols;
    for (long c = 0; c < cols; c++) row[c] += v[c];
  }
}

namespace {
// dy·f'(y) with f given by its output y (one kind per call: the switch is hoisted).
template <int kind>
inline float activationGrad(float y, float dy) {
  if (kind == ACT_SIGMOID) return dy * y * (1 - y);
  if (kind == ACT_TANH) return dy * (1 - y * y);
  if (kind == ACT_RELU) return y > 0 ? dy : 0;
  return dy;
}

inline float activationGrad(int kind, float y, float dy) {
  switch (kind) {
    case ACT_SIGMOID: return activationGrad<ACT_SIGMOID>(y, dy);
    case ACT_TANH: return activationGrad<ACT_TANH>(y, dy);
    case ACT_RELU: return activationGrad<ACT_RELU>(y, dy);
    default: return dy;
  }
}

template <int kind>
void activationBackwardOf(const float* y, const float* dy, float* dx, long i0, long i1) {
  for (long i = i0; i < i1; i++) dx[i] = activationGrad<kind>(y[i], dy[i]);
}
}  // namespace

void activationBackward(int kind, const float* y, const float* dy, float* dx, long i0, long i1) {
  switch (kind) {
    case ACT_SIGMOID: return activationBackwardOf<ACT_SIGMOID>(y, dy, dx, i0, i1);
    case ACT_TANH: return activationBackwardOf<ACT_TANH>(y, dy, dx, i0, i1);
    case ACT_RELU: return activationBackwardOf<ACT_RELU>(y, dy, dx, i0, i1);
    default: return activationBackwardOf<ACT_LINEAR>(y, dy, dx, i0, i1);
  }
}

void softmaxBackward(const float* y, const float* dy, float* dx, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    const long base = r * cols;
    double dot = 0;
    for (long c = 0; c < cols; c++) dot += (double)dy[base + c] * y[base + c];
    for (long c = 0; c < cols; c++) dx[base + c] = (float)(y[base + c] * (dy[base + c] - dot));
  }
}

void multiply(const float* a, const float* b, float* out, long i0, long i1) {
  for (long i = i0; i < i1; i++) out[i] = a[i] * b[i];
}

void multiplyAt(const float* a, const float* b, float* out, bool beta, long i0, long i1) {
  if (beta)
    for (long i = i0; i < i1; i++) out[i] += a[i] * b[i];
  else
    for (long i = i0; i < i1; i++) out[i] = a[i] * b[i];
}

void axpy(float alpha, const float* x, float* y, long i0, long i1) {
  for (long i = i0; i < i1; i++) y[i] += alpha * x[i];
}

void scale(float* x, float alpha, long i0, long i1) {
  for (long i = i0; i < i1; i++) x[i] *= alpha;
}

double sumSquares(const float* x, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

void gather(const float* table, long dim, const int32_t* ids, float* out, long i0, long i1) {
  for (long i = i0; i < i1; i++)
    std::memcpy(out + i * dim, table + (long)ids[i] * dim, dim * sizeof(float));
}

// In id order, like the reference: repeated ids add up in the same sequence. Only the ids in
// table rows [r0, r1): threads that split the rows never write the same one.
void scatterAdd(const float* dOut, const int32_t* ids, long count, long dim, float* dTable,
                long r0, long r1) {
  for (long i = 0; i < count; i++) {
    if (ids[i] < r0 || ids[i] >= r1) continue;
    float* row = dTable + (long)ids[i] * dim;
    const float* src = dOut + i * dim;
    for (long d = 0; d < dim; d++) row[d] += src[d];
  }
}

void embeddingBag(const float* table, long dim, const int32_t* ids, const int32_t* offsets,
                  const float* weights, bool mean, float* out, long b0, long b1) {
  for (long b = b0; b < b1; b++) {
    float* dst = out + b * dim;
    for (long d = 0; d < dim; d++) dst[d] = 0;
    for (long j = offsets[b]; j < offsets[b + 1]; j++) {
      const float w = weights ? weights[j] : 1.0f;
      const float* row = table + (long)ids[j] * dim;
      for (long d = 0; d < dim; d++) dst[d] += w * row[d];
    }
    const long count = offsets[b + 1] - offsets[b];
    if (mean && count > 0)
      for (long d = 0; d < dim; d++) dst[d] /= (float)count;
  }
}

void embeddingBagBackward(const float* dOut, const int32_t* ids, const int32_t* offsets,
                          long bags, const float* weights, bool mean, long dim, float* dTable,
                          long d0, long d1) {
  for (long b = 0; b < bags; b++) {
    const long count = offsets[b + 1] - offsets[b];
    const float* src = dOut + b * dim;
    for (long j = offsets[b]; j < offsets[b + 1]; j++) {
      const float w = (weights ? weights[j] : 1.0f) / (mean ? (float)count : 1.0f);
      float* row = dTable + (long)ids[j] * dim;
      for (long d = d0; d < d1; d++) row[d] += w * src[d];
    }
  }
}

void transposeSequence(float* batchMajor, float* timeMajor, long batch, long steps, long features,
                       bool reverse, const float* scale, bool toTimeMajor, long s0, long s1) {
  for (long s = s0; s < s1; s++) {
    const long t = reverse ? steps - 1 - s : s;
    for (long b = 0; b < batch; b++) {
      float* bm = batchMajor + (b * steps + t) * features;
      float* tm = timeMajor + (s * batch + b) * features;
      const float* src = toTimeMajor ? bm : tm;
      float* dst = toTimeMajor ? tm : bm;
      if (!scale) {
        // One value (a weight matrix's transpose): a copy call per value costs more than it.
        if (features == 1) *dst = *src;
        else std::memcpy(dst, src, features * sizeof(float));
      } else {
        const float* sc = scale + b * features;
        for (long j = 0; j < features; j++) dst[j] = src[j] * sc[j];
      }
    }
  }
}

namespace {
// Where list entry e of a sparse conv gradient lands: filter, sample, output step, and g.
struct SparseEntry {
  long f, b, t;
  float g;
};
inline SparseEntry sparseEntry(const SparseConvGrad& s, const Window1d& w, long e) {
  const long i = s.at[e], f = i % s.filters, r = i / s.filters;
  return {f, r / w.outSteps, r % w.outSteps, activationGrad(s.kind, s.y[i], s.dy[i])};
}

// [j0, j1): the kernel taps of output step t that read an input step (not padding).
inline void validTaps(const Window1d& w, long t, long& j0, long& j1) {
  const long base = t * w.stride - w.padLeft;
  j0 = base >= 0 ? 0 : (w.dilation - 1 - base) / w.dilation;
  j1 = std::min(w.size, base >= w.steps ? 0 : (w.steps - base + w.dilation - 1) / w.dilation);
}
}  // namespace

void im2col(const float* x, const Window1d& w, float* cols, long b0, long b1) {
  const long C = w.channels, rowLen = w.size * C;
  for (long b = b0; b < b1; b++)
    for (long t = 0; t < w.outSteps; t++) {
      float* row = cols + (b * w.outSteps + t) * rowLen;
      for (long j = 0; j < w.size; j++) {
        const long tin = t * w.stride + j * w.dilation - w.padLeft;
        if (tin < 0 || tin >= w.steps) std::memset(row + j * C, 0, C * sizeof(float));
        else std::memcpy(row + j * C, x + (b * w.steps + tin) * C, C * sizeof(float));
      }
    }
}

void col2im(const float* dCols, const Window1d& w, float* dx, long b0, long b1) {
  const long C = w.channels, rowLen = w.size * C;
  std::memset(dx + b0 * w.steps * C, 0, (b1 - b0) * w.steps * C * sizeof(float));
  for (long b = b0; b < b1; b++)
    for (long t = 0; t < w.outSteps; t++) {
      const float* row = dCols + (b * w.outSteps + t) * rowLen;
      for (long j = 0; j < w.size; j++) {
        const long tin = t * w.stride + j * w.dilation - w.padLeft;
        if (tin < 0 || tin >= w.steps) continue;
        float* dst = dx + (b * w.steps + tin) * C;
        for (long c = 0; c < C; c++) dst[c] += row[j * C + c];
      }
    }
}

void maxPool(const float* x, const Window1d& w, float* y, int32_t* argmax, long b0, long b1) {
  const long C = w.channels;
  for (long b = b0; b < b1; b++)
    for (long t = 0; t < w.outSteps; t++) {
      float* best = y + (b * w.outSteps + t) * C;
      int32_t* arg = argmax + (b * w.outSteps + t) * C;
      // Only the taps inside the input (padding never wins), so a huge window costs no empty
      // loop; whole rows of channels at a time, in tap order.
      long j0, j1;
      validTaps(w, t, j0, j1);
      if (j0 >= j1) {
        std::fill(best, best + C, -INFINITY);
        std::fill(arg, arg + C, -1);
        continue;
      }
      for (long j = j0; j < j1; j++) {
        const long row = (b * w.steps + t * w.stride + j * w.dilation - w.padLeft) * C;
        const float* xr = x + row;
        // The first in-range value always wins, so a NaN window still has an argmax.
        if (j == j0) {
          for (long c = 0; c < C; c++) {
            best[c] = xr[c];
            arg[c] = (int32_t)(row + c);
          }
          continue;
        }
        // Branch-free over int32 indices (sizes are checked below 2^31), so the loop vectorises.
        const int32_t first = (int32_t)row;
        for (int32_t c = 0; c < (int32_t)C; c++) {
          const float v = xr[c], held = best[c];
          const int32_t heldArg = arg[c];
          const bool wins = v > held;
          best[c] = wins ? v : held;
          arg[c] = wins ? first + c : heldArg;
        }
      }
    }
}

void maxPoolBackward(const float* dy, const int32_t* argmax, const Window1d& w, float* dx) {
  std::memset(dx, 0, w.batch * w.steps * w.channels * sizeof(float));
  const long n = w.batch * w.outSteps * w.channels;
  for (long i = 0; i < n; i++) dx[argmax[i]] += dy[i];
}


void convSparseWeights(const SparseConvGrad& s, const float* x, const float* kernel,
                       const Window1d& w, float* sums, float* kernelT, float* dKernel,
                       float* dBias, long f0, long f1) {
  const long C = w.channels, K = w.size * C, F = s.filters;
  float* biasSums = sums + F * K;
  std::fill(sums + f0 * K, sums + f1 * K, 0.0f);
  std::fill(biasSums + f0, biasSums + f1, 0.0f);
  for (long k = 0; k < K; k++)
    for (long f = f0; f < f1; f++) kernelT[f * K + k] = kernel[k * F + f];
  for (long e = 0; e < s.count; e++) {
    const long f = s.at[e] % F;
    if (f < f0 || f >= f1) continue;
    const SparseEntry q = sparseEntry(s, w, e);
    biasSums[f] += q.g;
    long j0, j1;
    validTaps(w, q.t, j0, j1);
    for (long j = j0; j < j1; j++) {
      const float* src = x + (q.b * w.steps + q.t * w.stride + j * w.dilation - w.padLeft) * C;
      float* row = sums + f * K + j * C;
      for (long c = 0; c < C; c++) row[c] += q.g * src[c];
    }
  }
  for (long k = 0; k < K; k++)
    for (long f = f0; f < f1; f++) dKernel[k * F + f] += sums[f * K + k];
  if (dBias)
    for (long f = f0; f < f1; f++) dBias[f] += biasSums[f];
}

void convSparseInput(const SparseConvGrad& s, const float* kernelT, const Window1d& w, float* dx,
                     long b0, long b1) {
  const long C = w.channels, K = w.size * C;
  std::memset(dx + b0 * w.steps * C, 0, (b1 - b0) * w.steps * C * sizeof(float));
  for (long e = 0; e < s.count; e++) {
    const long b = s.at[e] / s.filters / w.outSteps;
    if (b < b0 || b >= b1) continue;
    const SparseEntry q = sparseEntry(s, w, e);
    long j0, j1;
    validTaps(w, q.t, j0, j1);
    for (long j = j0; j < j1; j++) {
      float* dst = dx + (b * w.steps + q.t * w.stride + j * w.dilation - w.padLeft) * C;
      const float* wrow = kernelT + q.f * K + j * C;
      for (long c = 0; c < C; c++) dst[c] += q.g * wrow[c];
    }
  }
}

namespace {
long countSteps(const uint8_t* mask, long b, long steps) {
  if (!mask) return steps;
  long n = 0;
  for (long t = 0; t < steps; t++) n += mask[b * steps + t] != 0;
  return n;
}
}  // namespace

void avgPool(const float* x, long steps, long C, const uint8_t* mask, float* y, long b0,
             long b1) {
  for (long b = b0; b < b1; b++) {
    float* out = y + b * C;
    for (long c = 0; c < C; c++) out[c] = 0;
    const long n = countSteps(mask, b, steps);
    if (n == 0) continue;
    for (long t = 0; t < steps; t++) {
      if (mask && mask[b * steps + t] == 0) continue;
      const float* src = x + (b * steps + t) * C;
      for (long c = 0; c < C; c++) out[c] += src[c];
    }
    for (long c = 0; c < C; c++) out[c] /= (float)n;
  }
}

void avgPoolBackward(const float* dy, long steps, long C, const uint8_t* mask, float* dx, long b0,
                     long b1) {
  for (long b = b0; b < b1; b++) {
    const float inv = (float)(1.0 / (double)countSteps(mask, b, steps));
    for (long t = 0; t < steps; t++) {
      float* dst = dx + (b * steps + t) * C;
      const bool masked = mask && mask[b * steps + t] == 0;
      for (long c = 0; c < C; c++) dst[c] = masked ? 0 : dy[b * C + c] * inv;
    }
  }
}

void sgd(float* w, const float* grad, float clipScale, float clipValue, float lr, float mu,
         bool nesterov, float* momentum, long i0, long i1) {
  for (long i = i0; i < i1; i++) {
    const float g = clip(grad[i], clipScale, clipValue);
    if (!momentum) {
      w[i] -= g * lr;
      continue;
    }
    momentum[i] = momentum[i] * mu - g * lr;
    w[i] += nesterov ? momentum[i] * mu - g * lr : momentum[i];
  }
}

void rmsprop(float* w, const float* grad, float clipScale, float clipValue, float lr, float rho,
             float mu, float eps, float* velocity, float* momentum, float* averageGrad, long i0,
             long i1) {
  for (long i = i0; i < i1; i++) {
    const float g = clip(grad[i], clipScale, clipValue);
    velocity[i] = rho * velocity[i] + (1 - rho) * (g * g);
    float denominator;
    if (averageGrad) {
      averageGrad[i] = rho * averageGrad[i] + (1 - rho) * g;
      denominator = velocity[i] - averageGrad[i] * averageGrad[i] + eps;
    } else {
      denominator = velocity[i] + eps;
    }
    const float increment = lr * g / std::sqrt(denominator);
    if (momentum) {
      momentum[i] = mu * momentum[i] + increment;
      w[i] -= momentum[i];
    } else {
      w[i] -= increment;
    }
  }
}

}  // namespace generic
