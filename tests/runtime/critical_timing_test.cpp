// Keeping long normal blocks out of a critical request's way: block times
// learned from earlier shards, periodic arrival prediction, and the miriam
// policy's holds and stops that use them.
#include <doctest/doctest.h>

#include "miriam/arrival_predictor.h"
#include "miriam/block_time.h"
#include "miriam/policy.h"
#include "launch_context_fixture.h"

using namespace miriam;

TEST_CASE("block time: µs per wave from a launch's GPU time") {
  BlockTimeEstimate e;
  CHECK_FALSE(e.block_us());
  e.observe(400, 2000, 1000);  // two waves
  REQUIRE(e.block_us());
  CHECK(*e.block_us() == doctest::Approx(200));
  e.observe(100, 10, 1000);  // fewer blocks than slots: one wave, shorter: counts little
  CHECK(*e.block_us() == doctest::Approx(0.9 * 200 + 0.1 * 100));
  e.observe(390, 10, 1000);  // longer: counts much (the estimate sizes drains, so it errs long)
  CHECK(*e.block_us() == doctest::Approx(0.5 * 190 + 0.5 * 390));
  e.observe(0, 10, 10);  // nothing ran (stopped before its first block): no sample
  e.observe(50, 0, 10);
  CHECK(e.samples() == 3);
}

TEST_CASE("block time: a launch's own estimate, its shape's until it has one") {
  BlockTimeEstimate conv3_1, conv3_2, shape;  // two layers of one shape
  const LearnedBlockTime first(&conv3_1, &shape), second(&conv3_2, &shape);
  CHECK_FALSE(static_cast<bool>(LearnedBlockTime()));  // nothing learned for it
  CHECK(static_cast<bool>(first));
  CHECK_FALSE(first.block_us());
  first.observe(426, 1000, 1000);  // one wave of 426 µs
  REQUIRE(first.block_us());
  CHECK(*first.block_us() == doctest::Approx(426));
  REQUIRE(second.block_us());  // no sample of its own: the shape's
  CHECK(*second.block_us() == doctest::Approx(426));
  second.observe(213, 1000, 1000);
  CHECK(*second.block_us() == doctest::Approx(213));  // its own from now on
  CHECK(*first.block_us() == doctest::Approx(426));   // the other layer keeps its own
  CHECK(shape.samples() == 2);
}

TEST_CASE("arrival prediction: periodic releases only") {
  SUBCASE("periodic with small jitter: next release and its jitter") {
    ArrivalPredictor p;
    for (double t : {0.0, 10000.0, 20050.0, 29980.0, 40000.0}) p.observe(t);
    const auto next = p.predict(41000);
    REQUIRE(next);
    CHECK(next->at_us == doctest::Approx(50000).epsilon(0.01));
    CHECK(next->jitter_us == doctest::Approx(90));  // 9930 against the median (upper middle) 10020
  }
  SUBCASE("too few releases: none") {
    ArrivalPredictor p;
    for (double t : {0.0, 10000.0, 20000.0, 30000.0}) p.observe(t);
    CHECK_FALSE(p.predict(31000));
  }
  SUBCASE("Poisson-like gaps: none") {
    ArrivalPredictor p;
    for (double t : {0.0, 3000.0, 17000.0, 19000.0, 31000.0, 33000.0}) p.observe(t);
    CHECK_FALSE(p.predict(34000));
  }
  SUBCASE("overdue: due now for a tenth of a period (a late release), then none (a stopped task)") {
    ArrivalPredictor p;
    for (double t : {0.0, 10000.0, 20000.0, 30000.0, 40000.0}) p.observe(t);
    const auto ahead = p.predict(49000);
    REQUIRE(ahead);
    CHECK(ahead->at_us == doctest::Approx(50000));
    const auto late = p.predict(50001);
    REQUIRE(late);
    CHECK(late->at_us == doctest::Approx(50001));  // due now
    CHECK(late->jitter_us == 0);
    REQUIRE(p.predict(51000));
    CHECK_FALSE(p.predict(51001));
    ArrivalPredictor strict(8, 0.1, 0.0);  // no grace: none as soon as it is overdue
    for (double t : {0.0, 10000.0, 20000.0, 30000.0, 40000.0}) strict.observe(t);
    CHECK_FALSE(strict.predict(50001));
  }
  SUBCASE("an old window forgets: a task that became periodic is predicted") {
    ArrivalPredictor p(5);
    for (double t : {0.0, 700.0, 9000.0}) p.observe(t);
    for (int i = 1; i <= 5; ++i) p.observe(9000.0 + i * 5000.0);
    CHECK(p.predict(34100));
  }
}

