#include "pool.h"

#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "isa.h"

namespace pool {
namespace {

constexpr auto kSpin = std::chrono::microseconds(100);

struct Shared {
  std::atomic<uint32_t> seq{0};   // bumped once per job
  std::atomic<int32_t> pending{0};  // helper parts still running
  void (*fn)(void*, int) = nullptr;
  void* ctx = nullptr;
  int parts = 0;
};

Shared g;
std::mutex g_busy;
int g_threads = 1;
int g_started = 0;  // helper threads created so far (they are never stopped)
thread_local std::unique_ptr<float[]> t_scratch;

// Spins until pred() holds or kSpin elapsed; false on timeout.
template <class P>
bool spin(P pred) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; i++) {
    if (pred()) return true;
    _mm_pause();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

// `seen`: the job count when the helper was created (read before any later job is posted).
void helper(int index, uint32_t seen) {
  for (;;) {
    uint32_t now;
    if (!spin([&] { return (now = g.seq.load(std::memory_order_acquire)) != seen; })) {
      g.seq.wait(seen, std::memory_order_acquire);
      continue;
    }
    seen = now;
    // Every helper acknowledges every job, so none can lag into the next job's setup.
    if (index < g.parts) g.fn(g.ctx, index);
    if (g.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) g.pending.notify_one();
  }
}

}  // namespace

void setThreads(int n) {
  std::lock_guard<std::mutex> lock(g_busy);
  g_threads = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
  for (; g_started < g_threads - 1; g_started++) std::thread(helper, g_started + 1, g.seq.load()).detach();
}

int threads() { return g_threads; }

float* scratch() {
  if (!t_scratch) t_scratch.reset(new float[GEMM_KC * GEMM_NC]);
  return t_scratch.get();
}

void run(int parts, void (*fn)(void*, int), void* ctx) {
  std::unique_lock<std::mutex> lock(g_busy, std::try_to_lock);
  if (!lock.owns_lock() || parts <= 1 || g_threads <= 1) {
    for (int p = 0; p < parts; p++) fn(ctx, p);
    return;
  }
  g.fn = fn;
  g.ctx = ctx;
  g.parts = parts;
  g.pending.store(g_started, std::memory_order_relaxed);
  g.seq.fetch_add(1, std::memory_order_release);
  g.seq.notify_all();
  fn(ctx, 0);
  int32_t left;
  if (!spin([&] { return (left = g.pending.load(std::memory_order_acquire)) == 0; })) {
    while ((left = g.pending.load(std::memory_order_acquire)) != 0)
      g.pending.wait(left, std::memory_order_acquire);
  }
}

}  // namespace pool
