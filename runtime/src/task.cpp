#include "miriam/task.h"

namespace miriam {

const char* to_string(Criticality criticality) {
  return criticality == Criticality::kCritical ? "critical" : "normal";
}

}  // namespace miriam
