// ShardPlanner decisions against a modelled 132-SM Hopper.
#include <doctest/doctest.h>

#include "miriam/shard_planner.h"

using namespace miriam;

namespace {
const GpuModel gpu = GpuModel::hopper(132);
const KernelFootprint normal_kernel{256, 32, 0, 0};  // 8 per SM -> 1056 slots on the GPU
const KernelFootprint critical_kernel{256, 32, 0, 0};

// One logical block runs 40 µs; whole-GPU throughput stays one wave per 40 µs.
ShardTiming timing() {
  return ShardTiming({{132, 40.0 / 132}, {1056, 40.0 / 1056}, {10560, 400.0 / 10560}});
}
}  // namespace

TEST_CASE("shard timing: waves and throughput") {
  const ShardTiming t = timing();
  CHECK(t.wave_us(1056) == doctest::Approx(40));
  CHECK(t.expected_us(10, 1056, 1056) == doctest::Approx(40));      // never below one wave
  CHECK(t.expected_us(10560, 1056, 1056) == doctest::Approx(400));
  CHECK(t.expected_us(10560, 528, 1056) == doctest::Approx(800));   // half the slots, twice as long
  CHECK(t.us_per_block(1) == doctest::Approx(40.0 / 132));          // clamped
  CHECK(ShardTiming({{0, 1.0}, {8, -1.0}}).empty());                // junk points dropped
}

TEST_CASE("no critical work: the whole remaining grid") {
  const ShardPlanner planner(gpu, ShardPlannerConfig{});
  const ShardDecision d = planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, {}, {});
  CHECK(d.blocks == 50000);
  CHECK(d.reason == ShardReason::kWholeRemaining);
}

TEST_CASE("no critical work with an idle budget") {
  ShardPlannerConfig config;
  config.idle_budget_us = 200;
  const ShardPlanner planner(gpu, config);
  SUBCASE("with a profile: the largest shard within the budget") {
    const ShardTiming t = timing();
    const ShardDecision d = planner.plan(ShardRequest{normal_kernel, 50000, &t}, {}, {});
    CHECK(d.reason == ShardReason::kIdleBudget);
    CHECK(d.blocks > 4000);
    CHECK(d.blocks < 6000);
    CHECK(*d.expected_us <= 200);
    CHECK(t.expected_us(d.blocks + 1, 1056, 1056) > 200);
  }
  SUBCASE("without a profile: one full wave") {
    const ShardDecision d = planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, {}, {});
    CHECK(d.blocks == 1056);
    CHECK_FALSE(d.expected_us.has_value());
  }
  SUBCASE("a small remainder goes whole") {
    const ShardTiming t = timing();
    CHECK(planner.plan(ShardRequest{normal_kernel, 300, &t}, {}, {}).blocks == 300);
  }
}

TEST_CASE("critical kernel covering half the SMs: the shard fills the free slots") {
  const std::vector<KernelLoad> critical{{critical_kernel, 66}};
  SUBCASE("padding into the critical SMs too") {
    const ShardPlanner planner(gpu, ShardPlannerConfig{});
    const ShardDecision d = planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, critical, {});
    CHECK(d.free_slots == 66 * 8 + 66 * 7);
    CHECK(d.blocks == 990);
    CHECK(d.reason == ShardReason::kFreeSlots);
  }
  SUBCASE("idle SMs only") {
    ShardPlannerConfig config;
    config.share_critical_sms = false;
    const ShardPlanner planner(gpu, config);
    CHECK(planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, critical, {}).blocks == 66 * 8);
  }
  SUBCASE("fewer blocks left than slots") {
    const ShardPlanner planner(gpu, ShardPlannerConfig{});
    CHECK(planner.plan(ShardRequest{normal_kernel, 100, nullptr}, critical, {}).blocks == 100);
  }
  SUBCASE("other normal shards in flight take their slots") {
    const ShardPlanner planner(gpu, ShardPlannerConfig{});
    const std::vector<KernelLoad> normal{{normal_kernel, 132}};
    CHECK(planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, critical, normal).blocks == 132 * 6);
  }
}

TEST_CASE("a critical kernel that fills every SM leaves no room: hold") {
  const ShardPlanner planner(gpu, ShardPlannerConfig{});
  const std::vector<KernelLoad> critical{{critical_kernel, 132 * 8 * 3}};
  const ShardDecision d = planner.plan(ShardRequest{normal_kernel, 50000, nullptr}, critical, {});
  CHECK(d.blocks == 0);
  CHECK(d.reason == ShardReason::kNoRoom);
}

TEST_CASE("a heavy critical kernel leaves room for light blocks only") {
  const ShardPlanner planner(gpu, ShardPlannerConfig{});
  const KernelFootprint heavy{512, 64, 0, 0};  // 2 per SM: all 65536 registers
  const std::vector<KernelLoad> critical{{heavy, 132 * 2}};
  CHECK(planner.free_slots(normal_kernel, critical) == 0);
  const std::vector<KernelLoad> half{{heavy, 132}};  // one per SM: half the registers
  CHECK(planner.free_slots(normal_kernel, half) == 132 * 4);
}

TEST_CASE("the critical budget against the profile") {
  const std::vector<KernelLoad> critical{{critical_kernel, 66}};
  const ShardTiming t = timing();
  ShardPlannerConfig config;
  SUBCASE("a wave within the budget") {
    config.critical_budget_us = 100;
    const ShardDecision d = ShardPlanner(gpu, config).plan(ShardRequest{normal_kernel, 50000, &t}, critical, {});
    CHECK(d.reason == ShardReason::kFreeSlots);
    CHECK(*d.expected_us == doctest::Approx(40).epsilon(0.05));
  }
  SUBCASE("a wave over the budget is sent, flagged") {
    config.critical_budget_us = 20;
    const ShardDecision d = ShardPlanner(gpu, config).plan(ShardRequest{normal_kernel, 50000, &t}, critical, {});
    CHECK(d.reason == ShardReason::kOverBudget);
    CHECK(d.blocks == 990);
  }
  SUBCASE("or held when asked to") {
    config.critical_budget_us = 20;
    config.hold_if_over_budget = true;
    const ShardDecision d = ShardPlanner(gpu, config).plan(ShardRequest{normal_kernel, 50000, &t}, critical, {});
    CHECK(d.blocks == 0);
    CHECK(d.reason == ShardReason::kNoRoom);
  }
}
