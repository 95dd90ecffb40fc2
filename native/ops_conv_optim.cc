// ConvOps (src/backend/conv-ops.ts) and OptimizerOps (src/backend/optimizer-ops.ts).
#include <algorithm>
#include <string>
#include <vector>

#include "generic.h"
#include "ops.h"

namespace {

// A Window1d passed flat as 8 integers from argument i on.
Window1d window(Call& c, size_t i) {
  Window1d w;
  w.batch = c.size(i, "batch");
  w.steps = c.size(i + 1, "steps");
  w.channels = c.size(i + 2, "channels");
  w.size = c.size(i + 3, "size");
  w.stride = c.size(i + 4, "stride");
  w.dilation = c.size(i + 5, "dilation");
  w.padLeft = c.size(i + 6, "padLeft");
  w.outSteps = c.size(i + 7, "outSteps");
  if (w.size < 1 || w.stride < 1 || w.dilation < 1)
    c.fail("window size, stride and dilation must be ≥ 1");
  return w;
}

// The window's array sizes, checked for overflow: input [batch, steps, channels], output
// [batch, outSteps, channels], and the im2col rows [batch·outSteps, size·channels].
struct WindowLens {
  long input, output, cols;
};
WindowLens lens(Call& c, const Window1d& w) {
  return {c.product({w.batch, w.steps, w.channels}), c.product({w.batch, w.outSteps, w.channels}),
          c.product({w.batch, w.outSteps, w.channels, w.size})};
}

napi_value im2col1d(Call& c) {
  const Window1d w = window(c, 1);
  const WindowLens n = lens(c, w);
  const float* x = c.span(c.f32(0, "x"), "x", 0, n.input);
  float* cols = c.span(c.f32(9, "cols"), "cols", 0, n.cols);
  if (n.cols == 0) return undefined(c.env);  // no empty loop over a huge batch or window
  forRanges(w.batch, (double)n.cols, [&](long lo, long hi) { generic::im2col(x, w, cols, lo, hi); });
  return undefined(c.env);
}

napi_value col2im1d(Call& c) {
  const Window1d w = window(c, 1);
  const WindowLens n = lens(c, w);
  const float* dCols = c.span(c.f32(0, "dCols"), "dCols", 0, n.cols);
  float* dx = c.span(c.f32(9, "dx"), "dx", 0, n.input);
  if (n.cols == 0) {
    std::fill(dx, dx + n.input, 0.0f);
    return undefined(c.env);
  }
  // Each batch row owns its own part of dx, so splitting by batch keeps the summation order.
  forRanges(w.batch, (double)n.cols, [&](long lo, long hi) { generic::col2im(dCols, w, dx, lo, hi); });
  return undefined(c.env);
}

napi_value maxPool1d(Call& c) {
  const Window1d w = window(c, 1);
  const WindowLens n = lens(c, w);
  const float* x = c.span(c.f32(0, "x"), "x", 0, n.input);
  float* y = c.span(c.f32(9, "y"), "y", 0, n.output);
  int32_t* argmax = c.span(c.i32(10, "argmax"), "argmax", 0, n.output);
  if (w.steps == 0 && n.output > 0) c.fail("input has no timesteps");
  // No output, nothing to do (and no empty loop over a huge batch or window).
  if (n.output == 0) return undefined(c.env);
  forRanges(w.batch, (double)n.cols, [&](long lo, long hi) {
    generic::maxPool(x, w, y, argmax, lo, hi);
  });
  return undefined(c.env);
}

napi_value maxPool1dBackward(Call& c) {
  const Window1d w = window(c, 2);
  const WindowLens n = lens(c, w);
  const float* dy = c.span(c.f32(0, "dy"), "dy", 0, n.output);
  const auto am = c.i32(1, "argmax");
  const int32_t* argmax = c.span(am, "argmax", 0, n.output);
  for (long i = 0; i < n.output; i++)
    if (argmax[i] < 0 || argmax[i] >= n.input)
      c.fail("argmax " + std::to_string(argmax[i]) + " at " + std::to_string(i) +
             " is outside the input");
  generic::maxPoolBackward(dy, argmax, w, c.span(c.f32(10, "dx"), "dx", 0, n.input));
  return undefined(c.env);
}

// (kind, y, dy, at, count, x, window, kernel, filters, dKernel, dBias, dx): ConvOps'
// conv1dBackwardSparse. Weights split by filters, dx by batch rows; each part walks the whole
// list in order, so every sum keeps the list's order whatever the thread count.
napi_value conv1dBackwardSparse(Call& c) {
  generic::SparseConvGrad s;
  s.kind = c.choice(0, "kind", ELEMENTWISE_ACT_COUNT);
  const Window1d w = window(c, 6);
  const WindowLens n = lens(c, w);
  s.filters = c.size(15, "filters");
  const long outputs = c.product({w.batch, w.outSteps, s.filters});
  const long K = c.product({w.size, w.channels}), weights = c.product({K, s.filters});
  s.y = c.span(c.f32(1, "y"), "y", 0, outputs);
  s.dy = c.span(c.f32(2, "dy"), "dy", 0, outputs);
  s.count = c.size(4, "count");
  s.at = c.span(c.i32(3, "at"), "at", 0, s.count);
  for (long e = 0; e < s.count; e++)
    if (s.at[e] < 0 || s.at[e] >= outputs)
      c.fail("at[" + std::to_string(e) + "] = " + std::to_string(s.at[e]) +
             " is outside the output");
  const float* x = c.span(c.f32(5, "x"), "x", 0, n.input);
  const float* kernel = c.span(c.f32(14, "kernel"), "kernel", 0, weights);
  float* dKernel = c.span(c.f32(16, "dKernel"), "dKernel", 0, weights);
  const auto db = c.f32OrNull(17, "dBias");
  float* dBias = db.p ? c.span(db, "dBias", 0, s.filters) : nullptr;
  float* dx = c.span(c.f32(18, "dx"), "dx", 0, n.input);
  if (n.input == 0 && (!dBias || s.filters == 0)) return undefined(c.env);
  // Per filter: its sums and bias sum, then the transposed kernel (read by the dx pass).
  thread_local std::vector<float> scratch;
  scratch.resize(2 * weights + s.filters);
  float* sums = scratch.data();
  float* kernelT = sums + weights + s.filters;
  const double work = (double)s.count * K;
  // One part per thread here: every part reads x wherever its filters' winners are, so more
  // parts would read it more often.
  const int parts = partsFor(s.filters, work + weights, 1);
  pool::parallel(parts, [&](int p) {
    const Range r = split(s.filters, parts, p);
    if (r.lo < r.hi)
      generic::convSparseWeights(s, x, kernel, w, sums, kernelT, dKernel, dBias, r.lo, r.hi);
  });
  forRanges(w.batch, work + n.input, [&](long lo, long hi) {
    generic::convSparseInput(s, kernelT, w, dx, lo, hi);
  });
  return undefined(c.env);
}

// (x or dy, batch, steps, channels, mask, y or dx): the shared argument layout of both directions.
struct AvgArgs {
  long batch, steps, channels;
  const uint8_t* mask;
};
AvgArgs avgArgs(Call& c) {
  AvgArgs a;
  a.batch = c.size(1, "batch");
  a.steps = c.size(2, "steps");
  a.channels = c.size(3, "channels");
  const auto m = c.u8OrNull(4, "mask");
  a.mask = m ? c.span(m, "mask", 0, c.product({a.batch, a.steps})) : nullptr;
  return a;
}

napi_value globalAvgPool1d(Call& c) {
  const AvgArgs a = avgArgs(c);
  const float* x = c.span(c.f32(0, "x"), "x", 0, c.product({a.batch, a.steps, a.channels}));
  float* y = c.span(c.f32(5, "y"), "y", 0, c.product({a.batch, a.channels}));
  forRanges(a.batch, (double)a.batch * a.steps * a.channels, [&](long lo, long hi) {
    generic::avgPool(x, a.steps, a.channels, a.mask, y, lo, hi);
  });
  return undefined(c.env);
}

napi_value globalAvgPool1dBackward(Call& c) {
  const AvgArgs a = avgArgs(c);
  const float* dy = c.span(c.f32(0, "dy"), "dy", 0, c.product({a.batch, a.channels}));
  float* dx = c.span(c.f32(5, "dx"), "dx", 0, c.product({a.batch, a.steps, a.channels}));
  forRanges(a.batch, (double)a.batch * a.steps * a.channels, [&](long lo, long hi) {
    generic::avgPoolBackward(dy, a.steps, a.channels, a.mask, dx, lo, hi);
  });
  return undefined(c.env);
}

// Optimizers: (w, grad, n, clipScale, clipValue, …). Slots are as long as w.
struct Update {
  long n;
  float* w;
  const float* grad;
  float clipScale, clipValue;
};
Update update(Call& c) {
  Update u;
  u.n = c.size(2, "n");
  u.w = c.span(c.f32(0, "w"), "w", 0, u.n);
  u.grad = c.span(c.f32(1, "grad"), "grad", 0, u.n);
  u.clipScale = (float)c.number(3, "clipScale");
  u.clipValue = (float)c.number(4, "clipValue");
  return u;
}
float* slot(Call& c, size_t i, const char* name, long n, bool optional) {
  const auto a = optional ? c.f32OrNull(i, name) : c.f32(i, name);
  return a ? c.span(a, name, 0, n) : nullptr;
}

napi_value sgdUpdate(Call& c) {
  const Update u = update(c);
  const float lr = (float)c.number(5, "learningRate"), mu = (float)c.number(6, "momentum");
  const bool nesterov = c.flag(7, "nesterov");
  float* m = slot(c, 8, "momentum slot", u.n, true);
  forRanges(u.n, u.n * 4.0, [&](long lo, long hi) {
    generic::sgd(u.w, u.grad, u.clipScale, u.clipValue, lr, mu, nesterov, m, lo, hi);
  });
  return undefined(c.env);
}

napi_value rmspropUpdate(Call& c) {
  const Update u = update(c);
  const float lr = (float)c.number(5, "learningRate"), rho = (float)c.number(6, "rho");
  const float mu = (float)c.number(7, "momentum"), eps = (float)c.number(8, "epsilon");
  float* vel = slot(c, 9, "velocity", u.n, false);
  float* mom = slot(c, 10, "momentum slot", u.n, true);
  float* avg = slot(c, 11, "averageGrad", u.n, true);
  forRanges(u.n, u.n * 8.0, [&](long lo, long hi) {
    generic::rmsprop(u.w, u.grad, u.clipScale, u.clipValue, lr, rho, mu, eps, vel, mom, avg, lo,
                     hi);
  });
  return undefined(c.env);
}

// (w, grad, n, clipScale, clipValue, alpha, beta1, beta2, epsilon, m, v) of both Adam ops.
AdamArgs adamArgs(Call& c, long* n) {
  const Update u = update(c);
  AdamArgs a;
  a.w = u.w;
  a.grad = u.grad;
  a.clipScale = u.clipScale;
  a.clipValue = u.clipValue;
  a.alpha = (float)c.number(5, "alpha");
  a.oneMinusBeta1 = (float)(1.0 - c.number(6, "beta1"));
  a.oneMinusBeta2 = (float)(1.0 - c.number(7, "beta2"));
  a.epsilon = (float)c.number(8, "epsilon");
  a.m = slot(c, 9, "m", u.n, false);
  a.v = slot(c, 10, "v", u.n, false);
  *n = u.n;
  return a;
}

napi_value adamUpdate(Call& c) {
  long n;
  const AdamArgs a = adamArgs(c, &n);
  forRanges(
      n, n * 8.0, [&](long lo, long hi) { K->adam(a, lo, hi); }, 64);
  return undefined(c.env);
}

// …, rowSize, rows: Adam on the listed rows of the table only (LazyAdam). The rows are distinct,
// so the threads, each given whole rows, never write the same value.
napi_value adamUpdateRows(Call& c) {
  long n;
  const AdamArgs a = adamArgs(c, &n);
  const long rowSize = c.size(11, "rowSize");
  const auto rows = c.i32(12, "rows");
  const long count = c.distinctIds(rows, "rows", rowSize == 0 ? 0 : n / rowSize);
  forRanges(count, (double)count * rowSize * 8.0, [&](long lo, long hi) {
    for (long i = lo; i < hi; i++) K->adam(a, rows.p[i] * rowSize, (rows.p[i] + 1) * rowSize);
  });
  return undefined(c.env);
}

}  // namespace

extern const OpEntry kConvOptimizerOps[] = {
    {"im2col1d", im2col1d},
    {"col2im1d", col2im1d},
    {"maxPool1d", maxPool1d},
    {"maxPool1dBackward", maxPool1dBackward},
    {"conv1dBackwardSparse", conv1dBackwardSparse},
    {"globalAvgPool1d", globalAvgPool1d},
    {"globalAvgPool1dBackward", globalAvgPool1dBackward},
    {"sgdUpdate", sgdUpdate},
    {"rmspropUpdate", rmspropUpdate},
    {"adamUpdate", adamUpdate},
    {"adamUpdateRows", adamUpdateRows},
    {nullptr, nullptr},
};
