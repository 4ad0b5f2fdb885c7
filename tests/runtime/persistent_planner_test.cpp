// Persistent launches against a modelled 132-SM Hopper: P sizing, which runs
// a critical arrival stops, resume sizing, and sliced-vs-persistent choice.
#include <doctest/doctest.h>

#include "miriam/persistent_planner.h"
#include "miriam/policy.h"
#include "launch_context_fixture.h"

using namespace miriam;

namespace {
const GpuModel gpu = GpuModel::hopper(132);
const KernelFootprint kernel{256, 32, 0, 0};       // 8 per SM -> 1056 slots
const KernelFootprint heavy{256, 128, 0, 0};       // 2 per SM (registers)
const PersistentPlanner planner(gpu, PersistentPlannerConfig{});

ShardTiming per_block(double us) { return ShardTiming({{132, us}, {10560, us}}); }
}  // namespace

TEST_CASE("persistent P: the whole GPU when nothing critical is in flight") {
  const PersistentSizing s = planner.size(kernel, 50000, false, {}, {});
  CHECK(s.physical_blocks == 1056);
  CHECK(s.sms == 132);
  CHECK(s.reason == PersistentReason::kFullGpu);
  // Never more physical blocks than logical blocks left.
  CHECK(planner.size(kernel, 40, false, {}, {}).physical_blocks == 40);
  CHECK(planner.size(kernel, 40, false, {}, {}).sms == 40);
  CHECK(planner.size(heavy, 50000, false, {}, {}).physical_blocks == 264);
  CHECK(planner.size(kernel, 0, false, {}, {}).physical_blocks == 0);
}

TEST_CASE("persistent P beside critical kernels: one block per idle SM") {
  SUBCASE("critical kernel on 66 SMs leaves 66") {
    const PersistentSizing s = planner.size(kernel, 50000, true, {KernelLoad{kernel, 66}}, {});
    CHECK(s.physical_blocks == 66);
    CHECK(s.sms == 66);
    CHECK(s.reason == PersistentReason::kIdleSms);
  }
  SUBCASE("other normal work takes SMs too") {
    const PersistentSizing s = planner.size(kernel, 50000, true, {KernelLoad{kernel, 66}}, {KernelLoad{kernel, 16}});
    CHECK(s.physical_blocks == 50);
  }
  SUBCASE("critical grid over every SM: none") {
    const PersistentSizing s = planner.size(kernel, 50000, true, {KernelLoad{kernel, 500}}, {});
    CHECK(s.physical_blocks == 0);
    CHECK(s.reason == PersistentReason::kNoIdleSm);
  }
  SUBCASE("critical request between kernels: none (the next kernel is imminent)") {
    const PersistentSizing s = planner.size(kernel, 50000, true, {}, {});
    CHECK(s.physical_blocks == 0);
    CHECK(s.reason == PersistentReason::kBetweenCritical);
  }
  SUBCASE("more blocks per idle SM when configured") {
    const PersistentPlanner two(gpu, PersistentPlannerConfig{4, 0.1});
    const PersistentSizing s = two.size(kernel, 50000, true, {KernelLoad{kernel, 66}}, {});
    CHECK(s.physical_blocks == 264);
    CHECK(s.sms == 66);
    // ... but never more than fit on an SM.
    CHECK(two.size(heavy, 50000, true, {KernelLoad{kernel, 66}}, {}).physical_blocks == 132);
  }
  SUBCASE("never beside critical work when configured to 0") {
    const PersistentPlanner none(gpu, PersistentPlannerConfig{0, 0.1});
    CHECK(none.size(kernel, 50000, true, {KernelLoad{kernel, 66}}, {}).physical_blocks == 0);
  }
}

