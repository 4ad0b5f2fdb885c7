// What each policy decides: streams, holds and shard sizes.
#include <doctest/doctest.h>

#include "miriam/policy.h"
#include "launch_context_fixture.h"

using namespace miriam;

namespace {
const GpuModel gpu = GpuModel::hopper(132);
const KernelFootprint kernel{256, 32, 0, 0};
const TaskDesc critical_task{"detect", Criticality::kCritical, 0, 5000.0};
const TaskDesc normal_task{"segment", Criticality::kNormal, 0, std::nullopt};

LaunchContext normal_launch(bool sliced, bool critical_in_flight, std::uint64_t critical_blocks = 0) {
  return normal_launch_of(kernel, sliced, false, critical_in_flight, critical_blocks);
}

LaunchContext critical_launch() {
  LaunchContext c;
  c.criticality = Criticality::kCritical;
  c.footprint = kernel;
  c.blocks_remaining = 66;
  c.critical_in_flight = true;
  c.normal_running.push_back(KernelLoad{kernel, 20000});
  return c;
}
}  // namespace

TEST_CASE("policy names round-trip") {
  for (const char* name : {"sequential", "multistream", "priority", "ib", "miriam"}) {
    CAPTURE(name);
    REQUIRE(policy_kind_from_string(name).has_value());
    CHECK(std::string(to_string(*policy_kind_from_string(name))) == name);
    CHECK(std::string(make_policy(*policy_kind_from_string(name), gpu)->name()) == name);
  }
  CHECK_FALSE(policy_kind_from_string("fifo").has_value());
}

TEST_CASE("streams per policy") {
  auto sequential = make_policy(PolicyKind::kSequential, gpu);
  CHECK(sequential->stream_for(critical_task).shared);
  CHECK(sequential->stream_for(normal_task).shared);

  auto multistream = make_policy(PolicyKind::kMultistream, gpu);
  CHECK_FALSE(multistream->stream_for(critical_task).shared);
  CHECK(multistream->stream_for(critical_task).priority == StreamPriority::kDefault);
  CHECK(multistream->stream_for(normal_task).priority == StreamPriority::kDefault);

  for (PolicyKind k : {PolicyKind::kPriority, PolicyKind::kIb, PolicyKind::kMiriam}) {
    auto p = make_policy(k, gpu);
    CAPTURE(p->name());
    CHECK_FALSE(p->stream_for(critical_task).shared);
    CHECK(p->stream_for(critical_task).priority == StreamPriority::kHighest);
    CHECK(p->stream_for(normal_task).priority == StreamPriority::kLowest);
  }
}

TEST_CASE("critical streams are ranked by task priority, above normal streams") {
  // Hopper's range: -5 (highest) .. 0 (lowest).
  const int lowest = 0, highest = -5;
  const std::vector<int> critical = {1, 0, 7, 0};
  auto rank = [&](int task_priority, bool order = true) {
    return cuda_stream_priority(StreamPriority::kHighest, task_priority, critical, lowest, highest, order);
  };
  CHECK(rank(7) == -5);  // the highest task priority: the device's highest
  CHECK(rank(1) == -4);
  CHECK(rank(0) == -3);  // ties share a level
  CHECK(rank(7, false) == -5);
  CHECK(rank(0, false) == -5);
  CHECK(cuda_stream_priority(StreamPriority::kLowest, 9, critical, lowest, highest, true) == lowest);
  CHECK(cuda_stream_priority(StreamPriority::kDefault, 9, critical, lowest, highest, true) == 0);

  // More distinct priorities than levels: the rest share the last level above normal work.
  const std::vector<int> many = {9, 8, 7, 6, 5, 4, 3};
  for (int p : many) {
    const int level = cuda_stream_priority(StreamPriority::kHighest, p, many, lowest, highest, true);
    CAPTURE(p);
    CHECK(level >= highest);
    CHECK(level < lowest);
  }
  CHECK(cuda_stream_priority(StreamPriority::kHighest, 3, many, lowest, highest, true) == -1);

  // A device with one level to spare (or none): no order among critical tasks.
  CHECK(cuda_stream_priority(StreamPriority::kHighest, 0, critical, 0, -1, true) == -1);
  CHECK(cuda_stream_priority(StreamPriority::kHighest, 0, critical, 0, 0, true) == 0);
}

TEST_CASE("critical launches go out whole at once under every policy") {
  for (PolicyKind k : {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority, PolicyKind::kIb,
                       PolicyKind::kMiriam}) {
    auto p = make_policy(k, gpu);
    CAPTURE(p->name());
    CHECK(p->decide(critical_launch()).action == LaunchAction::kIssueWhole);
  }
}

