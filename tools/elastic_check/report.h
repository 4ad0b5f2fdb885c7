// Results of one elastic_check run, the JSON result file and the stdout table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace miriam::check {

struct Mismatch {
  unsigned run = 0;
  std::string buffer;            // "arg2", "arg5.1"
  std::size_t byte_offset = 0;   // first differing byte
  bool in_guard = false;         // past the end of the buffer: an out-of-bounds write
  std::size_t differing_bytes = 0;
  std::size_t element = 0;       // element holding the first differing byte
  std::string expected, actual;  // that element, formatted
};

struct ScheduleResult {
  std::string name;
  std::size_t slices = 0;
  bool shuffled = false;
  std::string note;
  unsigned runs = 0;
  unsigned runs_passed = 0;
  std::optional<Mismatch> first_mismatch;
  bool passed() const { return runs > 0 && runs == runs_passed; }
};

struct TimingResult {
  unsigned warmup = 0;
  unsigned runs = 0;
  double median_original_us = 0, median_variant_us = 0, overhead_percent = 0;
  double min_original_us = 0, min_variant_us = 0;
  double p90_original_us = 0, p90_variant_us = 0;
};

// Cooperative preemption of a persistent variant: how long a stop request
// takes to empty the GPU, next to how long one logical block runs.
struct PreemptionResult {
  unsigned physical_blocks = 0;     // P of the measured launches
  unsigned chunk = 1;               // C of the measured launches (logical blocks per claim)
  unsigned requests = 0;            // stop requests made
  unsigned stopped_early = 0;       // ... that found the kernel running (the latency samples)
  double median_latency_us = 0, p90_latency_us = 0, max_latency_us = 0;  // request -> kernel exit
  double full_kernel_us = 0;        // unpreempted launch with the same P (median)
  double logical_block_us = 0;      // full_kernel_us * min(P, N) / N: one logical block under full load
  // Cycles of the last "preempt/resume" equivalence schedule, by kind.
  unsigned cycles = 0, cycles_before_start = 0, cycles_mid_run = 0, cycles_no_progress = 0,
           cycles_after_finish = 0;
};

struct FuncAttributes {
  int num_regs = 0;
  std::size_t local_bytes = 0;
  std::size_t static_shared_bytes = 0;
  int max_threads_per_block = 0;
};

enum class Verdict { Pass, Fail, Refused, Unsupported, Missing, Error };
const char* verdict_name(Verdict v);
bool verdict_is_failure(Verdict v);

struct VariantResult {
  std::string kind;
  Verdict verdict = Verdict::Error;
  std::string reason;  // refusal reason, error message, ...
  std::vector<ScheduleResult> schedules;
  std::optional<TimingResult> timing;
  std::string timing_schedule;  // the schedule `timing` ran ("P=1056 C=1 static", ...)
  std::vector<std::pair<std::string, TimingResult>> extra_timings;  // by schedule name (shrunk: "f=2", ...)
  std::optional<PreemptionResult> preemption;  // persistent variants
  std::optional<FuncAttributes> attributes;
};

struct LaunchResult {
  std::string spec_file;
  std::size_t spec_index = 0;
  std::string kernel;
  std::string template_args;
  std::array<unsigned, 3> grid{}, block{};
  std::size_t dynamic_shared_bytes = 0;
  bool order_independent = false;
  std::string manifest;           // file the manifest entry came from
  std::string error;              // non-empty: the launch could not be checked
  std::optional<FuncAttributes> original;
  std::optional<Mismatch> reference_unstable;  // the original itself is not bitwise reproducible
  bool declared_nondeterministic = false;      // ...and its spec says so: not a failure
  std::vector<VariantResult> variants;
  bool failed() const;
};

struct DeviceInfo {
  std::string name;
  int sm_count = 0;
  int cc_major = 0, cc_minor = 0;
  int driver_version = 0, runtime_version = 0;  // CUDA's integer form, e.g. 13000
  std::size_t memory_bytes = 0;
};

struct Report {
  DeviceInfo device;
  std::string date_utc;
  std::string commit;
  std::uint64_t seed = 0;
  unsigned timing_runs = 0, warmup = 0, equivalence_runs = 0;
  std::size_t guard_bytes = 0;
  std::string specs_dir, manifests_dir, only;
  std::vector<std::string> warnings;
  bool timing_only = false;  // --timing-only: nothing was compared
  std::vector<LaunchResult> launches;
  std::string fatal;  // set when the run stopped early (sticky CUDA error)
  bool failed() const;
};

std::string utc_now_iso();
nlohmann::json to_json(const Report& report);
void write_report(const Report& report, const std::string& path);  // throws std::runtime_error
void print_table(const Report& report, std::FILE* out);
std::string describe(const Mismatch& m);

}  // namespace miriam::check
