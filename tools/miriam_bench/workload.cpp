#include "workload.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace miriam::bench {

using nlohmann::json;

namespace {

// Reads the fields of one JSON object; every error names the object's path.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, const std::string& origin)
      : object_(object), path_(std::move(path)), origin_(origin) {
    if (!object_.is_object()) fail(path_, "must be an object");
  }

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw WorkloadError(origin_ + ": " + field + ": " + problem);
  }
  std::string field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  bool has(const std::string& key) const { return object_.contains(key) && !object_.at(key).is_null(); }

  // Fields not in `known` are errors: a misspelt key must not be silently ignored.
  void only(std::initializer_list<const char*> known) const {
    std::set<std::string> allowed(known.begin(), known.end());
    for (auto it = object_.begin(); it != object_.end(); ++it)
      if (!allowed.count(it.key())) {
        std::string list;
        for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
        fail(field(it.key()), "unknown field (expected one of: " + list + ")");
      }
  }

  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt) const {
    if (!has(key)) {
      if (fallback) return *fallback;
      fail(field(key), "missing (a string is required)");
    }
    const json& v = object_.at(key);
    if (!v.is_string()) fail(field(key), "must be a string");
    const std::string s = v.get<std::string>();
    if (s.empty()) fail(field(key), "must not be empty");
    return s;
  }

  double number(const std::string& key) const {
    const json& v = object_.at(key);
    if (!v.is_number()) fail(field(key), "must be a number");
    return v.get<double>();
  }

  double positive(const std::string& key) const {
    const double d = number(key);
    if (!(d > 0)) fail(field(key), "must be > 0");
    return d;
  }

  int integer(const std::string& key, int min) const {
    const json& v = object_.at(key);
    if (!v.is_number_integer()) fail(field(key), "must be an integer");
    const long long i = v.get<long long>();
    if (i < min || i > 1000000000) fail(field(key), "must be between " + std::to_string(min) + " and 1e9");
    return static_cast<int>(i);
  }

  const json& at(const std::string& key) const { return object_.at(key); }

 private:
  const json& object_;
  std::string path_;
  const std::string& origin_;
};

Arrival parse_arrival(const ObjectReader& task, const std::string& origin) {
  if (!task.has("arrival")) task.fail(task.field("arrival"), "missing (periodic, poisson or closed_loop)");
  const json& a = task.at("arrival");
  if (a.is_string()) {  // "closed_loop" shorthand
    if (a.get<std::string>() == "closed_loop") return Arrival{};
    task.fail(task.field("arrival"), "a string arrival must be \"closed_loop\"; periodic and poisson need an object");
  }
  ObjectReader r(a, task.field("arrival"), origin);
  Arrival arrival;
  const std::string kind = r.text("kind");
  if (kind == "periodic") {
    r.only({"kind", "period_us", "period_x_solo"});
    arrival.kind = ArrivalKind::kPeriodic;
    if (r.has("period_us") == r.has("period_x_solo"))
      r.fail(r.field("period_us"), "give exactly one of period_us and period_x_solo");
    if (r.has("period_us")) arrival.period_us = r.positive("period_us");
    else arrival.period_x_solo = r.positive("period_x_solo");
  } else if (kind == "poisson") {
    r.only({"kind", "rate_hz", "mean_gap_x_solo"});
    arrival.kind = ArrivalKind::kPoisson;
    if (r.has("rate_hz") == r.has("mean_gap_x_solo"))
      r.fail(r.field("rate_hz"), "give exactly one of rate_hz and mean_gap_x_solo");
    if (r.has("rate_hz")) arrival.rate_hz = r.positive("rate_hz");
    else arrival.mean_gap_x_solo = r.positive("mean_gap_x_solo");
  } else if (kind == "closed_loop") {
    r.only({"kind"});
  } else {
    r.fail(r.field("kind"), "unknown arrival kind '" + kind + "' (periodic, poisson, closed_loop)");
  }
  return arrival;
}

int positive_int(const std::string& text, const std::string& field) {
  std::size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v <= 0 || v > 100000000)
    throw WorkloadError(field + ": '" + text + "' is not a positive integer");
  return static_cast<int>(v);
}

}  // namespace

const char* to_string(ArrivalKind kind) {
  switch (kind) {
    case ArrivalKind::kPeriodic: return "periodic";
    case ArrivalKind::kPoisson: return "poisson";
    case ArrivalKind::kClosedLoop: return "closed_loop";
  }
  return "unknown";
}