TEST_CASE("preemption: stop what is in the critical kernel's way, and only that") {
  std::vector<std::size_t> stop;
  SUBCASE("a run on the whole GPU is in the way of any critical kernel") {
    planner.choose_preemptions(KernelLoad{kernel, 10}, {}, {PersistentRun{1056, 132, false}}, &stop);
    CHECK(stop == std::vector<std::size_t>{0});
  }
  SUBCASE("a run on the idle SMs beside a critical kernel is not in the way of the next like it") {
    planner.choose_preemptions(KernelLoad{kernel, 66}, {}, {PersistentRun{66, 66, false}}, &stop);
    CHECK(stop.empty());
  }
  SUBCASE("... but is in the way of a larger one") {
    planner.choose_preemptions(KernelLoad{kernel, 100}, {}, {PersistentRun{66, 66, false}}, &stop);
    CHECK(stop == std::vector<std::size_t>{0});
  }
  SUBCASE("critical kernels already running count") {
    planner.choose_preemptions(KernelLoad{kernel, 30}, {KernelLoad{kernel, 66}}, {PersistentRun{66, 66, false}},
                               &stop);
    CHECK(stop == std::vector<std::size_t>{0});
  }
  SUBCASE("an unknown arrival needs the whole GPU") {
    planner.choose_preemptions(std::nullopt, {}, {PersistentRun{10, 10, false}, PersistentRun{20, 20, false}}, &stop);
    CHECK(stop.size() == 2);
  }
  SUBCASE("the largest run stops first, and no more than needed") {
    // 100 critical SMs need 100 of 132: runs on 20 and 40 SMs leave 72; stopping the 40 leaves 112 free.
    planner.choose_preemptions(KernelLoad{kernel, 100}, {},
                               {PersistentRun{20, 20, false}, PersistentRun{40, 40, false}}, &stop);
    CHECK(stop == std::vector<std::size_t>{1});
  }
  SUBCASE("runs already stopping are neither counted nor stopped again") {
    planner.choose_preemptions(KernelLoad{kernel, 132}, {},
                               {PersistentRun{1056, 132, true}, PersistentRun{0, 0, false}}, &stop);
    CHECK(stop.empty());
  }
  SUBCASE("nothing running: nothing to stop") {
    planner.choose_preemptions(std::nullopt, {}, {}, &stop);
    CHECK(stop.empty());
  }
}

TEST_CASE("regrow: a run sized beside critical work restarts on the whole GPU once it ends") {
  const PersistentRun beside{66, 66, false, true};
  CHECK(planner.should_regrow(beside, false));
  CHECK_FALSE(planner.should_regrow(beside, true));                        // critical still in flight
  CHECK_FALSE(planner.should_regrow(PersistentRun{66, 66, true, true}, false));  // already stopping
  CHECK_FALSE(planner.should_regrow(PersistentRun{40, 40, false, false}, false));  // small remainder, sized whole
  CHECK_FALSE(planner.should_regrow(PersistentRun{132, 132, false, true}, false)); // already on every SM
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  CHECK(miriam->should_regrow(beside, false));
  CHECK_FALSE(make_policy(PolicyKind::kIb, gpu)->should_regrow(beside, false));
}

TEST_CASE("sliced or persistent, from footprint and profile") {
  SUBCASE("no sliced variant: persistent") { CHECK(planner.prefer_persistent(kernel, nullptr, std::nullopt, nullptr)); }
  SUBCASE("no profile: persistent (preemptible)") { CHECK(planner.prefer_persistent(kernel, nullptr, kernel, nullptr)); }
  SUBCASE("fewer resident blocks than the sliced variant: sliced") {
    CHECK_FALSE(planner.prefer_persistent(heavy, nullptr, kernel, nullptr));
  }
  SUBCASE("profile: within the overhead bound") {
    const ShardTiming sliced = per_block(1.0), close = per_block(1.08), slow = per_block(1.2);
    CHECK(planner.prefer_persistent(kernel, &close, kernel, &sliced));
    CHECK_FALSE(planner.prefer_persistent(kernel, &slow, kernel, &sliced));
  }
  SUBCASE("a footprint that fits no SM: never") {
    const KernelFootprint huge{2048, 255, 0, 0};
    CHECK_FALSE(planner.prefer_persistent(huge, nullptr, std::nullopt, nullptr));
  }
}

namespace {
LaunchContext persistent_launch(bool sliced, bool critical_in_flight, std::uint64_t critical_blocks = 0) {
  return normal_launch_of(kernel, sliced, true, critical_in_flight, critical_blocks);
}
}  // namespace

