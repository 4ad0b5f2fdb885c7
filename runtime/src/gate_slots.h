// The slots of rewritten launches in flight (launch.cpp; plain C++, so the
// recycling rule is tested on the CPU). A slot is one gate word in device
// memory and the events of one launch; its gate counts up by one per use:
// the caller's stream waits for "gate >= value", the coordinator writes
// `value` after the request's last kernel. A slot is reused only once the
// caller's stream has gone past its wait (`passed`), i.e. once that write
// has executed: an older write landing after a newer one would lower the
// word again and hang the newer waiter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace miriam::detail {

class GateSlots {
 public:
  struct Lease {
    std::size_t slot = 0;
    std::uint32_t value = 0;  // what the gate must reach for this use
    bool fresh = false;       // a new slot: the caller creates its word (zeroed) and events
  };

  // A free slot, after reclaiming in-flight ones that `passed` reports done
  // (the oldest first, then a few more: a slot stuck behind a long kernel
  // does not hold back the others); a new one when none is free.
  Lease acquire(const std::function<bool(std::size_t)>& passed);
  // Its wait is enqueued on the caller's stream: reusable once passed.
  void in_flight(std::size_t slot);
  // Never handed to the coordinator (no write of its value will come): reusable now.
  void give_back(std::size_t slot);
  // Its wait could not be enqueued, and a write of its value may still come: never reused.
  void retire(std::size_t slot);

  std::size_t size() const { return values_.size(); }
  std::size_t in_flight_count() const { return in_flight_.size(); }
  std::size_t retired() const { return retired_; }

 private:
  static constexpr std::size_t kExtraChecks = 8;  // in-flight slots checked beyond the oldest
  std::vector<std::uint32_t> values_;  // per slot: the value of its latest use
  std::vector<std::size_t> free_;
  std::deque<std::size_t> in_flight_;
  std::size_t retired_ = 0;
};

}  // namespace miriam::detail
