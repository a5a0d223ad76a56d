// Linked into the unit-test binary only (the end-to-end suites get the same
// list from tests/support/lsan.supp). Poppler's text output makes
// fontconfig load its configuration once per process and never free it,
// which LeakSanitizer reports at the exit of any test process that extracted
// text: process-lifetime state of a system library, not a leak of ours.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
