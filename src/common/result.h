// Result<T>: a value or an Error, shaped like C++23 std::expected<T, Error>.
//
// Absence is not an error: a lookup that may find nothing returns Result<std::optional<T>>.
// One propagation macro, CLOUD_TRY, returns the error from the enclosing function:
//   CLOUD_TRY(Cluster cluster, store.GetCluster(id));
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.h"

namespace cloud {

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : data_(std::in_place_index<0>, value) {}  // NOLINT: implicit by design
  Result(T&& value) : data_(std::in_place_index<0>, std::move(value)) {}    // NOLINT
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result<T>>)
      Result(U&& value)
      : data_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return Get(); }
  const T& value() const& { return Get(); }
  T&& value() && { return std::move(Get()); }
  T& operator*() & { return Get(); }
  const T& operator*() const& { return Get(); }
  T&& operator*() && { return std::move(Get()); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &Get(); }

  const Error& error() const& { return std::get<1>(data_); }
  Error&& error() && { return std::get<1>(std::move(data_)); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? Get() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& Get() {
    if (!has_value()) std::abort();  // CLOUD_CHECK: value() on an error is a bug
    return std::get<0>(data_);
  }
  const T& Get() const {
    if (!has_value()) std::abort();
    return std::get<0>(data_);
  }

  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const {
    if (error_) std::abort();
  }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

// A successful Result<void>.
inline Result<void> Ok() { return {}; }

}  // namespace cloud

#define CLOUD_CONCAT_INNER_(a, b) a##b
#define CLOUD_CONCAT_(a, b) CLOUD_CONCAT_INNER_(a, b)

// CLOUD_TRY(decl, expr): evaluates expr (a Result<T>); on error returns the error from the
// enclosing function, otherwise declares `decl` initialised with the value.
#define CLOUD_TRY(decl, expr)                                      \
  auto CLOUD_CONCAT_(cloud_try_, __LINE__) = (expr);               \
  if (!CLOUD_CONCAT_(cloud_try_, __LINE__))                        \
    return std::move(CLOUD_CONCAT_(cloud_try_, __LINE__)).error(); \
  decl = std::move(*CLOUD_CONCAT_(cloud_try_, __LINE__))

// CLOUD_TRY_VOID(expr): evaluates expr (a Result<void>) and returns its error, if any.
#define CLOUD_TRY_VOID(expr)                                         \
  do {                                                               \
    auto cloud_try_void_ = (expr);                                   \
    if (!cloud_try_void_) return std::move(cloud_try_void_).error(); \
  } while (false)
