// Dosar's one way to report expected failures: Result<T> carries either a
// value or an Error with a stable code, the subject it concerns (a file, a
// document, a field) and a sentence saying why. Programmer errors are
// assertions, never Errors.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace dosar {

enum class ErrorCode {
  invalid_argument,  // the caller asked for something malformed
  not_found,         // the thing named does not exist
  corrupt,           // stored data no longer matches what was written
  io,                // the operating system refused a read, write or sync
  unsupported,       // well-formed input of a kind Dosar does not accept
  conflict,          // the request contradicts the current state
  permission,        // the actor may not do this
  limit_exceeded,    // input beyond a named limit
};

// Stable lowercase name of a code, as printed in --json output.
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string subject;  // what the error is about; may be empty
  std::string message;  // why, in one sentence, without the subject

  // "subject: message", or just the message when there is no subject.
  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string subject, std::string message) {
  return Error{code, std::move(subject), std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }

 private:
  Error error_{ErrorCode::io, {}, {}};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace dosar

// Returns the error of a failed Result from the enclosing function.
#define DOSAR_TRY(expr)                                            \
  do {                                                             \
    auto&& dosar_try_result_ = (expr);                             \
    if (!dosar_try_result_.ok()) return dosar_try_result_.error(); \
  } while (0)
