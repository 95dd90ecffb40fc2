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

// One job at a time. `claim` packs the job number (high 32 bits) and the next unclaimed part
// (low 32): a thread takes a part with a compare-and-swap on both, so a helper that wakes late,
// after its job is over, claims nothing (the job number moved on) and never touches a finished
// job's function or context. The caller takes parts too, so it never waits for a helper that
// has not started: only for parts already running.
std::atomic<uint32_t> g_jobs{0};     // bumped to post a job (helpers wait on it)
std::atomic<uint64_t> g_claim{0};
std::atomic<int32_t> g_parts{0};
std::atomic<int32_t> g_done{0};      // parts finished in the current job
std::atomic<void (*)(void*, int)> g_fn{nullptr};
std::atomic<void*> g_ctx{nullptr};

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

// Runs parts of job `job` until none is left to claim.
void work(uint32_t job) {
  for (;;) {
    uint64_t v = g_claim.load(std::memory_order_acquire);
    for (;;) {
      if ((uint32_t)(v >> 32) != job || (int32_t)(uint32_t)v >= g_parts.load(std::memory_order_relaxed))
        return;
      if (g_claim.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) break;
    }
    // The part is ours, so the job cannot end before it is done: fn and ctx are this job's.
    g_fn.load(std::memory_order_relaxed)(g_ctx.load(std::memory_order_relaxed), (int)(uint32_t)v);
    if (g_done.fetch_add(1, std::memory_order_acq_rel) + 1 == g_parts.load(std::memory_order_relaxed))
      g_done.notify_one();
  }
}

void helper(uint32_t seen) {
  for (;;) {
    uint32_t now;
    if (!spin([&] { return (now = g_jobs.load(std::memory_order_acquire)) != seen; })) {
      g_jobs.wait(seen, std::memory_order_acquire);
      continue;
    }
    seen = now;
    work(now);
  }
}

}  // namespace

void setThreads(int n) {
  std::lock_guard<std::mutex> lock(g_busy);
  g_threads = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
  for (; g_started < g_threads - 1; g_started++)
    std::thread(helper, g_jobs.load()).detach();
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
  const uint32_t job = g_jobs.load(std::memory_order_relaxed) + 1;
  g_fn.store(fn, std::memory_order_relaxed);
  g_ctx.store(ctx, std::memory_order_relaxed);
  g_parts.store(parts, std::memory_order_relaxed);
  g_done.store(0, std::memory_order_relaxed);
  g_claim.store((uint64_t)job << 32, std::memory_order_release);
  g_jobs.store(job, std::memory_order_release);
  // Only sleeping helpers need the futex wake; spinning ones see the store.
  g_jobs.notify_all();
  work(job);
  int32_t done;
  if (!spin([&] { return (done = g_done.load(std::memory_order_acquire)) == parts; })) {
    while ((done = g_done.load(std::memory_order_acquire)) != parts)
      g_done.wait(done, std::memory_order_acquire);
  }
}

}  // namespace pool