namespace {
const GpuModel gpu = GpuModel::hopper(132);
const KernelFootprint kernel{256, 32, 0, 0};  // 8 blocks per SM: 1056 slots

LaunchContext normal_launch(bool persistent, bool critical_in_flight, std::uint64_t critical_blocks = 0) {
  return normal_launch_of(kernel, true, persistent, critical_in_flight, critical_blocks);
}
}  // namespace

TEST_CASE("miriam: long blocks wait while a critical request is in flight") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  const double budget = PolicyOptions{}.planner.critical_budget_us;
  LaunchContext c = normal_launch(false, true, 66);
  SUBCASE("unknown block time: padded as before") {
    CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
  }
  SUBCASE("blocks within the budget: padded") {
    c.observed_block_us = budget / 2;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
  }
  SUBCASE("blocks over the budget: held") {
    c.observed_block_us = budget * 4;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kHold);
    CHECK(d.hold == HoldReason::kLongBlocks);
  }
  SUBCASE("the starvation bound still lets them out") {
    c.observed_block_us = budget * 4;
    c.held_us = PolicyOptions{}.normal_max_hold_us;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
  }
  SUBCASE("no critical request: long blocks go out whole") {
    LaunchContext idle = normal_launch(false, false);
    idle.observed_block_us = budget * 4;
    const LaunchDecision d = miriam->decide(idle);
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 20000);
  }
  SUBCASE("option off: padded") {
    PolicyOptions o;
    o.hold_long_blocks = false;
    c.observed_block_us = budget * 4;
    CHECK(make_policy(PolicyKind::kMiriam, gpu, o)->decide(c).action == LaunchAction::kIssueShard);
  }
}

TEST_CASE("miriam: nothing that would still run when a periodic critical request is due") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  const double margin = PolicyOptions{}.drain_margin_us;
  SUBCASE("sliced: cut to the waves that end in time") {
    LaunchContext c = normal_launch(false, false);
    c.observed_block_us = 100;
    c.us_until_critical_due = 3 * 100 + margin + 10;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 3 * 1056);
    CHECK(d.shard.reason == ShardReason::kCriticalDue);
  }
  SUBCASE("sliced: not even one wave fits: held") {
    LaunchContext c = normal_launch(false, false);
    c.observed_block_us = 100;
    c.us_until_critical_due = 100 + margin - 1;
    CHECK(miriam->decide(c).hold == HoldReason::kCriticalDue);
  }
  SUBCASE("persistent: launched while a block fits, held when none does") {
    LaunchContext c = normal_launch(true, false);
    c.observed_block_us = 100;
    c.us_until_critical_due = 1000;
    CHECK(miriam->decide(c).action == LaunchAction::kIssuePersistent);
    c.us_until_critical_due = 120;
    CHECK(miriam->decide(c).hold == HoldReason::kCriticalDue);
  }
  SUBCASE("the running persistent launch stops once its next block would overlap") {
    CHECK_FALSE(miriam->should_stop_ahead(100, 100 + margin + 1));
    CHECK(miriam->should_stop_ahead(100, 100 + margin));
  }
  SUBCASE("no prediction or no block time: as before") {
    LaunchContext c = normal_launch(false, false);
    c.us_until_critical_due = 10;
    CHECK(miriam->decide(c).shard.blocks == 20000);
    c.us_until_critical_due.reset();
    c.observed_block_us = 1e6;
    CHECK(miriam->decide(c).shard.blocks == 20000);
  }
  SUBCASE("baselines never stop ahead") {
    CHECK_FALSE(make_policy(PolicyKind::kPriority, gpu)->should_stop_ahead(100, 0));
  }
}

