// Numbered schema migrations of the catalogue (internal to storage/). A
// migration is never edited once released; changes are new migrations.
#pragma once

#include <vector>

namespace dosar {

struct Migration {
  int number;
  const char* sql;
};

const std::vector<Migration>& catalog_migrations();

}  // namespace dosar