TEST_CASE("baselines never hold or slice normal work") {
  for (PolicyKind k : {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority}) {
    auto p = make_policy(k, gpu);
    CAPTURE(p->name());
    CHECK(p->decide(normal_launch(true, true, 66)).action == LaunchAction::kIssueWhole);
  }
}

TEST_CASE("ib holds normal work while a critical request is in flight") {
  auto ib = make_policy(PolicyKind::kIb, gpu);
  const LaunchDecision held = ib->decide(normal_launch(true, true));
  CHECK(held.action == LaunchAction::kHold);
  CHECK(held.hold == HoldReason::kCriticalInFlight);
  CHECK(ib->decide(normal_launch(true, false)).action == LaunchAction::kIssueWhole);
}

TEST_CASE("miriam: shards for sliced normal kernels") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  CHECK(miriam->plans_shards());
  SUBCASE("idle GPU: the whole remaining grid as one shard") {
    const LaunchDecision d = miriam->decide(normal_launch(true, false));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 20000);
  }
  SUBCASE("critical kernel on half the SMs: the free slots") {
    const LaunchDecision d = miriam->decide(normal_launch(true, true, 66));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 990);
  }
  SUBCASE("critical kernel filling the GPU: hold") {
    const LaunchDecision d = miriam->decide(normal_launch(true, true, 132 * 8));
    CHECK(d.action == LaunchAction::kHold);
    CHECK(d.hold == HoldReason::kNoRoom);
  }
  SUBCASE("critical request between kernels: one wave, not the whole grid") {
    const LaunchDecision d = miriam->decide(normal_launch(true, true, 0));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 1056);
  }
  SUBCASE("one shard at a time while critical work runs, two when idle") {
    LaunchContext c = normal_launch(true, true, 66);
    c.own_shards_in_flight = 1;
    CHECK(miriam->decide(c).hold == HoldReason::kOwnShardInFlight);
    c = normal_launch(true, false);
    c.own_shards_in_flight = 1;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
    c.own_shards_in_flight = 2;
    CHECK(miriam->decide(c).action == LaunchAction::kHold);
  }
  SUBCASE("a kernel without a sliced variant is held like ib, then goes whole") {
    CHECK(miriam->decide(normal_launch(false, true, 66)).hold == HoldReason::kCriticalInFlight);
    CHECK(miriam->decide(normal_launch(false, false)).action == LaunchAction::kIssueWhole);
  }
  SUBCASE("held past the starvation bound: one block per SM goes out anyway") {
    LaunchContext c = normal_launch(true, true, 132 * 8);
    c.held_us = PolicyOptions{}.normal_max_hold_us - 1;
    CHECK(miriam->decide(c).hold == HoldReason::kNoRoom);
    c.held_us = PolicyOptions{}.normal_max_hold_us;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 132);
    CHECK(d.shard.reason == ShardReason::kStarvationBound);
    c.blocks_remaining = 5;
    CHECK(miriam->decide(c).shard.blocks == 5);
  }
  SUBCASE("held past the starvation bound without a sliced variant: whole") {
    LaunchContext c = normal_launch(false, true, 66);
    c.held_us = PolicyOptions{}.normal_max_hold_us;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueWhole);
  }
}

TEST_CASE("miriam without a starvation bound holds as long as there is no room") {
  PolicyOptions options;
  options.normal_max_hold_us = 0;
  auto miriam = make_policy(PolicyKind::kMiriam, gpu, options);
  LaunchContext c = normal_launch(true, true, 132 * 8);
  c.held_us = 1e9;
  CHECK(miriam->decide(c).hold == HoldReason::kNoRoom);
}

TEST_CASE("miriam with an idle budget keeps shards short even when idle") {
  PolicyOptions options;
  options.planner.idle_budget_us = 200;
  auto miriam = make_policy(PolicyKind::kMiriam, gpu, options);
  const ShardTiming t({{132, 40.0 / 132}, {1056, 40.0 / 1056}, {10560, 400.0 / 10560}});
  LaunchContext c = normal_launch(true, false);
  c.sliced_timing = &t;
  const LaunchDecision d = miriam->decide(c);
  CHECK(d.action == LaunchAction::kIssueShard);
  CHECK(d.shard.reason == ShardReason::kIdleBudget);
  CHECK(d.shard.blocks < 20000);
}
