// Shrunk shards: when the running critical kernels leave room for no full
// normal block on the SMs they cover, the planner and the miriam policy send
// a shard of the shrunk variant (blocks of B/f threads) sized to that room
// and to the critical budget; with no critical kernel running, never.
#include <doctest/doctest.h>

#include "miriam/policy.h"
#include "miriam/shard_planner.h"

using namespace miriam;

namespace {
const GpuModel gpu = GpuModel::hopper(132);
// 7 blocks of 256 threads per SM on every SM: 256 threads, 8192 registers
// and 25 block slots left per SM.
const KernelFootprint critical_kernel{256, 32, 0, 0};
const KernelLoad critical_wave{critical_kernel, 132 * 7};
// A normal block of 1024 threads cannot fit there; at f = 4 (256 threads,
// 8192 registers) exactly one fits per SM, at f = 2 (512 threads) none.
const KernelFootprint normal_block{1024, 32, 0, 0};

ShrunkOptions shrunk_options(int registers = 32) {
  ShrunkOptions o;
  for (unsigned f : {2u, 4u, 8u}) o.add(f, KernelFootprint{1024 / static_cast<int>(f), registers, 0, 0});
  return o;
}

LaunchContext normal_launch(std::vector<KernelLoad> critical) {
  LaunchContext c;
  c.criticality = Criticality::kNormal;
  c.footprint = normal_block;
  c.sliced_footprint = normal_block;
  c.shrunk = shrunk_options();
  c.blocks_remaining = 20000;
  c.critical_in_flight = true;
  c.critical_running = std::move(critical);
  return c;
}
}  // namespace

TEST_CASE("planner: no room for a full block, room for a shrunk one") {
  const ShardPlanner planner(gpu, ShardPlannerConfig{});
  const ShardDecision full = planner.plan(ShardRequest{normal_block, 20000, nullptr}, {critical_wave}, {});
  REQUIRE(full.blocks == 0);
  REQUIRE(full.free_slots == 0);

  SUBCASE("the smallest factor that fits, one block per SM") {
    const ShardDecision d = planner.plan_shrunk(shrunk_options(), 20000, std::nullopt, {critical_wave}, {});
    CHECK(d.shrink_factor == 4);
    CHECK(d.blocks == 132);
    CHECK(d.free_slots == 132);
    CHECK(d.reason == ShardReason::kShrunkRoom);
    CHECK_FALSE(d.expected_us.has_value());
  }
  SUBCASE("the shrunk variant's own registers decide: 40 per thread needs f = 8") {
    const ShardDecision d = planner.plan_shrunk(shrunk_options(40), 20000, std::nullopt, {critical_wave}, {});
    CHECK(d.shrink_factor == 8);
    CHECK(d.blocks == 132);
  }
  SUBCASE("fewer blocks left than the room holds") {
    CHECK(planner.plan_shrunk(shrunk_options(), 50, std::nullopt, {critical_wave}, {}).blocks == 50);
  }
  SUBCASE("normal shards already beside the critical kernel take the room") {
    const KernelLoad shrunk_running{KernelFootprint{256, 32, 0, 0}, 132};
    const ShardDecision d = planner.plan_shrunk(shrunk_options(), 20000, std::nullopt, {critical_wave}, {shrunk_running});
    CHECK(d.blocks == 0);
  }
}

TEST_CASE("planner: the critical budget bounds a shrunk block's f-fold duration") {
  ShardPlannerConfig config;
  config.critical_budget_us = 100;
  const ShardPlanner planner(gpu, config);
  SUBCASE("20 µs full blocks: 80 µs at f = 4, within the budget") {
    const ShardDecision d = planner.plan_shrunk(shrunk_options(), 20000, 20.0, {critical_wave}, {});
    CHECK(d.shrink_factor == 4);
    CHECK(d.blocks == 132);
    REQUIRE(d.expected_us.has_value());
    CHECK(*d.expected_us == doctest::Approx(80));
  }
  SUBCASE("30 µs full blocks: 120 µs at f = 4, over the budget: hold") {
    const ShardDecision d = planner.plan_shrunk(shrunk_options(), 20000, 30.0, {critical_wave}, {});
    CHECK(d.blocks == 0);
    CHECK(d.shrink_factor == 0);
  }
}

TEST_CASE("planner: a critical kernel that fills every thread slot leaves no room even for f = 8") {
  const ShardPlanner planner(gpu, ShardPlannerConfig{});
  const KernelLoad full_gpu{critical_kernel, 132 * 8};
  CHECK(planner.plan_shrunk(shrunk_options(), 20000, std::nullopt, {full_gpu}, {}).blocks == 0);
}

TEST_CASE("miriam policy: shrunk shards only beside running critical kernels") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  SUBCASE("room for a shrunk block only: a shrunk shard of the right size") {
    const LaunchDecision d = miriam->decide(normal_launch({critical_wave}));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.shrink_factor == 4);
    CHECK(d.shard.blocks == 132);
  }
  SUBCASE("no room at all: hold") {
    const LaunchDecision d = miriam->decide(normal_launch({KernelLoad{critical_kernel, 132 * 8}}));
    CHECK(d.action == LaunchAction::kHold);
    CHECK(d.hold == HoldReason::kNoRoom);
  }
  SUBCASE("idle GPU: full blocks, the whole remaining grid") {
    LaunchContext c = normal_launch({});
    c.critical_in_flight = false;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.shrink_factor == 0);
    CHECK(d.shard.blocks == 20000);
  }
  SUBCASE("a critical kernel on half the SMs: full blocks, not shrunk ones") {
    const LaunchDecision d = miriam->decide(normal_launch({KernelLoad{critical_kernel, 66}}));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.shrink_factor == 0);
    CHECK(d.shard.blocks == 66 * 2 + 66);  // 2 per idle SM, 1 beside each critical block
  }
  SUBCASE("a critical request between kernels: nothing to size against, no shrunk shard") {
    const LaunchDecision d = miriam->decide(normal_launch({}));
    CHECK(d.shard.shrink_factor == 0);
  }
  SUBCASE("the learned block time times f against the budget") {
    LaunchContext c = normal_launch({critical_wave});
    c.observed_block_us = 20.0;  // 80 µs at f = 4: within the default 100 µs budget
    LaunchDecision d = miriam->decide(c);
    CHECK(d.shard.shrink_factor == 4);
    c.observed_block_us = 30.0;  // 120 µs at f = 4: hold
    d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kHold);
  }
  SUBCASE("without a shrunk variant (or with use_shrunk off): hold") {
    LaunchContext c = normal_launch({critical_wave});
    c.shrunk = ShrunkOptions{};
    CHECK(miriam->decide(c).action == LaunchAction::kHold);
    PolicyOptions options;
    options.use_shrunk = false;
    CHECK(make_policy(PolicyKind::kMiriam, gpu, options)->decide(normal_launch({critical_wave})).action ==
          LaunchAction::kHold);
  }
}
