// CoreOps and EmbeddingOps (src/backend/core-ops.ts, embedding-ops.ts).
#include <cstring>
#include <vector>

#include "generic.h"
#include "ops.h"

namespace {

// A transposed A with a long k (the weight gradients Xᵀ·dG and Hᵀ·dG: a small C, tall A and B)
// is summed in two halves of k, one part each, the second into a scratch C added last: a thread
// then streams half of A and of B instead of all of A and half of B. The halves and the order of
// the final add depend on the shapes only, never on the thread count, so neither do the bits.
constexpr long kHalvesFromK = 4096;

void runGemmHalves(const GemmArgs& g) {
  const long k0 = (g.k / 2 + GEMM_KC - 1) / GEMM_KC * GEMM_KC;
  std::vector<float> second((size_t)(g.m * g.n));
  GemmArgs lo = g, hi = g;
  lo.k = k0;
  hi.k = g.k - k0;
  hi.a = g.a + k0 * g.lda;
  hi.b = g.tb ? g.b + k0 : g.b + k0 * g.ldb;
  hi.c = second.data();
  hi.ldc = g.n;
  hi.beta = false;
  pool::parallel(2, [&](int p) {
    const GemmArgs& h = p == 0 ? lo : hi;
    K->gemm(h, 0, h.m, 0, h.n, pool::scratch());
  });
  for (long i = 0; i < g.m; i++)
    for (long j = 0; j < g.n; j++) g.c[i * g.ldc + j] += second[i * g.n + j];
}

// C = op(A)·op(B) (+ C) on the pool.
void runGemm(const GemmArgs& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.ta && g.k >= kHalvesFromK) return runGemmHalves(g);
  // Otherwise split the columns of C (or its rows when there are too few column tiles). Each
  // part rereads a whole operand (from cache), but 4 parts per thread beat 1 on this shared VM:
  // 230 vs 150 GFLOP/s on the 12800-row products, as a preempted thread holds back less work.
  const double work = (double)g.m * g.n * (g.k + 1);
  const long colTiles = (g.n + K->nr - 1) / K->nr;
  // A long k (the weight gradients' Xᵀ·dG) with a small C: one column part per thread, as each
  // column part streams the whole of A.
  const bool longK = g.k >= 16 * (g.m + g.n);
  const int parts = partsFor(colTiles >= pool::threads() ? colTiles : g.m / K->mr, work, longK ? 1 : 4);
  // A tall A (rows ≫ columns of C) is split by rows: each part then reads only its rows of A,
  // where column parts would each stream all of it from memory.
  const bool byCols = colTiles >= parts && !(g.m >= 16 * g.n && !g.ta);
  pool::parallel(parts, [&](int p) {
    const Range r = split(byCols ? g.n : g.m, parts, p, byCols ? K->nr : K->mr);
    if (r.lo >= r.hi) return;
    if (byCols) K->gemm(g, 0, g.m, r.lo, r.hi, pool::scratch());
    else K->gemm(g, r.lo, r.hi, 0, g.n, pool::scratch());
  });
}

napi_value gemm(Call& c) {
  GemmArgs g;
  g.ta = c.flag(0, "transA");
  g.tb = c.flag(1, "transB");
  g.m = c.size(2, "m");
  g.n = c.size(3, "n");
  g.k = c.size(4, "k");
  const auto a = c.f32(5, "a"), b = c.f32(8, "b"), cc = c.f32(11, "c");
  g.lda = c.size(7, "lda");
  g.ldb = c.size(10, "ldb");
  g.ldc = c.size(13, "ldc");
  // A is only read, so its rows may overlap (lda below its row length): a convolution's windows
  // over its input, read in place instead of copied out by im2col.
  g.a = g.ta ? c.readMatrix(a, "a", c.offset(6, "aOffset"), g.k, g.m, g.lda)
             : c.readMatrix(a, "a", c.offset(6, "aOffset"), g.m, g.k, g.lda);
  g.b = g.tb ? c.matrix(b, "b", c.offset(9, "bOffset"), g.n, g.k, g.ldb)
             : c.matrix(b, "b", c.offset(9, "bOffset"), g.k, g.n, g.ldb);
  g.c = c.matrix(cc, "c", c.offset(12, "cOffset"), g.m, g.n, g.ldc);
  g.beta = c.flag(14, "beta");
  runGemm(g);
  return undefined(c.env);
}

napi_value addRowVector(Call& c) {
  const long rows = c.size(1, "rows"), cols = c.size(2, "cols");
  float* x = c.span(c.f32(0, "x"), "x", 0, c.product({rows, cols}));
  const float* v = c.span(c.f32(3, "v"), "v", 0, cols);
  forRanges(rows, (double)rows * cols, [&](long lo, long hi) {
    generic::addRowVector(x, cols, v, lo, hi);
  });
  return undefined(c.env);
}

