// Ratios derived from runs, and the shape of the table, CSV and JSON.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report.h"

using namespace miriam::bench;
using miriam::Criticality;

namespace {

TaskResult critical(const std::string& name, double p50, double p99, double max, double throughput) {
  TaskResult t;
  t.task = name;
  t.model = "resnet18";
  t.criticality = Criticality::kCritical;
  t.latency_ms.count = 300;
  t.latency_ms.p50 = p50, t.latency_ms.p99 = p99, t.latency_ms.max = max;
  t.latencies_ms = {p50, p99, max};
  t.throughput = throughput;
  return t;
}

TaskResult normal(const std::string& name, double throughput) {
  TaskResult t;
  t.task = name;
  t.model = "resnet50";
  t.batch = 8;
  t.throughput = throughput;
  return t;
}

PolicyRun run(const std::string& policy, std::vector<TaskResult> tasks) {
  PolicyRun r;
  r.policy = policy;
  r.tasks = std::move(tasks);
  return r;
}

BenchReport sample(bool two_critical) {
  BenchReport r;
  r.workload = "pair";
  r.card = "NVIDIA H100 80GB HBM3";
  r.sm_count = 132;
  r.commit = "abc1234";
  r.date = "2026-11-28T00:00:00Z";
  r.solo = {critical("c", 1, 2, 3, 10), normal("n", 100)};
  if (two_critical) r.solo.push_back(critical("k", 2, 4, 8, 5));
  auto tasks = [&](double p50, double p99, double normal_tput) {
    std::vector<TaskResult> t = {critical("c", p50, p99, 2 * p99, 10), normal("n", normal_tput)};
    if (two_critical) t.push_back(critical("k", 4, 8, 16, 5));
    return t;
  };
  r.runs = {run("sequential", tasks(2, 4, 40)), run("multistream", tasks(1.5, 3, 80)),
            run("miriam", tasks(1.05, 2.1, 70))};
  r.runs[2].tasks[1].mismatches = 1;
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Fields of one CSV line (quoted fields may hold commas).
std::size_t csv_fields(const std::string& line) {
  std::size_t fields = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) ++fields;
  }
  return fields;
}

}  // namespace

TEST_CASE("ratios to solo, multistream and sequential") {
  const BenchReport r = sample(false);
  const std::vector<PolicyRow> rows = derive(r);
  REQUIRE(rows.size() == 3);
  const PolicyRow& miriam = rows[2];
  CHECK(miriam.policy == "miriam");
  REQUIRE(miriam.critical.size() == 1);
  CHECK(miriam.critical[0].p50_x_solo == doctest::Approx(1.05));
  CHECK(miriam.critical[0].p99_x_solo == doctest::Approx(1.05));
  CHECK(miriam.critical[0].max_x_solo == doctest::Approx(4.2 / 3));
  CHECK(miriam.normal_throughput == doctest::Approx(70));
  CHECK(miriam.normal_x_solo == doctest::Approx(0.7));
  CHECK(miriam.normal_x_multistream == doctest::Approx(0.875));
  CHECK(miriam.system_throughput == doctest::Approx(80));
  CHECK(miriam.system_x_sequential == doctest::Approx(80.0 / 50.0));
  CHECK(miriam.mismatches == 1);
  CHECK(rows[0].system_x_sequential == doctest::Approx(1.0));

  const std::vector<TargetCheck> targets = check_targets(r, rows);
  REQUIRE(targets.size() == 3);
  CHECK(targets[0].met);        // p99 1.05 <= 1.10
  CHECK_FALSE(targets[1].met);  // system 1.6 < 1.9
  CHECK(targets[2].met);        // normal 0.875 >= 0.8
}

TEST_CASE("without a multistream run its ratio is not made up") {
  BenchReport r = sample(false);
  r.runs.erase(r.runs.begin() + 1);
  const std::vector<PolicyRow> rows = derive(r);
  CHECK(std::isnan(rows[1].normal_x_multistream));
  CHECK(format_table(r, rows).find(" - ") != std::string::npos);
}

TEST_CASE("the table has one row per policy, and a line per further critical task") {
  for (bool two : {false, true}) {
    const BenchReport r = sample(two);
    const std::vector<PolicyRow> rows = derive(r);
    const std::vector<std::string> lines = lines_of(format_table(r, rows));
    std::size_t header = 0;
    while (header < lines.size() && lines[header].rfind("policy", 0) != 0) ++header;
    REQUIRE(header < lines.size());
    CHECK(lines[0].find("NVIDIA H100 80GB HBM3") != std::string::npos);
    CHECK(lines[0].find("abc1234") != std::string::npos);
    const std::size_t per_policy = two ? 2 : 1;
    for (std::size_t p = 0; p < 3; ++p)
      CHECK(lines[header + 1 + p * per_policy].rfind(r.runs[p].policy, 0) == 0);
    if (two) CHECK(lines[header + 2].find(" k ") != std::string::npos);
    // The mismatch shows in the miriam row, and the missed target is named.
    const std::string& miriam_line = lines[header + 1 + 2 * per_policy];
    CHECK(miriam_line.substr(miriam_line.size() - 4) == " 1/0");
    if (!two)
      CHECK(format_table(r, rows).find("system throughput / sequential: 1.60 (target >= 1.90) MISSED") !=
            std::string::npos);
  }
}

