// Workload files: what they accept, and errors that name the field.
#include <doctest/doctest.h>

#include <string>

#include "workload.h"

using namespace miriam::bench;

namespace {

const char* kValid = R"({
  "name": "pair", "description": "d", "warmup_requests": 4,
  "tasks": [
    {"name": "c", "model": "resnet18", "batch": 1, "criticality": "critical", "priority": 2,
     "deadline_us": 5000, "arrival": {"kind": "periodic", "period_us": 2000}, "count": 300},
    {"name": "p", "model": "synthetic:3:64:100", "criticality": "critical",
     "deadline_x_solo": 1.5, "arrival": {"kind": "poisson", "mean_gap_x_solo": 4}, "count": 10},
    {"name": "n", "model": "vgg16", "batch": 4, "criticality": "normal", "arrival": "closed_loop"}
  ]})";

// The WorkloadError message for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_workload(text, "w.json");
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "";
}

// kValid with one substring replaced.
std::string valid_with(const std::string& from, const std::string& to) {
  std::string s = kValid;
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid workload is read field by field") {
  const Workload w = parse_workload(kValid, "w.json");
  CHECK(w.name == "pair");
  CHECK(w.warmup_requests == 4);
  REQUIRE(w.tasks.size() == 3);
  const TaskSpec& c = w.tasks[0];
  CHECK(c.criticality == miriam::Criticality::kCritical);
  CHECK(c.priority == 2);
  CHECK(c.deadline_us == doctest::Approx(5000));
  CHECK(c.arrival.kind == ArrivalKind::kPeriodic);
  CHECK(c.arrival.period_us == doctest::Approx(2000));
  CHECK(c.count == 300);
  CHECK_FALSE(c.model.synthetic);
  CHECK(c.model.dnn_name == "resnet18");
  const TaskSpec& p = w.tasks[1];
  CHECK(p.model.synthetic);
  CHECK(p.model.launches == 3);
  CHECK(p.model.blocks == 64);
  CHECK(p.model.work == 100);
  CHECK(p.batch == 1);
  CHECK(p.deadline_x_solo == doctest::Approx(1.5));
  CHECK(p.arrival.kind == ArrivalKind::kPoisson);
  CHECK(p.arrival.mean_gap_x_solo == doctest::Approx(4));
  CHECK(p.arrival.relative_to_solo());
  const TaskSpec& n = w.tasks[2];
  CHECK(n.criticality == miriam::Criticality::kNormal);
  CHECK(n.arrival.kind == ArrivalKind::kClosedLoop);
  CHECK_FALSE(n.count);
  CHECK(w.has_counted_task());
}