ModelSpec parse_model_spec(const std::string& text, const std::string& field) {
  ModelSpec spec;
  spec.text = text;
  const std::string prefix = "synthetic:";
  if (text.rfind(prefix, 0) != 0) {
    if (text.empty()) throw WorkloadError(field + ": empty model name");
    spec.dnn_name = text;
    return spec;
  }
  std::vector<std::string> parts;
  std::stringstream rest(text.substr(prefix.size()));
  for (std::string part; std::getline(rest, part, ':');) parts.push_back(part);
  if (parts.size() != 3)
    throw WorkloadError(field + ": '" + text + "': expected synthetic:<launches>:<blocks>:<work>");
  spec.synthetic = true;
  spec.launches = positive_int(parts[0], field + " (launches)");
  spec.blocks = positive_int(parts[1], field + " (blocks)");
  spec.work = positive_int(parts[2], field + " (work)");
  return spec;
}

bool Workload::has_counted_task() const {
  for (const TaskSpec& t : tasks)
    if (t.count) return true;
  return false;
}

namespace {

void validate(const Workload& w) {
  if (w.tasks.empty()) throw WorkloadError(w.origin + ": tasks: at least one task is needed");
  if (!w.has_counted_task() && !w.duration_s)
    throw WorkloadError(w.origin + ": duration_s: no task has a 'count', so the workload needs a duration_s");
  std::set<std::string> names;
  for (std::size_t i = 0; i < w.tasks.size(); ++i)
    if (!names.insert(w.tasks[i].name).second)
      throw WorkloadError(w.origin + ": tasks[" + std::to_string(i) + "].name: '" + w.tasks[i].name +
                          "' is used by an earlier task");
}

}  // namespace

Workload parse_workload(const std::string& json_text, const std::string& origin) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) throw WorkloadError(origin + ": not valid JSON");
  ObjectReader r(doc, "", origin);
  r.only({"name", "description", "duration_s", "warmup_requests", "tasks"});
  Workload w;
  w.origin = origin;
  w.name = r.text("name");
  w.description = r.has("description") ? r.text("description") : "";
  if (r.has("duration_s")) w.duration_s = r.positive("duration_s");
  if (r.has("warmup_requests")) w.warmup_requests = r.integer("warmup_requests", 0);
  if (!r.has("tasks") || !r.at("tasks").is_array()) r.fail("tasks", "missing (an array of tasks is required)");
  const json& tasks = r.at("tasks");
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    ObjectReader t(tasks[i], "tasks[" + std::to_string(i) + "]", origin);
    t.only({"name", "model", "batch", "criticality", "priority", "deadline_us", "deadline_x_solo", "arrival",
            "count"});
    TaskSpec spec;
    spec.name = t.text("name");
    spec.model = parse_model_spec(t.text("model"), origin + ": " + t.field("model"));
    if (t.has("batch")) spec.batch = t.integer("batch", 1);
    const std::string crit = t.text("criticality");
    if (crit == "critical") spec.criticality = Criticality::kCritical;
    else if (crit == "normal") spec.criticality = Criticality::kNormal;
    else t.fail(t.field("criticality"), "'" + crit + "' is neither \"critical\" nor \"normal\"");
    if (t.has("priority")) spec.priority = t.integer("priority", -1000000);
    if (t.has("deadline_us") && t.has("deadline_x_solo"))
      t.fail(t.field("deadline_us"), "give at most one of deadline_us and deadline_x_solo");
    if (t.has("deadline_us")) spec.deadline_us = t.positive("deadline_us");
    if (t.has("deadline_x_solo")) spec.deadline_x_solo = t.positive("deadline_x_solo");
    spec.arrival = parse_arrival(t, origin);
    if (t.has("count")) spec.count = t.integer("count", 1);
    w.tasks.push_back(std::move(spec));
  }
  validate(w);
  return w;
}

Workload load_workload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WorkloadError(path + ": cannot read the workload file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_workload(text.str(), path);
}

void apply_overrides(Workload& workload, const WorkloadOverrides& o) {
  if (o.requests) {
    if (*o.requests <= 0) throw WorkloadError("--requests: must be > 0");
    for (TaskSpec& t : workload.tasks)
      if (t.count) t.count = *o.requests;
  }
  if (o.duration_s) {
    if (!(*o.duration_s > 0)) throw WorkloadError("--duration-s: must be > 0");
    workload.duration_s = *o.duration_s;
  }
  if (o.warmup_requests) {
    if (*o.warmup_requests < 0) throw WorkloadError("--warmup: must be >= 0");
    workload.warmup_requests = *o.warmup_requests;
  }
  if (o.normal_conv_split_depth) {
    if (*o.normal_conv_split_depth < 0) throw WorkloadError("--normal-conv-split-depth: must be >= 0");
    for (TaskSpec& t : workload.tasks)
      if (t.criticality == Criticality::kNormal) t.conv_split_depth = *o.normal_conv_split_depth;
  }
  validate(workload);
}

}  // namespace miriam::bench