TEST_CASE("too few measured requests are pointed out, except with --short") {
  BenchReport r = sample(false);
  r.runs[1].tasks[0].latency_ms.count = 120;
  const std::string note = "note: multistream / c: only 120 requests measured (the protocol asks for 300)";
  CHECK(format_table(r, derive(r)).find(note) != std::string::npos);
  r.short_mode = true;
  CHECK(format_table(r, derive(r)).find("note:") == std::string::npos);
}

TEST_CASE("a run cut by --max-run-s is named, with its completed critical requests, in the table and JSON") {
  BenchReport r = sample(false);
  r.runs[0].cut_at_s = 20;
  r.runs[0].tasks[0].completed = 95;
  const std::string table = format_table(r, derive(r));
  CHECK(table.find("note: sequential cut at 20 s (--max-run-s), critical requests completed: c 95") !=
        std::string::npos);
  CHECK(table.find("multistream cut") == std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(to_json(r, derive(r)));
  CHECK(j["runs"][0]["cut_at_s"].get<double>() == doctest::Approx(20));
  CHECK(j["runs"][1]["cut_at_s"].is_null());
}

TEST_CASE("CSV: a header and one row per task and run, all of the same width") {
  const BenchReport r = sample(true);
  const std::vector<std::string> lines = lines_of(to_csv(r, derive(r)));
  REQUIRE(lines.size() == 1 + 3 + 3 * 3);
  const std::size_t width = csv_fields(lines[0]);
  CHECK(width == 27);
  for (const std::string& line : lines) CHECK(csv_fields(line) == width);
  CHECK(lines[1].find(",solo,c,") != std::string::npos);
  CHECK(lines.back().find(",miriam,k,") != std::string::npos);
}

TEST_CASE("JSON carries the runs, their summaries and the targets") {
  BenchReport r = sample(false);
  r.runs[2].stats.preemptions = 7;
  r.runs[2].stats.resumes = 6;
  const nlohmann::json j = nlohmann::json::parse(to_json(r, derive(r)));
  CHECK(j["card"] == "NVIDIA H100 80GB HBM3");
  CHECK(j["commit"] == "abc1234");
  REQUIRE(j["runs"].size() == 3);
  CHECK(j["runs"][2]["policy"] == "miriam");
  CHECK(j["runs"][2]["summary"]["system_x_sequential"].get<double>() == doctest::Approx(1.6));
  CHECK(j["runs"][2]["tasks"][0]["latencies_ms"].size() == 3);
  CHECK_FALSE(j["runs"][2]["tasks"][1].contains("latencies_ms"));  // normal tasks: throughput only
  CHECK(j["runs"][2]["stats"]["preemptions"] == 7);  // the coordinator's preemption counters
  CHECK(j["runs"][2]["stats"]["resumes"] == 6);
  CHECK(j["targets"].size() == 3);
  CHECK(total_mismatches(r) == 1);
  CHECK(total_failures(r) == 0);
}

TEST_CASE("a noisy solo run of a periodic critical task is pointed out") {
  BenchReport r = sample(false);  // solo c: p50 1 ms, p99 2 ms
  const std::string note = "note: solo c: p99 2.000 ms is 2.0x its p50 under periodic arrivals";
  r.solo[0].arrival = "periodic 4000us";
  CHECK(format_table(r, derive(r)).find(note) != std::string::npos);
  // miriam's p99 of 2.1 ms is 1.05x a solo p99 of 2 ms: not "met" against an outlier
  CHECK(format_table(r, derive(r)).find("target miriam critical p99 / solo (c): 1.05 (target <= 1.10) UNRELIABLE") !=
        std::string::npos);
  r.solo[0].latency_ms.p99 = 1.2;  // steady: no note
  CHECK(format_table(r, derive(r)).find("note: solo") == std::string::npos);
  CHECK(format_table(r, derive(r)).find("UNRELIABLE") == std::string::npos);
  r.solo[0].latency_ms.p99 = 2;
  r.solo[0].arrival = "poisson 4000us";  // queueing on itself: a high p99 is real
  CHECK(format_table(r, derive(r)).find("note: solo") == std::string::npos);
}
