// CPU tests of the bookkeeping behind asynchronous rewritten launches
// (launch.cpp): when a gate slot may be reused, and how a thread's deferred
// launch errors are kept, reported once and waited for.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "gate_slots.h"
#include "launch_ledger.h"

using miriam::detail::GateSlots;
using miriam::detail::LaunchLedger;

TEST_CASE("a gate slot is reused only after its caller's stream passed its wait, with a higher value") {
  GateSlots slots;
  std::set<std::size_t> passed;
  auto has_passed = [&](std::size_t s) { return passed.count(s) > 0; };
  const GateSlots::Lease a = slots.acquire(has_passed);
  CHECK(a.fresh);
  CHECK(a.value == 1);  // the word starts at 0: the wait blocks until the coordinator writes 1
  slots.in_flight(a.slot);
  const GateSlots::Lease b = slots.acquire(has_passed);
  CHECK(b.fresh);  // a is in flight, not passed: never shared
  CHECK(b.slot != a.slot);
  slots.in_flight(b.slot);
  CHECK(slots.in_flight_count() == 2);

  passed.insert(a.slot);
  const GateSlots::Lease c = slots.acquire(has_passed);
  CHECK_FALSE(c.fresh);
  CHECK(c.slot == a.slot);
  CHECK(c.value == 2);  // above what the earlier write left in the word
  CHECK(slots.size() == 2);
}

TEST_CASE("a slot stuck behind a long kernel does not keep later passed slots from being reused") {
  GateSlots slots;
  std::set<std::size_t> passed;
  auto has_passed = [&](std::size_t s) { return passed.count(s) > 0; };
  std::vector<std::size_t> leased;
  for (int i = 0; i < 4; ++i) {
    const GateSlots::Lease l = slots.acquire(has_passed);
    slots.in_flight(l.slot);
    leased.push_back(l.slot);
  }
  passed.insert(leased[2]);  // the oldest (leased[0]) is still waiting
  const GateSlots::Lease l = slots.acquire(has_passed);
  CHECK_FALSE(l.fresh);
  CHECK(l.slot == leased[2]);
  CHECK(slots.in_flight_count() == 3);
}

TEST_CASE("a slot given back is reused at once; a retired one never") {
  GateSlots slots;
  auto never = [](std::size_t) { return false; };
  const GateSlots::Lease a = slots.acquire(never);
  slots.give_back(a.slot);  // the coordinator never saw it
  const GateSlots::Lease b = slots.acquire(never);
  CHECK(b.slot == a.slot);
  CHECK(b.value == a.value + 1);
  slots.retire(b.slot);  // a write of b.value may still come
  const GateSlots::Lease c = slots.acquire([](std::size_t) { return true; });
  CHECK(c.fresh);
  CHECK(c.slot != b.slot);
  CHECK(slots.retired() == 1);
}

TEST_CASE("many launches with streams passing promptly keep the pool small") {
  GateSlots slots;
  std::set<std::size_t> in_flight;
  for (int i = 0; i < 10000; ++i) {
    // Every launch older than 3 has passed: at most ~4 slots are ever needed.
    const GateSlots::Lease l = slots.acquire([&](std::size_t s) { return in_flight.count(s) == 0; });
    in_flight.insert(l.slot);
    slots.in_flight(l.slot);
    if (in_flight.size() > 3) in_flight.erase(in_flight.begin());
  }
  CHECK(slots.size() <= 8);
}

TEST_CASE("the ledger keeps the first failure until taken, and counts pending launches") {
  LaunchLedger ledger;
  CHECK_FALSE(ledger.has_error());
  ledger.begin();
  ledger.begin();
  ledger.begin();
  CHECK(ledger.pending() == 3);
  ledger.end(nullptr);
  const LaunchLedger::Error first{719, "first"}, second{1, "second"};
  ledger.end(&first);
  ledger.end(&second);
  CHECK(ledger.pending() == 0);
  REQUIRE(ledger.has_error());
  const auto e = ledger.take();
  REQUIRE(e);
  CHECK(e->code == 719);
  CHECK(e->message == "first");
  CHECK_FALSE(ledger.has_error());
  CHECK_FALSE(ledger.take());  // reported once
}

TEST_CASE("waiting for the ledger to go idle times out while a launch is pending, and returns once it ends") {
  LaunchLedger ledger;
  CHECK(ledger.wait_idle(0));
  ledger.begin();
  CHECK_FALSE(ledger.wait_idle(20));
  std::thread finisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ledger.end(nullptr);  // as a completion callback, from another thread
  });
  CHECK(ledger.wait_idle(5000));
  finisher.join();
  CHECK_FALSE(ledger.has_error());
}
