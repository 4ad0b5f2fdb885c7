#include "report.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace miriam::check {
namespace {

using nlohmann::json;

std::string cuda_version(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

json to_json(const Mismatch& m) {
  return {{"run", m.run},
          {"buffer", m.buffer},
          {"byte_offset", m.byte_offset},
          {"in_guard_zone", m.in_guard},
          {"differing_bytes", m.differing_bytes},
          {"element", m.element},
          {"expected", m.expected},
          {"actual", m.actual}};
}

json to_json(const FuncAttributes& a) {
  return {{"num_regs", a.num_regs},
          {"local_bytes", a.local_bytes},
          {"static_shared_bytes", a.static_shared_bytes},
          {"max_threads_per_block", a.max_threads_per_block}};
}

json timing_json(const TimingResult& t) {
  return {{"warmup", t.warmup},
          {"runs", t.runs},
          {"median_original_us", t.median_original_us},
          {"median_variant_us", t.median_variant_us},
          {"overhead_percent", t.overhead_percent},
          {"min_original_us", t.min_original_us},
          {"min_variant_us", t.min_variant_us},
          {"p90_original_us", t.p90_original_us},
          {"p90_variant_us", t.p90_variant_us}};
}

json to_json(const VariantResult& v) {
  json j = {{"kind", v.kind}, {"verdict", verdict_name(v.verdict)}};
  if (!v.reason.empty()) j["reason"] = v.reason;
  if (v.attributes) j["attributes"] = to_json(*v.attributes);
  json schedules = json::array();
  for (const ScheduleResult& s : v.schedules) {
    json sj = {{"name", s.name}, {"slices", s.slices}, {"shuffled", s.shuffled},
               {"runs", s.runs}, {"runs_passed", s.runs_passed}, {"pass", s.passed()}};
    if (!s.note.empty()) sj["note"] = s.note;
    if (s.first_mismatch) sj["first_mismatch"] = to_json(*s.first_mismatch);
    schedules.push_back(std::move(sj));
  }
  j["schedules"] = std::move(schedules);
  if (v.preemption) {
    const PreemptionResult& p = *v.preemption;
    j["preemption"] = {{"physical_blocks", p.physical_blocks},
                       {"chunk", p.chunk},
                       {"requests", p.requests},
                       {"stopped_early", p.stopped_early},
                       {"median_latency_us", p.median_latency_us},
                       {"p90_latency_us", p.p90_latency_us},
                       {"max_latency_us", p.max_latency_us},
                       {"full_kernel_us", p.full_kernel_us},
                       {"logical_block_us", p.logical_block_us},
                       {"cycles", p.cycles},
                       {"cycles_before_start", p.cycles_before_start},
                       {"cycles_mid_run", p.cycles_mid_run},
                       {"cycles_no_progress", p.cycles_no_progress},
                       {"cycles_after_finish", p.cycles_after_finish}};
  }
  if (v.timing) {
    j["timing"] = timing_json(*v.timing);
    if (!v.timing_schedule.empty()) j["timing"]["schedule"] = v.timing_schedule;
  }
  if (!v.extra_timings.empty()) {
    json extra = json::array();
    for (const auto& [schedule, t] : v.extra_timings) {
      json entry = timing_json(t);
      entry["schedule"] = schedule;
      extra.push_back(entry);
    }
    j["extra_timings"] = extra;
  }
  return j;
}

json to_json(const LaunchResult& l) {
  json j = {{"spec", l.spec_file},
            {"index", l.spec_index},
            {"kernel", l.kernel},
            {"template_args", l.template_args},
            {"grid", l.grid},
            {"block", l.block},
            {"dynamic_shared_bytes", l.dynamic_shared_bytes},
            {"order_independent", l.order_independent},
            {"status", l.failed() ? "fail" : "ok"}};
  if (!l.manifest.empty()) j["manifest"] = l.manifest;
  if (!l.error.empty()) j["error"] = l.error;
  if (l.original) j["original_attributes"] = to_json(*l.original);
  j["reference_stable"] = !l.reference_unstable.has_value();
  j["declared_nondeterministic"] = l.declared_nondeterministic;
  if (l.reference_unstable) j["reference_mismatch"] = to_json(*l.reference_unstable);
  json variants = json::array();
  for (const VariantResult& v : l.variants) variants.push_back(to_json(v));
  j["variants"] = std::move(variants);
  return j;
}

std::string fmt_us(double us) { return us > 0 ? fmt::format("{:.2f}", us) : "-"; }

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "fail";
    case Verdict::Refused: return "refused";
    case Verdict::Unsupported: return "unsupported";
    case Verdict::Missing: return "missing";
    case Verdict::Error: return "error";
  }
  return "?";
}

