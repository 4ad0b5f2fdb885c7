// Profile files: round trip, lookup, and clear errors; Chrome trace export.
#include <cstdio>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "miriam/profile.h"
#include "miriam/trace.h"

using namespace miriam;

namespace {
const char* kProfile = R"({
  "schema_version": 1, "device": "NVIDIA H200", "sm_count": 132,
  "kernels": [
    {"mangled": "_Z5scalePfi", "name": "scale", "variant": "sliced", "block": [256, 1, 1], "shared_bytes": 0,
     "points": [{"shard_blocks": 1056, "us_per_block": 0.04, "samples": 50}, {"shard_blocks": 132, "us_per_block": 0.3}]},
    {"mangled": "_Z5scalePfi", "variant": "original", "points": [{"shard_blocks": 1, "us_per_block": 40}]}
  ]})";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("a profile is read, looked up and written back") {
  const Profile p = parse_profile(kProfile, "p.json");
  CHECK(p.sm_count == 132);
  REQUIRE(p.entries.size() == 2);
  const ShardTiming* sliced = p.find("_Z5scalePfi", VariantKind::kSliced, 256);
  REQUIRE(sliced != nullptr);
  CHECK(sliced->points().front().shard_blocks == 132);  // sorted
  CHECK(p.find("_Z5scalePfi", VariantKind::kSliced, 128) == nullptr);  // other block size
  CHECK(p.find("_Z5scalePfi", std::nullopt) != nullptr);
  CHECK(p.find("_Z5otherv", VariantKind::kSliced) == nullptr);
  const Profile again = parse_profile(p.to_json(), "again");
  CHECK(again.entries.size() == 2);
  CHECK(again.find("_Z5scalePfi", VariantKind::kSliced, 256)->us_per_block(132) == doctest::Approx(0.3));
}

TEST_CASE("bad profiles name the field") {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      parse_profile(text, "p.json");
    } catch (const ProfileError& e) {
      return e.what();
    }
    return "";
  };
  auto doc = nlohmann::json::parse(kProfile);
  doc["schema_version"] = 7;
  CHECK(contains(error_of(doc.dump()), "p.json: schema_version: unsupported schema_version 7"));
  doc = nlohmann::json::parse(kProfile);
  doc["kernels"][0]["points"][1]["us_per_block"] = 0;
  CHECK(contains(error_of(doc.dump()), "kernels[0].points[1].us_per_block: must be positive"));
  doc = nlohmann::json::parse(kProfile);
  doc["kernels"][1]["variant"] = "fast";
  CHECK(contains(error_of(doc.dump()), "kernels[1].variant: unknown variant 'fast'"));
  CHECK(contains(error_of("{"), "malformed JSON"));
  CHECK(contains(error_of("{\"schema_version\": 1e400}"), "malformed JSON"));  // out_of_range, not parse_error
  CHECK_THROWS_AS(load_profile("no/such/profile.json"), ProfileError);
}

TEST_CASE("chrome trace export") {
  std::vector<TraceSpan> spans(2);
  spans[0].name = "conv1";
  spans[0].task = "detect";
  spans[0].critical = true;
  spans[0].stream = 1;
  spans[0].begin_us = 10;
  spans[0].end_us = 25;
  spans[1].name = "gemm";
  spans[1].task = "segment";
  spans[1].shard = true;
  spans[1].stream = 2;
  spans[1].first_block = 100;
  spans[1].blocks = 50;
  spans[1].begin_us = 12;
  spans[1].end_us = 20;
  spans[1].submitted_us = 4.5;
  spans[1].issued_us = 9.25;
  CoordinatorStats stats;
  stats.launches_submitted = 2;
  stats.submit_cpu_us_total = 6;
  const nlohmann::json doc = nlohmann::json::parse(chrome_trace_json(spans, 3, "GPU 3 (miriam)", &stats));
  int complete = 0;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    ++complete;
    CHECK(e["pid"] == 3);
    if (e["name"] == "gemm") {
      CHECK(e["tid"] == 2);
      CHECK(e["dur"].get<double>() == doctest::Approx(8));
      CHECK(e["cat"] == "normal,shard");
      CHECK(e["args"]["first_block"] == 100);
      CHECK(e["args"]["submitted_us"].get<double>() == doctest::Approx(4.5));
      CHECK(e["args"]["issued_us"].get<double>() == doctest::Approx(9.25));
    }
  }
  CHECK(complete == 2);
  CHECK(doc["otherData"]["submit_cpu_us_per_launch"].get<double>() == doctest::Approx(3));
}
