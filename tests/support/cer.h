// Character error rate for OCR accuracy tests.
#pragma once

#include <string>

namespace dosar::testing {

// Collapses whitespace runs to one space, trims, and writes the cedilla forms
// ş ţ Ş Ţ as comma-below ș ț Ș Ț (the same letters in Romanian).
std::u32string normalize_for_cer(const std::string& utf8);

// Levenshtein distance over the normalized ground truth's length.
double character_error_rate(const std::string& recognized, const std::string& ground_truth);

}  // namespace dosar::testing
