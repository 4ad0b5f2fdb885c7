#include "options.h"

#include <initializer_list>
#include <sstream>

namespace miriam::bench {

namespace {

long long parse_integer(const std::string& option, const std::string& value, long long min) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || v < min)
    throw UsageError(option + ": '" + value + "' is not an integer >= " + std::to_string(min));
  return v;
}

// The value of an option that takes one of a few words ("on|off", ...).
const std::string& parse_choice(const std::string& option, const std::string& value,
                                std::initializer_list<const char*> words) {
  std::string expected;
  std::size_t i = 0;
  for (const char* w : words) {
    if (value == w) return value;
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(w);
    ++i;
  }
  throw UsageError(option + ": '" + value + "' (expected " + expected + ")");
}

double parse_positive(const std::string& option, const std::string& value) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || !(v > 0))
    throw UsageError(option + ": '" + value + "' is not a positive number");
  return v;
}

std::vector<PolicyKind> parse_policies(const std::string& value) {
  std::vector<PolicyKind> kinds;
  std::stringstream in(value);
  for (std::string name; std::getline(in, name, ',');) {
    const std::optional<PolicyKind> k = policy_kind_from_string(name);
    if (!k)
      throw UsageError("--policies: unknown policy '" + name + "' (sequential, multistream, priority, ib, miriam)");
    kinds.push_back(*k);
  }
  if (kinds.empty()) throw UsageError("--policies: empty list");
  return kinds;
}

}  // namespace

