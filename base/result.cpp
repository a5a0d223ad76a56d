#include "base/result.h"

namespace dosar {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::corrupt:
      return "corrupt";
    case ErrorCode::io:
      return "io";
    case ErrorCode::unsupported:
      return "unsupported";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::permission:
      return "permission";
    case ErrorCode::limit_exceeded:
      return "limit_exceeded";
  }
  return "unknown";
}

std::string Error::to_string() const {
  if (subject.empty()) return message;
  return subject + ": " + message;
}

}  // namespace dosar
