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

TEST_CASE("--short shortens what was not given explicitly") {
  Options o = parse_options({"--workload", "a", "--short", "--requests", "80"});
  apply_short_mode(o);
  CHECK(o.overrides.requests == 80);
  CHECK(o.overrides.warmup_requests == 5);
  CHECK(o.overrides.duration_s == doctest::Approx(1.0));
}
