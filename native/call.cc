#include "call.h"

#include <cmath>
#include <vector>

Call::Call(napi_env e, napi_callback_info info) : env(e) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc_, argv_, nullptr, &data) != napi_ok)
    throw ArgError("could not read the arguments");
  entry = static_cast<const OpEntry*>(data);
  // argc_ is now the number passed, which may exceed the kMaxArgs read into argv_.
  if (argc_ > kMaxArgs)
    fail("takes at most " + std::to_string(kMaxArgs) + " arguments, got " + std::to_string(argc_));
}

void Call::fail(const std::string& what) const {
  throw ArgError(std::string(entry ? entry->name : "native") + ": " + what);
}

bool Call::isNull(size_t i) const {
  napi_valuetype t = napi_undefined;
  if (i < argc_) napi_typeof(env, argv_[i], &t);
  return t == napi_null;
}

template <class E>
Arr<E> Call::typedArray(size_t i, const char* name, napi_typedarray_type want,
                        const char* wantName) const {
  bool is = false;
  if (i >= argc_ || napi_is_typedarray(env, argv_[i], &is) != napi_ok || !is)
    fail(std::string(name) + " must be a " + wantName);
  napi_typedarray_type type;
  size_t length, byteOffset;
  void* data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, argv_[i], &type, &length, &data, &buffer, &byteOffset))
    fail(std::string("cannot read ") + name);
  if (type != want)
    fail(std::string(name) + " must be a " + wantName +
         (want == napi_float32_array ? " (the native backend is float32)" : ""));
  return {static_cast<E*>(data), data ? (long)length : 0};  // 0: detached or empty
}

Arr<float> Call::f32(size_t i, const char* name) const {
  return typedArray<float>(i, name, napi_float32_array, "Float32Array");
}

Arr<float> Call::f32OrNull(size_t i, const char* name) const {
  return isNull(i) ? Arr<float>{} : f32(i, name);
}

Arr<uint8_t> Call::u8(size_t i, const char* name) const {
  return typedArray<uint8_t>(i, name, napi_uint8_array, "Uint8Array or null");
}

Arr<uint8_t> Call::u8OrNull(size_t i, const char* name) const {
  return isNull(i) ? Arr<uint8_t>{} : u8(i, name);
}

Arr<int32_t> Call::i32(size_t i, const char* name) const {
  return typedArray<int32_t>(i, name, napi_int32_array, "Int32Array");
}

double Call::number(size_t i, const char* name) const {
  double v;
  if (i >= argc_ || napi_get_value_double(env, argv_[i], &v) != napi_ok)
    fail(std::string(name) + " must be a number");
  return v;
}

long Call::offset(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(std::floor(v) == v && std::fabs(v) < 2147483648.0))
    fail(std::string(name) + " must be an integer, got " + std::to_string(v));
  return (long)v;
}

long Call::size(size_t i, const char* name) const {
  const long v = offset(i, name);
  if (v < 0) fail(std::string(name) + " must be ≥ 0, got " + std::to_string(v));
  return v;
}

int Call::choice(size_t i, const char* name, int count) const {
  const long v = offset(i, name);
  if (v < 0 || v >= count) fail(std::string(name) + " out of range: " + std::to_string(v));
  return (int)v;
}

bool Call::flag(size_t i, const char* name) const {
  napi_valuetype t = napi_undefined;
  if (i < argc_) napi_typeof(env, argv_[i], &t);
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, argv_[i], &b);
    return b;
  }
  const long v = offset(i, name);
  if (v != 0 && v != 1) fail(std::string(name) + " must be a boolean, 0 or 1");
  return v == 1;
}

void Call::check(long len, const char* name, long off, long extent) const {
  if (off < 0 || extent < 0 || off > len || extent > len - off)
    fail(std::string(name) + ": needs " + std::to_string(extent) + " values from offset " +
         std::to_string(off) + ", has " + std::to_string(len));
}

long Call::ids(const Arr<int32_t>& list, long rows) const {
  for (long i = 0; i < list.len; i++)
    if (list.p[i] < 0 || list.p[i] >= rows)
      fail("id " + std::to_string(list.p[i]) + " at " + std::to_string(i) + " is outside [0, " +
           std::to_string(rows) + ")");
  return list.len;
}

long Call::distinctIds(const Arr<int32_t>& list, const char* name, long rows) const {
  const long n = ids(list, rows);
  std::vector<uint8_t> seen(n == 0 ? 0 : rows);
  for (long i = 0; i < n; i++) {
    if (seen[list.p[i]])
      fail(std::string(name) + ": id " + std::to_string(list.p[i]) + " at " + std::to_string(i) +
           " occurs twice");
    seen[list.p[i]] = 1;
  }
  return n;
}

long Call::product(std::initializer_list<long> sizes) const {
  long p = 1;
  bool overflow = false;
  for (long s : sizes) overflow = overflow || s < 0 || __builtin_mul_overflow(p, s, &p);
  if (!overflow) return p;
  std::string list;
  for (long s : sizes) list += (list.empty() ? "" : " × ") + std::to_string(s);
  fail("sizes " + list + " overflow");
}
