// Fuzz target: what the public forms take from strangers (forms/form_input.h)
// and the definition parser an administrator's folder feeds
// (forms/form_definition.h). The first byte picks the parser. Any input must
// end in a value or an Error, never a crash or a hang; an accepted file name
// never holds a path separator.
#include <cstddef>
#include <cstdint>
#include <string>

#include "forms/form_definition.h"
#include "forms/form_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto name = dosar::forms::attachment_name(input);
      if (name.ok() && name->find_first_of("/\\") != std::string::npos) __builtin_trap();
      break;
    }
    case 1:
      (void)dosar::forms::parse_form_definition(input, "fuzz.json");
      break;
    default: {
      static const auto forms = dosar::forms::load_forms(std::nullopt);
      if (!forms.ok()) __builtin_trap();
      // "name=value" lines are the parts of a submission of the first form.
      std::map<std::string, std::string> parts;
      std::size_t at = 0;
      while (at < input.size()) {
        std::size_t end = input.find('\n', at);
        if (end == std::string::npos) end = input.size();
        std::string line = input.substr(at, end - at);
        std::size_t eq = line.find('=');
        parts[line.substr(0, eq)] = eq == std::string::npos ? "" : line.substr(eq + 1);
        at = end + 1;
      }
      (void)dosar::forms::validate_fields(forms->front(), parts);
    }
  }
  return 0;
}