napi_value sumRows(Call& c) {
  const long rows = c.size(1, "rows"), cols = c.size(2, "cols");
  const float* x = c.span(c.f32(0, "x"), "x", 0, c.product({rows, cols}));
  float* out = c.span(c.f32(3, "out"), "out", 0, cols);
  const bool beta = c.flag(4, "beta");
  // The product 1ᵀ·X with the 1 read again at every k (lda 0): each column's rows summed in
  // order from out (or 0), as fma(1, x, s) = x + s rounded once, on the GEMM's vector tiles and
  // column parts (each part streams its columns of every row once).
  static const float one = 1.0f;
  runGemm(GemmArgs{true, false, 1, cols, rows, &one, 0, x, cols, out, cols, beta});
  return undefined(c.env);
}

napi_value activation(Call& c) {
  const int kind = c.choice(0, "kind", ACT_COUNT);
  const long n = c.size(3, "n");
  const float* x = c.span(c.f32(1, "x"), "x", 0, n);
  float* y = c.span(c.f32(2, "y"), "y", 0, n);
  if (n == 0) return undefined(c.env);
  if (kind == ACT_SOFTMAX) {
    const long cols = c.size(4, "cols");
    if (cols == 0 || n % cols != 0) c.fail("softmax needs n to be a multiple of cols ≥ 1");
    forRanges(n / cols, (double)n * 8, [&](long lo, long hi) {
      K->softmax(x + lo * cols, y + lo * cols, hi - lo, cols);
    });
  } else if (kind == ACT_LINEAR) {
    if (x != y) std::memmove(y, x, n * sizeof(float));
  } else {
    forRanges(n, (double)n * 8, [&](long lo, long hi) { K->math(kind, x + lo, y + lo, hi - lo); });
  }
  return undefined(c.env);
}

napi_value activationBackward(Call& c) {
  const int kind = c.choice(0, "kind", ACT_COUNT);
  const long n = c.size(4, "n");
  const float* y = c.span(c.f32(1, "y"), "y", 0, n);
  const float* dy = c.span(c.f32(2, "dy"), "dy", 0, n);
  float* dx = c.span(c.f32(3, "dx"), "dx", 0, n);
  if (n == 0) return undefined(c.env);
  if (kind == ACT_SOFTMAX) {
    const long cols = c.size(5, "cols");
    if (cols == 0 || n % cols != 0) c.fail("softmax needs n to be a multiple of cols ≥ 1");
    forRanges(n / cols, (double)n * 2, [&](long lo, long hi) {
      generic::softmaxBackward(y, dy, dx, cols, lo, hi);
    });
  } else {
    forRanges(n, n, [&](long lo, long hi) { generic::activationBackward(kind, y, dy, dx, lo, hi); });
  }
  return undefined(c.env);
}

// Exposed for the error-bound test: fn ACT_SIGMOID, ACT_TANH or MATH_EXP.
napi_value math(Call& c) {
  const int fn = c.choice(0, "fn", MATH_EXP + 1);
  const long n = c.size(3, "n");
  K->math(fn, c.span(c.f32(1, "x"), "x", 0, n), c.span(c.f32(2, "y"), "y", 0, n), n);
  return undefined(c.env);
}

napi_value multiply(Call& c) {
  const long n = c.size(3, "n");
  const float* a = c.span(c.f32(0, "a"), "a", 0, n);
  const float* b = c.span(c.f32(1, "b"), "b", 0, n);
  float* out = c.span(c.f32(2, "out"), "out", 0, n);
  forRanges(n, n, [&](long lo, long hi) { generic::multiply(a, b, out, lo, hi); });
  return undefined(c.env);
}

napi_value axpy(Call& c) {
  const float alpha = (float)c.number(0, "alpha");
  const long n = c.size(3, "n");
  const float* x = c.span(c.f32(1, "x"), "x", 0, n);
  float* y = c.span(c.f32(2, "y"), "y", 0, n);
  forRanges(n, n, [&](long lo, long hi) { generic::axpy(alpha, x, y, lo, hi); });
  return undefined(c.env);
}

napi_value scale(Call& c) {
  const long n = c.size(2, "n");
  float* x = c.span(c.f32(0, "x"), "x", 0, n);
  const float alpha = (float)c.number(1, "alpha");
  forRanges(n, n, [&](long lo, long hi) { generic::scale(x, alpha, lo, hi); });
  return undefined(c.env);
}

napi_value sumSquares(Call& c) {
  const long n = c.size(1, "n");
  return number(c.env, generic::sumSquares(c.span(c.f32(0, "x"), "x", 0, n), n));
}