bool verdict_is_failure(Verdict v) { return v == Verdict::Fail || v == Verdict::Missing || v == Verdict::Error; }

bool LaunchResult::failed() const {
  if (!error.empty() || (reference_unstable && !declared_nondeterministic)) return true;
  return std::any_of(variants.begin(), variants.end(), [](const VariantResult& v) { return verdict_is_failure(v.verdict); });
}

bool Report::failed() const {
  return !fatal.empty() || std::any_of(launches.begin(), launches.end(), [](const LaunchResult& l) { return l.failed(); });
}

std::string utc_now_iso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe(const Mismatch& m) {
  return fmt::format("run {}: {} differs at byte {}{} (element {}: expected {}, got {}; {} byte(s) differ)", m.run,
                     m.buffer, m.byte_offset, m.in_guard ? " (guard zone past the end: out-of-bounds write)" : "",
                     m.element, m.expected, m.actual, m.differing_bytes);
}

json to_json(const Report& r) {
  json j;
  j["tool"] = "elastic_check";
  j["result_version"] = 1;
  j["device"] = {{"name", r.device.name},
                 {"sm_count", r.device.sm_count},
                 {"compute_capability", fmt::format("{}.{}", r.device.cc_major, r.device.cc_minor)},
                 {"memory_bytes", r.device.memory_bytes},
                 {"driver_version", cuda_version(r.device.driver_version)},
                 {"runtime_version", cuda_version(r.device.runtime_version)}};
  j["date_utc"] = r.date_utc;
  j["commit"] = r.commit;
  j["seed"] = r.seed;
  j["timing_runs"] = r.timing_runs;
  j["warmup"] = r.warmup;
  j["equivalence_runs"] = r.equivalence_runs;
  j["guard_bytes"] = r.guard_bytes;
  j["specs_dir"] = r.specs_dir;
  j["manifests_dir"] = r.manifests_dir;
  if (!r.only.empty()) j["only"] = r.only;
  j["warnings"] = r.warnings;
  j["timing_only"] = r.timing_only;
  json launches = json::array();
  std::size_t checked = 0, passed = 0, failed = 0, refused = 0, other = 0;
  for (const LaunchResult& l : r.launches) {
    launches.push_back(to_json(l));
    for (const VariantResult& v : l.variants) {
      if (v.verdict == Verdict::Pass) ++checked, ++passed;
      else if (verdict_is_failure(v.verdict)) ++checked, ++failed;
      else if (v.verdict == Verdict::Refused) ++refused;
      else ++other;
    }
  }
  j["launches"] = std::move(launches);
  j["summary"] = {{"launches", r.launches.size()},
                  {"failed_launches", std::count_if(r.launches.begin(), r.launches.end(),
                                                    [](const LaunchResult& l) { return l.failed(); })},
                  {"variants_checked", checked},
                  {"variants_passed", passed},
                  {"variants_failed", failed},
                  {"variants_refused", refused},
                  {"variants_unsupported", other},
                  {"pass", !r.failed()}};
  if (!r.fatal.empty()) j["fatal"] = r.fatal;
  return j;
}

void write_report(const Report& report, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", path));
  out << to_json(report).dump(2) << '\n';
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", path));
}

