#include "gate_slots.h"

namespace miriam::detail {

GateSlots::Lease GateSlots::acquire(const std::function<bool(std::size_t)>& passed) {
  while (!in_flight_.empty() && passed(in_flight_.front())) {
    free_.push_back(in_flight_.front());
    in_flight_.pop_front();
  }
  for (std::size_t k = 1; free_.empty() && k < in_flight_.size() && k <= kExtraChecks; ++k) {
    if (!passed(in_flight_[k])) continue;
    free_.push_back(in_flight_[k]);
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  Lease lease;
  if (free_.empty()) {
    lease.slot = values_.size();
    lease.fresh = true;
    values_.push_back(0);  // the word starts at 0
  } else {
    lease.slot = free_.back();
    free_.pop_back();
  }
  lease.value = ++values_[lease.slot];
  return lease;
}

void GateSlots::in_flight(std::size_t slot) { in_flight_.push_back(slot); }

void GateSlots::give_back(std::size_t slot) { free_.push_back(slot); }

void GateSlots::retire(std::size_t slot) {
  (void)slot;
  ++retired_;
}

}  // namespace miriam::detail