TEST_CASE("miriam policy: persistent launches, preemption and resume") {
  auto miriam = make_policy(PolicyKind::kMiriam, gpu);
  SUBCASE("idle GPU: persistent on every slot") {
    const LaunchDecision d = miriam->decide(persistent_launch(true, false));
    CHECK(d.action == LaunchAction::kIssuePersistent);
    CHECK(d.persistent.physical_blocks == 1056);
  }
  SUBCASE("resume beside a running critical kernel: one block per idle SM") {
    LaunchContext c = persistent_launch(true, true, 66);
    c.blocks_remaining = 7000;  // what a stopped launch left
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kIssuePersistent);
    CHECK(d.persistent.physical_blocks == 66);
  }
  SUBCASE("no idle SM: sliced shards in the room left, or a hold") {
    const LaunchDecision d = miriam->decide(persistent_launch(true, true, 132));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(miriam->decide(persistent_launch(true, true, 132 * 8)).action == LaunchAction::kHold);
    const LaunchDecision only = miriam->decide(persistent_launch(false, true, 132));
    CHECK(only.action == LaunchAction::kHold);
    CHECK(only.hold == HoldReason::kCriticalInFlight);
  }
  SUBCASE("critical request between kernels: a one-wave shard, not a persistent launch") {
    const LaunchDecision d = miriam->decide(persistent_launch(true, true, 0));
    CHECK(d.action == LaunchAction::kIssueShard);
    CHECK(d.shard.blocks == 1056);
  }
  SUBCASE("a kernel short by the profile goes sliced: nothing to preempt") {
    const ShardTiming fast = per_block(0.001);
    LaunchContext c = persistent_launch(true, false);
    c.sliced_timing = &fast;
    c.persistent_timing = &fast;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueShard);
  }
  SUBCASE("own shards still running: hold rather than stack a persistent launch on them") {
    LaunchContext c = persistent_launch(true, false);
    c.own_shards_in_flight = 1;
    const LaunchDecision d = miriam->decide(c);
    CHECK(d.action == LaunchAction::kHold);
    CHECK(d.hold == HoldReason::kOwnShardInFlight);
  }
  SUBCASE("persistent switched off: sliced as before") {
    PolicyOptions options;
    options.use_persistent = false;
    auto sliced_only = make_policy(PolicyKind::kMiriam, gpu, options);
    CHECK(sliced_only->decide(persistent_launch(true, false)).action == LaunchAction::kIssueShard);
  }
  SUBCASE("critical launches are never persistent") {
    LaunchContext c = persistent_launch(true, false);
    c.criticality = Criticality::kCritical;
    CHECK(miriam->decide(c).action == LaunchAction::kIssueWhole);
  }
  SUBCASE("the policy stops runs in the way; baselines never stop anything") {
    PreemptionContext c;
    c.arriving = KernelLoad{kernel, 66};
    c.persistent_running = {PersistentRun{1056, 132, false}, PersistentRun{66, 66, true}};
    std::vector<std::size_t> stop;
    miriam->choose_preemptions(c, &stop);
    CHECK(stop == std::vector<std::size_t>{0});
    for (PolicyKind k : {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority, PolicyKind::kIb}) {
      std::vector<std::size_t> none;
      make_policy(k, gpu)->choose_preemptions(c, &none);
      CHECK(none.empty());
    }
  }
}

TEST_CASE("claim chunk: C x the profile's time per logical block within the budget, chunks spread evenly") {
  const ShardTiming timing = per_block(0.01);  // one wave of 132 blocks: 1.32 us per logical block on its slot
  PersistentPlannerConfig config;
  SUBCASE("without a budget or a profile: one logical block per claim") {
    CHECK(config.claim_budget_us == 0);  // the default
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 6272, 1056) == 1);
    config.claim_budget_us = 10;
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, nullptr, 6272, 1056) == 1);
    const ShardTiming none;
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &none, 6272, 1056) == 1);
  }
  SUBCASE("a budget below one logical block still claims one") {
    config.claim_budget_us = 1.0;
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 6272, 1056) == 1);
  }
  SUBCASE("6272 blocks on 1056: C = 6 covers them in one static chunk each; 4 or 5 would leave 8 or 10") {
    config.claim_budget_us = 10;  // up to 7
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 6272, 1056) == 6);
    config.claim_budget_us = 6;   // up to 4: 4 spreads worse than 3
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 6272, 1056) == 3);
  }
  SUBCASE("never more than a physical block's share") {
    config.claim_budget_us = 1000;
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 40, 40) == 1);
    CHECK(PersistentPlanner(gpu, config).claim_chunk(kernel, &timing, 100, 10) == 10);
  }
  SUBCASE("the chosen C keeps the drain within the budget") {
    config.claim_budget_us = 20;
    const PersistentPlanner p(gpu, config);
    for (std::uint64_t blocks : {1000ull, 50000ull, 123457ull})
      for (std::uint64_t physical : {1ull, 66ull, 1056ull}) {
        const unsigned c = p.claim_chunk(kernel, &timing, blocks, physical);
        CHECK(c >= 1);
        CHECK(c * 1.32 <= 20.0 + 1e-9);
      }
  }
}

TEST_CASE("even claim chunk: fewest logical blocks on the busiest physical block, then the largest C") {
  CHECK(even_claim_chunk(6272, 1056, 16) == 6);  // one chunk each; 4 or 5 would leave 8 or 10
  CHECK(even_claim_chunk(6272, 1056, 5) == 3);   // 3: two chunks each (6); 4 and 5 leave 8 and 10
  CHECK(even_claim_chunk(40, 40, 16) == 1);      // one logical block each already
  CHECK(even_claim_chunk(100, 10, 16) == 10);
  CHECK(even_claim_chunk(100, 10, 0) == 1);      // no room in the budget: one per claim
  CHECK(even_claim_chunk(0, 10, 16) == 1);
}
