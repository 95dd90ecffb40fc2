// The gated native backend: Node-API entry point. Picks the kernel table for this CPU (AVX-512,
// AVX2 or baseline; GATED_NATIVE_ISA may force a lower one), owns the thread count, and
// registers the op functions of ops_*.cc.
#include <node_api.h>

#include <cstring>
#include <string>

#include "ops.h"
#include "pool.h"

const Kernels* K = nullptr;
double g_parallelWork = kDefaultParallelWork;

napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value number(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

namespace {

// Kernel tables from fastest to slowest, with what the CPU must support to run each.
struct Variant {
  const Kernels* (*table)();
  bool (*supported)();
};
const Variant kVariants[] = {
    {kernels_avx512,
     [] {
       return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
              __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
     }},
    {kernels_avx2, [] { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }},
    {kernels_baseline, [] { return true; }},
};

// The best variant this CPU runs, no faster than `cap` (a variant name, or empty).
const Kernels* choose(const char* cap, bool* ok) {
  bool reached = cap == nullptr || *cap == 0;
  *ok = reached;
  for (const Variant& v : kVariants) {
    if (!reached && std::strcmp(v.table()->name, cap) == 0) reached = *ok = true;
    if (reached && v.supported()) return v.table();
  }
  return kernels_baseline();
}

napi_value string(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// configure(variant: string, threads: number, parallelWork: number): the fastest kernels this CPU
// runs that are no faster than `variant` ('' = the fastest); the work below which an op stays on
// one thread (negative = the default).
napi_value configure(Call& c) {
  char name[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(c.env, c.arg(0), name, sizeof name, &len) != napi_ok)
    c.fail("variant must be a string");
  bool ok;
  const Kernels* k = choose(name, &ok);
  if (!ok) c.fail(std::string("unknown kernel variant '") + name + "' (avx512, avx2, baseline)");
  const long threads = c.size(1, "threads");
  if (threads < 1 || threads > pool::kMaxThreads)
    c.fail("threads must be in [1, " + std::to_string(pool::kMaxThreads) + "]");
  const double work = c.number(2, "parallelWork");
  K = k;
  g_parallelWork = work < 0 || work != work ? kDefaultParallelWork : work;
  pool::setThreads((int)threads);
  return undefined(c.env);
}

// info(): { variant, threads, maxThreads, variants: the ones this CPU runs, best first }.
napi_value info(Call& c) {
  napi_value o, list;
  napi_create_object(c.env, &o);
  napi_set_named_property(c.env, o, "variant", string(c.env, K->name));
  napi_set_named_property(c.env, o, "threads", number(c.env, pool::threads()));
  napi_set_named_property(c.env, o, "maxThreads", number(c.env, pool::kMaxThreads));
  napi_create_array(c.env, &list);
  uint32_t n = 0;
  for (const Variant& v : kVariants)
    if (v.supported()) napi_set_element(c.env, list, n++, string(c.env, v.table()->name));
  napi_set_named_property(c.env, o, "variants", list);
  return o;
}

// For measuring the cost of one crossing into the addon.
napi_value noop(Call& c) { return undefined(c.env); }

const OpEntry kConfigOps[] = {
    {"configure", configure}, {"info", info}, {"noop", noop}, {nullptr, nullptr}};

// Every op function goes through here: argument errors become JS Errors, never a crash.
napi_value dispatch(napi_env env, napi_callback_info info) {
  try {
    Call c(env, info);
    pool::nameCurrentOp(c.entry->name);
    return c.entry->fn(c);
  } catch (const std::exception& ex) {
    napi_throw_error(env, nullptr, ex.what());
  } catch (...) {
    napi_throw_error(env, nullptr, "native backend: unknown error");
  }
  return nullptr;
}

void define(napi_env env, napi_value exports, const OpEntry* ops) {
  for (; ops->name; ops++) {
    napi_value fn;
    napi_create_function(env, ops->name, NAPI_AUTO_LENGTH, dispatch, const_cast<OpEntry*>(ops),
                         &fn);
    napi_set_named_property(env, exports, ops->name, fn);
  }
}

}  // namespace

NAPI_MODULE_INIT() {
  if (K == nullptr) {
    bool ok;
    K = choose(nullptr, &ok);
  }
  for (const OpEntry* ops : {kConfigOps, kCoreOps, kRecurrentOps, kConvOptimizerOps})
    define(env, exports, ops);
  return exports;
}
