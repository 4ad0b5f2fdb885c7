#include <doctest/doctest.h>

#include "options.h"

using namespace miriam::bench;

TEST_CASE("command line") {
  const Options o = parse_options({"--workload", "a", "--workload", "b.json", "--requests", "500", "--policies",
                                   "miriam,sequential", "--sms", "8", "--seed", "7", "--out-dir", "o", "--trace-dir",
                                   "t", "--verify", "last", "--duration-s", "2.5", "--commit", "abc"});
  CHECK(o.workloads == std::vector<std::string>{"a", "b.json"});
  CHECK(o.overrides.requests == 500);
  CHECK(o.overrides.duration_s == doctest::Approx(2.5));
  REQUIRE(o.policies.size() == 2);
  CHECK(o.policies[0] == miriam::PolicyKind::kMiriam);
  CHECK(o.sms == 8);
  CHECK(o.seed == 7);
  CHECK(o.verify == VerifyMode::kLast);
  CHECK(o.commit == "abc");
  CHECK(parse_options({"--workload", "a"}).policies.size() == 5);
  CHECK(parse_options({"--workload", "a", "--max-run-s", "20"}).max_run_s == doctest::Approx(20));
  CHECK_FALSE(parse_options({"--workload", "a"}).max_run_s.has_value());
}

TEST_CASE("command-line errors name the option") {
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--policies", "miriam,fifo"}),
                       "--policies: unknown policy 'fifo' (sequential, multistream, priority, ib, miriam)", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--sms", "0"}), "--sms: '0' is not an integer >= 1",
                       UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload"}), "--workload: needs a value", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--requests", "5"}), "no --workload given (see --list)", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--fast"}), "unknown option '--fast' (see --help)",
                       UsageError);
  CHECK_NOTHROW(parse_options({"--list"}));
}

TEST_CASE("--normal-conv-split-depth") {
  CHECK_FALSE(parse_options({"--workload", "a"}).overrides.normal_conv_split_depth.has_value());
  CHECK(parse_options({"--workload", "a", "--normal-conv-split-depth", "576"}).overrides.normal_conv_split_depth ==
        576);
  CHECK(parse_options({"--workload", "a", "--normal-conv-split-depth", "0"}).overrides.normal_conv_split_depth == 0);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--normal-conv-split-depth", "-1"}),
                       "--normal-conv-split-depth: '-1' is not an integer >= 0", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--normal-conv-split-depth"}),
                       "--normal-conv-split-depth: needs a value", UsageError);
}

TEST_CASE("--short shortens what was not given explicitly") {
  Options o = parse_options({"--workload", "a", "--short", "--requests", "80"});
  apply_short_mode(o);
  CHECK(o.overrides.requests == 80);
  CHECK(o.overrides.warmup_requests == 5);
  CHECK(o.overrides.duration_s == doctest::Approx(1.0));
}

TEST_CASE("the miriam policy's planning knobs") {
  const Options o = parse_options({"--workload", "a", "--idle-budget-us", "50", "--critical-budget-us", "20",
                                   "--pad-critical-sms", "off", "--hold-over-budget", "--shards-in-flight", "1,3",
                                   "--shrunk", "off"});
  CHECK(o.policy_options.planner.idle_budget_us == doctest::Approx(50));
  CHECK(o.policy_options.planner.critical_budget_us == doctest::Approx(20));
  CHECK_FALSE(o.policy_options.planner.share_critical_sms);
  CHECK(o.policy_options.planner.hold_if_over_budget);
  CHECK(o.policy_options.shards_in_flight_critical == 1);
  CHECK(o.policy_options.shards_in_flight_idle == 3);
  CHECK_FALSE(o.policy_options.use_shrunk);
  const Options d = parse_options({"--workload", "a"});
  CHECK_FALSE(d.policy_options.planner.idle_budget_us);
  CHECK(d.policy_options.planner.share_critical_sms);
  CHECK(d.policy_options.use_shrunk);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--shards-in-flight", "2"}),
                       "--shards-in-flight: '2' (expected N,M)", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--pad-critical-sms", "yes"}),
                       "--pad-critical-sms: 'yes' (expected on or off)", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--long-blocks", "skip"}),
                       "--long-blocks: 'skip' (expected hold, hold-all or pad)", UsageError);
  CHECK(d.block_time_per_launch);
  CHECK_FALSE(parse_options({"--workload", "a", "--block-time", "per-shape"}).block_time_per_launch);
  CHECK(parse_options({"--workload", "a", "--block-time", "per-launch"}).block_time_per_launch);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--block-time", "layer"}),
                       "--block-time: 'layer' (expected per-launch or per-shape)", UsageError);
}

TEST_CASE("soak options") {
  const Options o = parse_options({"--workload", "soak_synthetic", "--out-dir", "o", "--soak-seconds", "660",
                                   "--soak-window-seconds", "20", "--soak-watchdog-seconds", "15"});
  REQUIRE(o.soak_seconds.has_value());
  CHECK(*o.soak_seconds == doctest::Approx(660));
  CHECK(o.soak_window_seconds == doctest::Approx(20));
  CHECK(o.soak_watchdog_seconds == doctest::Approx(15));
  const Options d = parse_options({"--workload", "a"});
  CHECK_FALSE(d.soak_seconds.has_value());
  CHECK(d.soak_window_seconds == doctest::Approx(30));
  CHECK(d.soak_watchdog_seconds == doctest::Approx(10));
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--soak-seconds", "60"}),
                       "--soak-seconds: needs --out-dir (the soak writes its results there)", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--workload", "b", "--out-dir", "o", "--soak-seconds", "60"}),
                       "--soak-seconds: give exactly one --workload", UsageError);
  CHECK_THROWS_WITH_AS(
      parse_options({"--workload", "a", "--out-dir", "o", "--soak-seconds", "60", "--soak-window-seconds", "90"}),
      "--soak-window-seconds: longer than --soak-seconds", UsageError);
  CHECK_THROWS_WITH_AS(parse_options({"--workload", "a", "--out-dir", "o", "--soak-seconds", "60", "--verify", "last"}),
                       "--soak-seconds: the soak verifies every request (--verify every)", UsageError);
  CHECK_THROWS_AS(parse_options({"--workload", "a", "--soak-seconds", "0"}), UsageError);
}
