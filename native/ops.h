// Shared by the N-API op files: the selected kernel table and how work is split between threads.
#pragma once
#include "call.h"
#include "isa.h"
#include "pool.h"

extern const Kernels* K;

// Below this much work (multiply-adds, or element operations weighted by cost) an op runs on the
// calling thread alone. A recurrent step's GEMM (64×64×256, ~1M) and cell stay below it: a
// wake-up costs ~0.4 µs on an idle machine, but when another process holds the other core a
// per-step handshake can wait for a scheduler time slice (measured with a fixed part per thread:
// 200 steps of h·U took 46 ms on 2 threads against 4.6 ms on 1). A recurrence is split
// by batch rows for the whole sequence instead (sequence*); whole-batch GEMMs (≥ 100M) and
// the optimizer split per call.
// configure() may lower it (tests set 0 so that every op is split).
constexpr double kDefaultParallelWork = 2e6;
extern double g_parallelWork;

// How many parts to split `units` independent outputs into, given the total work: `perThread`
// per thread, so that a thread that falls behind leaves its unclaimed parts to the others.
inline int partsFor(long units, double work, int perThread = 4) {
  const int t = pool::threads();
  if (work < g_parallelWork || t == 1) return 1;
  return units < perThread * t ? (int)(units < 1 ? 1 : units) : perThread * t;
}

// Part p of `parts` of [0, total), boundaries at multiples of `align`.
struct Range {
  long lo, hi;
};
inline Range split(long total, int parts, int p, long align = 1) {
  const long blocks = (total + align - 1) / align;
  const long lo = blocks * p / parts * align, hi = blocks * (p + 1) / parts * align;
  return {lo < total ? lo : total, hi < total ? hi : total};
}

// Runs f(lo, hi) over [0, total) split into parts.
template <class F>
void forRanges(long total, double work, F&& f, long align = 1) {
  const int parts = partsFor((total + align - 1) / align, work);
  pool::parallel(parts, [&](int p) {
    const Range r = split(total, parts, p, align);
    if (r.lo < r.hi) f(r.lo, r.hi);
  });
}

napi_value undefined(napi_env env);
napi_value number(napi_env env, double v);

extern const OpEntry kCoreOps[];
extern const OpEntry kRecurrentOps[];
extern const OpEntry kConvOptimizerOps[];
