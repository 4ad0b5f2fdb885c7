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
  // Among critical tasks, higher first: their streams get CUDA priorities in
  // this order (CoordinatorConfig::order_critical_tasks), so a higher task's
  // blocks dispatch before a lower one's. Normal tasks: recorded only.
  int priority = 0;
  std::optional<double> deadline_us;    // per request, from its release; counted as a miss when exceeded
};

using TaskId = std::uint32_t;
using RequestId = std::uint64_t;

}  // namespace miriam
