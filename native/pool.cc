#include "pool.h"

#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "isa.h"

namespace pool {
namespace {

constexpr auto kSpin = std::chrono::microseconds(100);
// A job whose parts are not all done this long after the caller ran out of parts to claim has a
// stalled helper: far beyond any part's work, even on a heavily loaded machine.
constexpr auto kStall = std::chrono::seconds(120);

// One job at a time. `claim` packs the job number (high 32 bits), the job's part count (16) and
// the next unclaimed part (low 16): a thread takes a part with a compare-and-swap on all three,
// so a helper that wakes late, after its job is over, claims nothing (the job number moved on),
// and never pairs its job with a newer job's part count (read from a separate word, that let a
// late helper claim one part too many of a finished job and the count of done parts overshoot).
// The caller takes parts too, so it never waits for a helper that has not started: only for
// parts already running.
constexpr int kMaxParts = 0xffff;
std::atomic<uint32_t> g_jobs{0};  // bumped to post a job (helpers wait on it)
std::atomic<uint64_t> g_claim{0};
std::atomic<int32_t> g_done{0};  // parts finished in the current job
std::atomic<void (*)(void*, int)> g_fn{nullptr};
std::atomic<void*> g_ctx{nullptr};
// The caller sleeps on this after spinning; the helper finishing the last part wakes it.
std::mutex g_doneMutex;
std::condition_variable g_doneCv;

std::mutex g_busy;
int g_threads = 1;
int g_started = 0;  // helper threads created so far (they are never stopped)
thread_local std::unique_ptr<float[]> t_scratch;
thread_local const char* t_op = "native op";

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
    int part, parts;
    for (;;) {
      part = (int)(v & 0xffff);
      parts = (int)((v >> 16) & 0xffff);
      if ((uint32_t)(v >> 32) != job || part >= parts) return;
      if (g_claim.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) break;
    }
    // The part is ours, so the job cannot end before it is done: fn and ctx are this job's.
    g_fn.load(std::memory_order_relaxed)(g_ctx.load(std::memory_order_relaxed), part);
    if (g_done.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
      std::lock_guard<std::mutex> lock(g_doneMutex);
      g_doneCv.notify_one();
    }
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

// A stalled part still owns the caller's buffers, so returning (or throwing) would let it write
// into freed memory later: the only safe end is to stop the process, saying why.
[[noreturn]] void stalled(int done, int parts) {
  std::fprintf(stderr,
               "gated: native thread pool: %s stalled with %d of %d parts done after %lld s "
               "(a helper thread stopped); exiting\n",
               t_op, done, parts, (long long)kStall.count());
  std::abort();
}

}  // namespace

void setThreads(int n) {
  std::lock_guard<std::mutex> lock(g_busy);
  g_threads = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
  for (; g_started < g_threads - 1; g_started++)
    std::thread(helper, g_jobs.load()).detach();
}

int threads() { return g_threads; }

void nameCurrentOp(const char* name) { t_op = name; }

float* scratch() {
  if (!t_scratch) t_scratch.reset(new float[GEMM_KC * GEMM_NC]);
  return t_scratch.get();
}

void run(int parts, void (*fn)(void*, int), void* ctx) {
  std::unique_lock<std::mutex> lock(g_busy, std::try_to_lock);
  if (!lock.owns_lock() || parts <= 1 || parts > kMaxParts || g_threads <= 1) {
    for (int p = 0; p < parts; p++) fn(ctx, p);
    return;
  }
  const uint32_t job = g_jobs.load(std::memory_order_relaxed) + 1;
  g_fn.store(fn, std::memory_order_relaxed);
  g_ctx.store(ctx, std::memory_order_relaxed);
  g_done.store(0, std::memory_order_relaxed);
  g_claim.store((uint64_t)job << 32 | (uint64_t)parts << 16, std::memory_order_release);
  g_jobs.store(job, std::memory_order_release);
  // Only sleeping helpers need the futex wake; spinning ones see the store.
  g_jobs.notify_all();
  work(job);
  const auto isDone = [&] { return g_done.load(std::memory_order_acquire) == parts; };
  if (spin(isDone)) return;
  std::unique_lock<std::mutex> sleep(g_doneMutex);
  if (!g_doneCv.wait_for(sleep, kStall, isDone))
    stalled(g_done.load(std::memory_order_acquire), parts);
}

}  // namespace pool