std::string usage() {
  return R"(usage: miriam_bench --workload NAME|FILE [--workload ...] [options]

Runs each task of a workload alone (solo), then the workload under every
policy, in one process; prints one table per workload (rows = policies).

  --workload NAME|FILE   a workload JSON file, or the name of a bundled one (--list)
  --requests N           requests of every counted task (default: the file's count)
  --duration-s S         run length of workloads without counted tasks
  --warmup N             requests per task left out of the statistics
  --normal-conv-split-depth D  normal tasks' models run convolutions with c*r*s > D split-K
                         (depth D rounded up to a multiple of 32; shorter blocks); critical tasks
                         keep whole convs; solo runs use each task's own setting (default 0: off)
  --policies LIST        comma-separated (default: sequential,multistream,priority,ib,miriam)
  --seed S               seeds Poisson arrivals and model weights/inputs (default 1)
  --out-dir DIR          write <workload>_<sms>.json and .csv there
  --trace-dir DIR        write a Chrome trace per policy there (open in Perfetto)
  --sms N                run everything inside a CUDA green context of N SMs
  --short                few requests (a quick check, not a measurement)
  --max-run-s S          cut a policy run after S seconds (solo runs are never cut; the table
                         names cut runs and their measured request counts)
  --critical-order priority|none  critical tasks' streams ranked by their workload priority (default),
                         or all at the highest stream priority (priority, ib, miriam)
  --block-time per-launch|per-shape  normal block times learned per launch in its request, the
                         shape's until then (default), or per shape only (kernel, grid, block)
  --verify every|last    compare every request's output with the solo output (default) or the last only
  --commit HASH          commit recorded in the results (default: the one the binary was built from)
  --manifest-dir DIR     where the *.miriam.json manifests are (default: next to the executable)
  --profile FILE         shard timing profile for the miriam policy
  miriam's shard planning (defaults: the runtime's):
  --idle-budget-us X     longest normal shard while no critical work runs (without a profile: one wave)
  --critical-budget-us X longest normal shard beside critical work (needs a profile)
  --pad-critical-sms on|off   pad normal blocks onto SMs critical blocks occupy
  --hold-over-budget     hold a shard that would exceed the critical budget instead of sending it
  --long-blocks hold|pad hold sliced shards whose measured blocks outlast the critical budget while a
                         critical request is in flight (default hold), also persistent launches
                         beside it (hold-all), or pad them beside it
  --drain-ahead on|off   stop/hold normal work before a periodic critical request is due (default on)
  --shrunk on|off        shrunk shards (blocks of B/f threads) beside critical kernels that leave no room
                         for a full normal block (default on)
  --claim-budget-us X    persistent launches claim C logical blocks at once, C x block time <= X (default 0: C = 1)
  --shards-in-flight N,M normal shards in flight per task with / without critical work running
  soak (one workload, the miriam policy only; needs --out-dir):
  --soak-seconds S       random arrivals for S seconds, every output verified, judged per window
  --soak-window-seconds W   window length (default 30; the first window is warm-up)
  --soak-watchdog-seconds D no request finished for D seconds: deadlock suspected, exit 3 (default 10)
  --list                 list the bundled workloads
  --help
)";
}

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + ": needs a value");
      return args[++i];
    };
    if (a == "--workload") o.workloads.push_back(value());
    else if (a == "--requests") o.overrides.requests = static_cast<int>(parse_integer(a, value(), 1));
    else if (a == "--duration-s") o.overrides.duration_s = parse_positive(a, value());
    else if (a == "--max-run-s") o.max_run_s = parse_positive(a, value());
    else if (a == "--warmup") o.overrides.warmup_requests = static_cast<int>(parse_integer(a, value(), 0));
    else if (a == "--normal-conv-split-depth")
      o.overrides.normal_conv_split_depth = static_cast<int>(parse_integer(a, value(), 0));
    else if (a == "--policies") o.policies = parse_policies(value());
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(parse_integer(a, value(), 0));
    else if (a == "--out-dir") o.out_dir = value();
    else if (a == "--trace-dir") o.trace_dir = value();
    else if (a == "--sms") o.sms = static_cast<int>(parse_integer(a, value(), 1));
    else if (a == "--short") o.short_mode = true;
    else if (a == "--verify") {
      o.verify = parse_choice(a, value(), {"every", "last"}) == "every" ? VerifyMode::kEvery : VerifyMode::kLast;
    } else if (a == "--commit") o.commit = value();
    else if (a == "--manifest-dir") o.manifest_dir = value();
    else if (a == "--profile") o.profile = value();
    else if (a == "--idle-budget-us") o.policy_options.planner.idle_budget_us = parse_positive(a, value());
    else if (a == "--critical-budget-us") o.policy_options.planner.critical_budget_us = parse_positive(a, value());
    else if (a == "--pad-critical-sms")
      o.policy_options.planner.share_critical_sms = parse_choice(a, value(), {"on", "off"}) == "on";
    else if (a == "--hold-over-budget") o.policy_options.planner.hold_if_over_budget = true;
    else if (a == "--long-blocks") {
      const std::string& v = parse_choice(a, value(), {"hold", "hold-all", "pad"});
      o.policy_options.hold_long_blocks = v != "pad";
      o.policy_options.hold_long_persistent = v == "hold-all";
    } else if (a == "--claim-budget-us") {
      const std::string& v = value();
      o.policy_options.persistent.claim_budget_us = v == "0" ? 0.0 : parse_positive(a, v);
    } else if (a == "--drain-ahead") {
      o.policy_options.drain_ahead = parse_choice(a, value(), {"on", "off"}) == "on";
    } else if (a == "--critical-order") {
      o.order_critical_tasks = parse_choice(a, value(), {"priority", "none"}) == "priority";
    } else if (a == "--block-time") {
      o.block_time_per_launch = parse_choice(a, value(), {"per-launch", "per-shape"}) == "per-launch";
    } else if (a == "--shrunk") {
      o.policy_options.use_shrunk = parse_choice(a, value(), {"on", "off"}) == "on";
    }
    else if (a == "--shards-in-flight") {
      const std::string& v = value();
      const auto comma = v.find(',');
      if (comma == std::string::npos) throw UsageError("--shards-in-flight: '" + v + "' (expected N,M)");
      o.policy_options.shards_in_flight_critical = static_cast<int>(parse_integer(a, v.substr(0, comma), 1));
      o.policy_options.shards_in_flight_idle = static_cast<int>(parse_integer(a, v.substr(comma + 1), 1));
    } else if (a == "--soak-seconds") o.soak_seconds = parse_positive(a, value());
    else if (a == "--soak-window-seconds") o.soak_window_seconds = parse_positive(a, value());
    else if (a == "--soak-watchdog-seconds") o.soak_watchdog_seconds = parse_positive(a, value());
    else if (a == "--list") o.list = true;
    else if (a == "--help" || a == "-h") o.help = true;
    else throw UsageError("unknown option '" + a + "' (see --help)");
  }
  if (!o.help && !o.list && o.workloads.empty()) throw UsageError("no --workload given (see --list)");
  if (o.soak_seconds && !o.help && !o.list) {
    if (o.workloads.size() != 1) throw UsageError("--soak-seconds: give exactly one --workload");
    if (o.out_dir.empty()) throw UsageError("--soak-seconds: needs --out-dir (the soak writes its results there)");
    if (o.verify != VerifyMode::kEvery) throw UsageError("--soak-seconds: the soak verifies every request (--verify every)");
    if (o.soak_window_seconds > *o.soak_seconds)
      throw UsageError("--soak-window-seconds: longer than --soak-seconds");
  }
  return o;
}

void apply_short_mode(Options& o) {
  if (!o.short_mode) return;
  if (!o.overrides.requests) o.overrides.requests = 40;
  if (!o.overrides.warmup_requests) o.overrides.warmup_requests = 5;
  if (!o.overrides.duration_s) o.overrides.duration_s = 1.0;
}

}  // namespace miriam::bench