TEST_CASE("errors name the file and the field") {
  CHECK(error_of("{") == "w.json: not valid JSON");
  CHECK(error_of(valid_with(R"("name": "pair", )", "")) == "w.json: name: missing (a string is required)");
  CHECK(error_of(valid_with(R"("criticality": "normal")", R"("criticality": "urgent")")) ==
        "w.json: tasks[2].criticality: 'urgent' is neither \"critical\" nor \"normal\"");
  CHECK(error_of(valid_with(R"("period_us": 2000)", R"("period_us": 0)")) ==
        "w.json: tasks[0].arrival.period_us: must be > 0");
  CHECK(error_of(valid_with(R"("period_us": 2000)", R"("period_us": 2000, "period_x_solo": 2)")) ==
        "w.json: tasks[0].arrival.period_us: give exactly one of period_us and period_x_solo");
  CHECK(error_of(valid_with(R"("mean_gap_x_solo": 4)", R"("rate": 4)")).find("tasks[1].arrival.rate: unknown field") !=
        std::string::npos);
  CHECK(error_of(valid_with(R"("kind": "poisson")", R"("kind": "bursty")")) ==
        "w.json: tasks[1].arrival.kind: unknown arrival kind 'bursty' (periodic, poisson, closed_loop)");
  CHECK(error_of(valid_with(R"("arrival": "closed_loop")", R"("arrival": "open")")).find("tasks[2].arrival:") !=
        std::string::npos);
  CHECK(error_of(valid_with(R"("count": 300)", R"("count": 0)")) ==
        "w.json: tasks[0].count: must be between 1 and 1e9");
  CHECK(error_of(valid_with(R"("batch": 4)", R"("batch": 2.5)")) == "w.json: tasks[2].batch: must be an integer");
  CHECK(error_of(valid_with(R"("priority": 2)", R"("prio": 2)")).find("w.json: tasks[0].prio: unknown field") == 0);
  CHECK(error_of(valid_with(R"("name": "p")", R"("name": "c")")) ==
        "w.json: tasks[1].name: 'c' is used by an earlier task");
  CHECK(error_of(valid_with(R"("deadline_x_solo": 1.5)", R"("deadline_x_solo": 1.5, "deadline_us": 9)")) ==
        "w.json: tasks[1].deadline_us: give at most one of deadline_us and deadline_x_solo");
  CHECK(error_of(R"({"name": "x", "tasks": []})") == "w.json: tasks: at least one task is needed");
  CHECK(error_of(R"({"name": "x", "tasks": [{"name": "a", "model": "gru", "criticality": "normal",
                    "arrival": "closed_loop"}]})") ==
        "w.json: duration_s: no task has a 'count', so the workload needs a duration_s");
}

TEST_CASE("synthetic model specs") {
  const ModelSpec s = parse_model_spec("synthetic:10:66:2000", "m");
  CHECK(s.synthetic);
  CHECK(s.launches == 10);
  CHECK(s.blocks == 66);
  CHECK(s.work == 2000);
  CHECK_THROWS_WITH_AS(parse_model_spec("synthetic:10:66", "tasks[0].model"),
                       "tasks[0].model: 'synthetic:10:66': expected synthetic:<launches>:<blocks>:<work>",
                       WorkloadError);
  CHECK_THROWS_WITH_AS(parse_model_spec("synthetic:10:x:5", "m"), "m (blocks): 'x' is not a positive integer",
                       WorkloadError);
  CHECK_THROWS_WITH_AS(parse_model_spec("synthetic:0:1:5", "m"), "m (launches): '0' is not a positive integer",
                       WorkloadError);
  CHECK(error_of(valid_with("synthetic:3:64:100", "synthetic:3:64")).find("w.json: tasks[1].model: ") == 0);
}

TEST_CASE("command-line overrides apply to counted tasks and are validated") {
  Workload w = parse_workload(kValid, "w.json");
  apply_overrides(w, WorkloadOverrides{50, 2.0, 1});
  CHECK(w.tasks[0].count == 50);
  CHECK(w.tasks[1].count == 50);
  CHECK_FALSE(w.tasks[2].count);  // closed-loop normal task stays uncounted
  CHECK(w.duration_s == doctest::Approx(2.0));
  CHECK(w.warmup_requests == 1);
  CHECK_THROWS_WITH_AS(apply_overrides(w, WorkloadOverrides{0, std::nullopt, std::nullopt}),
                       "--requests: must be > 0", WorkloadError);
}

TEST_CASE("--normal-conv-split-depth reaches normal tasks only") {
  Workload w = parse_workload(kValid, "w.json");
  for (const TaskSpec& t : w.tasks) CHECK(t.conv_split_depth == 0);  // off unless asked
  WorkloadOverrides o;
  o.normal_conv_split_depth = 576;
  apply_overrides(w, o);
  CHECK(w.tasks[0].conv_split_depth == 0);  // critical
  CHECK(w.tasks[1].conv_split_depth == 0);  // critical
  CHECK(w.tasks[2].conv_split_depth == 576);
  o.normal_conv_split_depth = -32;
  CHECK_THROWS_WITH_AS(apply_overrides(w, o), "--normal-conv-split-depth: must be >= 0", WorkloadError);
}
