// Argument checking for the N-API functions: every typed array's type, every size and offset
// (integers, within the array), so a bad call throws a JS Error instead of touching memory it
// does not own. Failures throw ArgError, which the registration wrapper turns into a JS Error.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OpEntry;

template <class E>
struct Arr {
  E* p = nullptr;
  long len = 0;
  explicit operator bool() const { return p != nullptr; }
};

class Call {
 public:
  // sequenceBackward of two layers takes the most: 2 · (5 + 15).
  static constexpr size_t kMaxArgs = 40;
  Call(napi_env env, napi_callback_info info);

  napi_env env;
  const OpEntry* entry = nullptr;  // the op being called (its name prefixes errors)

  napi_value arg(size_t i) const { return i < argc_ ? argv_[i] : nullptr; }

  [[noreturn]] void fail(const std::string& what) const;

  // Typed arrays. The *OrNull forms accept null (returned as an empty Arr).
  Arr<float> f32(size_t i, const char* name) const;
  Arr<float> f32OrNull(size_t i, const char* name) const;
  Arr<uint8_t> u8(size_t i, const char* name) const;
  Arr<uint8_t> u8OrNull(size_t i, const char* name) const;
  Arr<int32_t> i32(size_t i, const char* name) const;

  long size(size_t i, const char* name) const;    // an integer in [0, 2^31)
  long offset(size_t i, const char* name) const;  // an integer in (−2^31, 2^31), checked on use
  bool flag(size_t i, const char* name) const;    // a boolean, or 0 / 1 (beta)
  double number(size_t i, const char* name) const;
  int choice(size_t i, const char* name, int count) const;  // an integer in [0, count)

  // ids.len after checking that every id is in [0, rows) (indexes a row of a table), before any
  // value moves; distinctIds also that none occurs twice.
  long ids(const Arr<int32_t>& list, long rows) const;
  long distinctIds(const Arr<int32_t>& list, const char* name, long rows) const;

  // The product of sizes (each ≥ 0), failing instead of wrapping when it does not fit a long:
  // every extent made of more than one size goes through here, so 2^21·2^21·2^22 cannot wrap
  // to a small number that passes the bounds check.
  long product(std::initializer_list<long> sizes) const;

  // a.p + off after checking that [off, off + extent) lies inside a.
  template <class E>
  E* span(const Arr<E>& a, const char* name, long off, long extent) const {
    check(a.len, name, off, extent);
    return a.p + off;
  }
  // A read-only rows × cols block with leading dimension ld at off whose rows may overlap
  // (ld < cols: a convolution's windows over its input): ld ≥ 1 and the last row inside a.
  template <class E>
  const E* readMatrix(const Arr<E>& a, const char* name, long off, long rows, long cols,
                      long ld) const {
    if (rows > 1 && cols > 0 && ld < 1) fail(std::string(name) + ": leading dimension 0");
    check(a.len, name, off, rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0);
    return a.p + off;
  }
  // A rows × cols block with leading dimension ld at off: ld ≥ cols and the last row inside a.
  template <class E>
  E* matrix(const Arr<E>& a, const char* name, long off, long rows, long cols, long ld) const {
    if (rows > 0 && cols > 0 && ld < cols)
      fail(std::string(name) + ": leading dimension " + std::to_string(ld) + " < " +
           std::to_string(cols) + " columns");
    check(a.len, name, off, rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0);
    return a.p + off;
  }

 private:
  void check(long len, const char* name, long off, long extent) const;
  template <class E>
  Arr<E> typedArray(size_t i, const char* name, napi_typedarray_type want,
                    const char* wantName) const;
  bool isNull(size_t i) const;

  napi_value argv_[kMaxArgs];
  size_t argc_ = kMaxArgs;
};

// Registration: `napi_value name(Call&)` functions become JS functions that throw on ArgError.
using OpFn = napi_value (*)(Call&);
struct OpEntry {
  const char* name;
  OpFn fn;
};