TEST_CASE("miriam: persistent launches beside critical work with long blocks") {
  const double budget = PolicyOptions{}.planner.critical_budget_us;
  LaunchContext c = normal_launch(true, true, 66);  // the critical kernel leaves 66 SMs idle
  c.observed_block_us = budget * 4;
  SUBCASE("default: on the idle SMs (stoppable)") {
    const LaunchDecision d = make_policy(PolicyKind::kMiriam, gpu)->decide(c);
    CHECK(d.action == LaunchAction::kIssuePersistent);
    CHECK(d.persistent.sms == 66);
  }
  SUBCASE("hold_long_persistent: held like shards") {
    PolicyOptions o;
    o.hold_long_persistent = true;
    CHECK(make_policy(PolicyKind::kMiriam, gpu, o)->decide(c).hold == HoldReason::kLongBlocks);
    c.observed_block_us = budget / 2;
    CHECK(make_policy(PolicyKind::kMiriam, gpu, o)->decide(c).action == LaunchAction::kIssuePersistent);
  }
}

TEST_CASE("miriam: a periodic critical task keeps long persistent blocks from running beside it") {
  LaunchContext c = normal_launch(true, true, 66);
  c.observed_block_us = PolicyOptions{}.planner.critical_budget_us * 4;
  c.us_until_critical_due = 5000;  // its next request is predicted
  CHECK(make_policy(PolicyKind::kMiriam, gpu)->decide(c).hold == HoldReason::kLongBlocks);
  PolicyOptions o;
  o.drain_ahead = false;
  const LaunchDecision d = make_policy(PolicyKind::kMiriam, gpu, o)->decide(c);
  CHECK(d.action == LaunchAction::kIssuePersistent);
  // Blocks longer than the critical budget: no static first chunk, so a stop
  // before the launch starts skips them instead of running a whole wave.
  CHECK_FALSE(d.persistent.static_first_chunk);
}

TEST_CASE("miriam: short persistent blocks share claims within the claim budget") {
  PolicyOptions o;
  o.persistent.claim_budget_us = 20;
  auto miriam = make_policy(PolicyKind::kMiriam, gpu, o);
  LaunchContext c = normal_launch(true, false);
  c.blocks_remaining = 6336;  // 6 per physical block on 1056
  SUBCASE("2-µs blocks: C = 6, one static chunk each") {
    c.observed_block_us = 2;
    const LaunchDecision d = miriam->decide(c);
    REQUIRE(d.action == LaunchAction::kIssuePersistent);
    CHECK(d.persistent.chunk == 6);
    CHECK(d.persistent.static_first_chunk);
  }
  SUBCASE("blocks longer than the budget: one claim per block, the first static") {
    c.observed_block_us = 30;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.persistent.chunk == 1);
    CHECK(d.persistent.static_first_chunk);
    o.persistent.static_first_chunk = false;
    CHECK_FALSE(make_policy(PolicyKind::kMiriam, gpu, o)->decide(c).persistent.static_first_chunk);
  }
  SUBCASE("no block time yet: C = 1") {
    CHECK(miriam->decide(c).persistent.chunk == 1);
  }
  SUBCASE("no budget (the default): C = 1") {
    c.observed_block_us = 2;
    CHECK(make_policy(PolicyKind::kMiriam, gpu)->decide(c).persistent.chunk == 1);
  }
}

TEST_CASE("miriam: a periodic critical task with short gaps cannot hold normal work forever") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  LaunchContext c = normal_launch(false, false);
  c.observed_block_us = 2000;         // longer than any gap the critical task leaves
  c.us_until_critical_due = 1000;
  c.held_us = 500;                    // requests leave gaps: the back-to-back bound never fills
  c.held_total_us = PolicyOptions{}.normal_max_wait_us - 1;
  CHECK(miriam->decide(c).hold == HoldReason::kCriticalDue);
  c.held_total_us = PolicyOptions{}.normal_max_wait_us;
  CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
  PolicyOptions o;
  o.normal_max_wait_us = 0;  // no absolute bound
  CHECK(make_policy(PolicyKind::kMiriam, gpu, o)->decide(c).hold == HoldReason::kCriticalDue);
}