napi_value gather(Call& c) {
  const auto table = c.f32(0, "table");
  const long dim = c.size(1, "dim");
  const auto ids = c.i32(2, "ids");
  const long count = c.ids(ids, dim == 0 ? 0 : table.len / dim);
  float* out = c.span(c.f32(3, "out"), "out", 0, c.product({count, dim}));
  forRanges(count, (double)count * dim, [&](long lo, long hi) {
    generic::gather(table.p, dim, ids.p, out, lo, hi);
  });
  return undefined(c.env);
}

napi_value scatterAdd(Call& c) {
  const auto ids = c.i32(1, "ids");
  const long dim = c.size(2, "dim");
  const auto table = c.f32(3, "dTable");
  const long rows = dim == 0 ? 0 : table.len / dim;
  const long count = c.ids(ids, rows);
  const float* dOut = c.span(c.f32(0, "dOut"), "dOut", 0, c.product({count, dim}));
  // Split by table rows, each part walking all ids. The work counts each value 4 times: the
  // adds are memory-bound (cold rows in a training batch: 0.7–1.2 → 0.5–0.7 ms on 2 threads for
  // the 7,218 distinct rows of 128 the token projection hands back, bench/NOTES.md).
  forRanges(rows, 4.0 * count * dim, [&](long lo, long hi) {
    generic::scatterAdd(dOut, ids.p, count, dim, table.p, lo, hi);
  });
  return undefined(c.env);
}

// An embedding bag's ids (inside the table), offsets (0 … ids.length, never decreasing),
// weights (null or one per id) and mode, in the TypeScript checks' order; returns the bag count.
struct Bags {
  Arr<int32_t> ids, offsets;
  const float* weights;
  bool mean;
  long count;
};
Bags checkBags(Call& c, size_t at, long dim, long tableLen) {
  const auto ids = c.i32(at, "ids");
  c.ids(ids, dim == 0 ? 0 : tableLen / dim);
  const auto offsets = c.i32(at + 1, "offsets");
  if (offsets.len < 1) c.fail("offsets must hold at least one value (bags + 1)");
  if (offsets.p[0] != 0) c.fail("offsets[0] must be 0, got " + std::to_string(offsets.p[0]));
  for (long b = 1; b < offsets.len; b++)
    if (offsets.p[b] < offsets.p[b - 1] || offsets.p[b] > ids.len)
      c.fail("offsets[" + std::to_string(b) + "] = " + std::to_string(offsets.p[b]) +
             " is not in [" + std::to_string(offsets.p[b - 1]) + ", " + std::to_string(ids.len) +
             "]");
  if (offsets.p[offsets.len - 1] != ids.len)
    c.fail("the last offset must be ids.length " + std::to_string(ids.len) + ", got " +
           std::to_string(offsets.p[offsets.len - 1]));
  const auto w = c.f32OrNull(at + 2, "weights");
  const float* weights = w ? c.span(w, "weights", 0, ids.len) : nullptr;
  const bool mean = c.choice(at + 3, "mode", 2) == 1;
  return {ids, offsets, weights, mean, offsets.len - 1};
}

napi_value embeddingBag(Call& c) {
  const auto table = c.f32(0, "table");
  const long dim = c.size(1, "dim");
  const Bags bags = checkBags(c, 2, dim, table.len);
  float* out = c.span(c.f32(6, "out"), "out", 0, c.product({bags.count, dim}));
  if (bags.count == 0 || dim == 0) return undefined(c.env);
  forRanges(bags.count, (double)bags.ids.len * dim + (double)bags.count * dim, [&](long lo, long hi) {
    generic::embeddingBag(table.p, dim, bags.ids.p, bags.offsets.p, bags.weights, bags.mean, out,
                          lo, hi);
  });
  return undefined(c.env);
}

napi_value embeddingBagBackward(Call& c) {
  const long dim = c.size(5, "dim");
  const auto table = c.f32(6, "dTable");
  const Bags bags = checkBags(c, 1, dim, table.len);
  const float* dOut = c.span(c.f32(0, "dOut"), "dOut", 0, c.product({bags.count, dim}));
  if (bags.ids.len == 0 || dim == 0) return undefined(c.env);
  forRanges(
      dim, (double)bags.ids.len * dim,
      [&](long lo, long hi) {
        generic::embeddingBagBackward(dOut, bags.ids.p, bags.offsets.p, bags.count, bags.weights,
                                      bags.mean, dim, table.p, lo, hi);
      },
      16);
  return undefined(c.env);
}

}  // namespace

extern const OpEntry kCoreOps[] = {
    {"gemm", gemm},
    {"addRowVector", addRowVector},
    {"sumRows", sumRows},
    {"activation", activation},
    {"activationBackward", activationBackward},
    {"math", math},
    {"multiply", multiply},
    {"axpy", axpy},
    {"scale", scale},
    {"sumSquares", sumSquares},
    {"gather", gather},
    {"scatterAdd", scatterAdd},
    {"embeddingBag", embeddingBag},
    {"embeddingBagBackward", embeddingBagBackward},
    {nullptr, nullptr},
};
