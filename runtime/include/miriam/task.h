// Tasks: who submits work, and how urgent it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace miriam {

enum class Criticality { kCritical, kNormal };

const char* to_string(Criticality criticality);

struct TaskDesc {
  std::string name;
  Criticality criticality = Criticality::kNormal;
  // Among tasks of equal criticality, higher first. Recorded only: no policy
  // orders by it yet (every critical task gets the highest stream priority).
  int priority = 0;
  std::optional<double> deadline_us;    // per request, from its release; counted as a miss when exceeded
};

using TaskId = std::uint32_t;
using RequestId = std::uint64_t;

}  // namespace miriam