void print_table(const Report& r, std::FILE* out) {
  struct Row {
    std::string kernel, inst, variant, schedules, orig, var, overhead;
  };
  std::vector<Row> rows{{"kernel", "instantiation", "variant", "schedules", "orig us", "variant us", "overhead %"}};
  for (const LaunchResult& l : r.launches) {
    const std::string inst = l.template_args.empty() ? "-" : "<" + l.template_args + ">";
    const std::string kernel = l.kernel + (l.spec_index ? fmt::format(" #{}", l.spec_index) : "");
    if (!l.error.empty() || l.reference_unstable) {
      rows.push_back({kernel, inst, "-",
                      !l.error.empty() ? "ERROR" : l.declared_nondeterministic ? "NONDETERMINISTIC" : "UNSTABLE REF", "-",
                      "-", "-"});
      continue;
    }
    if (l.variants.empty()) rows.push_back({kernel, inst, "(none)", "no variant offered or refused", "-", "-", "-"});
    for (const VariantResult& v : l.variants) {
      Row row{kernel, inst, v.kind, "", "-", "-", "-"};
      if (v.verdict == Verdict::Pass || v.verdict == Verdict::Fail) {
        const auto ok = std::count_if(v.schedules.begin(), v.schedules.end(),
                                      [](const ScheduleResult& s) { return s.passed(); });
        row.schedules = fmt::format("{}/{}{}", ok, v.schedules.size(), v.verdict == Verdict::Fail ? " FAIL" : "");
      } else {
        row.schedules = verdict_name(v.verdict);
        for (char& c : row.schedules)
          if (verdict_is_failure(v.verdict)) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      if (v.timing) {
        row.orig = fmt_us(v.timing->median_original_us);
        row.var = fmt_us(v.timing->median_variant_us);
        row.overhead = fmt::format("{:+.2f}", v.timing->overhead_percent);
      }
      rows.push_back(std::move(row));
      for (const auto& [schedule, t] : v.extra_timings)
        rows.push_back({kernel, inst, v.kind + " " + schedule, "", fmt_us(t.median_original_us),
                        fmt_us(t.median_variant_us), fmt::format("{:+.2f}", t.overhead_percent)});
    }
  }
  std::array<std::size_t, 7> w{};
  for (const Row& row : rows) {
    const std::string* cells[] = {&row.kernel, &row.inst, &row.variant, &row.schedules, &row.orig, &row.var, &row.overhead};
    for (std::size_t i = 0; i < 7; ++i) w[i] = std::max(w[i], cells[i]->size());
  }
  fmt::print(out, "device: {} ({} SMs), seed {}, commit {}\n", r.device.name, r.device.sm_count, r.seed,
             r.commit.empty() ? "-" : r.commit);
  for (const Row& row : rows)
    fmt::print(out, "{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n", row.kernel, w[0], row.inst, w[1],
               row.variant, w[2], row.schedules, w[3], row.orig, w[4], row.var, w[5], row.overhead, w[6]);
  for (const LaunchResult& l : r.launches) {
    if (!l.error.empty()) fmt::print(out, "error: {}: {}\n", l.kernel, l.error);
    if (l.reference_unstable)
      fmt::print(out, "{}: {}: the original kernel is not bitwise reproducible: {}\n",
                 l.declared_nondeterministic ? "note (declared nondeterministic, not a failure)" : "error", l.kernel,
                 describe(*l.reference_unstable));
    for (const VariantResult& v : l.variants) {
      if (v.verdict == Verdict::Refused) fmt::print(out, "refused: {} {}: {}\n", l.kernel, v.kind, v.reason);
      else if (!v.reason.empty()) fmt::print(out, "{}: {} {}: {}\n", verdict_name(v.verdict), l.kernel, v.kind, v.reason);
      for (const ScheduleResult& s : v.schedules) {
        if (s.first_mismatch)
          fmt::print(out, "FAIL: {} {} [{}]: {}\n", l.kernel, v.kind, s.name, describe(*s.first_mismatch));
        if (!s.note.empty()) fmt::print(out, "note: {} {} [{}]: {}\n", l.kernel, v.kind, s.name, s.note);
      }
    }
  }
  for (const std::string& warning : r.warnings) fmt::print(out, "warning: {}\n", warning);
  if (!r.fatal.empty()) fmt::print(out, "fatal: {}\n", r.fatal);
  fmt::print(out, "{}\n", r.failed()       ? "RESULT: FAIL"
                          : r.timing_only ? "RESULT: TIMING ONLY (no variant was checked)"
                                          : "RESULT: PASS");
}

}  // namespace miriam::check
