// The calling thread plus persistent helper threads. Work is handed out as "parts" that whoever
// is free claims (the caller included), so a helper descheduled by another process delays only a
// part it has already started, never the whole job. Waiters spin for a bounded time (~100 µs: a sleeping wake-up
// costs ~50–70 µs on these VMs, as much as a recurrent step) and then sleep on a futex, so an
// oversubscribed core never turns a wait into a scheduler time slice.
#pragma once

namespace pool {

constexpr int kMaxThreads = 64;

void setThreads(int n);  // total, caller included; clamped to [1, kMaxThreads]
int threads();

// Names the op the calling thread runs, for the stall message (the watchdog: a job whose parts
// are not all done two minutes after the caller claimed its last one ends the process, naming it).
void nameCurrentOp(const char* name);

// Runs fn(ctx, part) for every part in [0, parts); returns when all are done.
// A re-entrant or concurrent call (another Node environment) runs every part on the caller.
void run(int parts, void (*fn)(void* ctx, int part), void* ctx);

// GEMM packing space of the calling thread (GEMM_KC × GEMM_NC floats).
float* scratch();

template <class F>
void parallel(int parts, F&& f) {
  if (parts <= 1) return f(0);
  run(parts, [](void* c, int p) { (*static_cast<F*>(c))(p); }, &f);
}

}  // namespace pool
