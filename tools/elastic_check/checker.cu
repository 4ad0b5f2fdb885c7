#include "checker.h"

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "buffers.h"
#include "compare.h"
#include "cuda_check.h"
#include "init.h"
#include "timing.h"
#include "variant_runner.h"

namespace miriam::check {
namespace {

struct Active {
  std::size_t result;  // index into LaunchResult::variants
  std::unique_ptr<VariantRunner> runner;
  std::vector<Schedule> schedules;
  bool failed_to_run = false;
};

void set_error(VariantResult& v, const std::string& what) {
  v.verdict = Verdict::Error;
  v.reason = what;
}

// The variants offered and refused, as results; runners for those that can run.
bool wanted(const std::vector<std::string>& kinds, const std::string& kind) {
  return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::vector<Active> prepare_variants(const Plan& plan, const KernelLaunch& launch, const CheckOptions& options,
                                     LaunchResult& result) {
  std::vector<Active> active;
  for (const ManifestVariant& mv : plan.manifest->variants) {
    if (!wanted(options.kinds, mv.kind)) continue;
    VariantResult r;
    r.kind = mv.kind;
    const ::miriam::VariantSymbol* symbol = plan.symbol->variant(mv.kind.c_str());
    if (!symbol) {
      r.verdict = Verdict::Missing;
      r.reason = fmt::format("the manifest offers '{}' ({}), the registry has no such variant for this instantiation",
                             mv.kind, mv.entry);
      result.variants.push_back(std::move(r));
      continue;
    }
    try {
      auto runner = make_variant_runner(mv.kind, launch, *symbol);
      if (!runner) {
        r.verdict = Verdict::Unsupported;
        r.reason = "elastic_check has no runner for this variant kind yet";
      } else {
        r.attributes = function_attributes(symbol->host_stub);
        std::vector<Schedule> schedules;
        if (!options.timing_only) schedules = runner->schedules();
        for (const Schedule& s : schedules)
          r.schedules.push_back(ScheduleResult{s.name, s.slices.size(), s.shuffled, s.note, 0, 0, std::nullopt});
        r.verdict = Verdict::Pass;  // until a comparison fails
        active.push_back(Active{result.variants.size(), std::move(runner), std::move(schedules)});
      }
    } catch (const CudaError& e) {
      recover_or_throw_sticky(e);
      set_error(r, e.what());
    }
    result.variants.push_back(std::move(r));
  }
  for (const ManifestRefusal& refusal : plan.manifest->refused) {
    if (!wanted(options.kinds, refusal.kind)) continue;
    VariantResult r;
    r.kind = refusal.kind;
    r.verdict = Verdict::Refused;
    r.reason = refusal.location.empty() ? refusal.reason : fmt::format("{}: {}", refusal.location, refusal.reason);
    result.variants.push_back(std::move(r));
  }
  return active;
}

std::vector<HostImage> run_original(const KernelLaunch& launch, DeviceBuffers& buffers, ArgPack& args,
                                    const std::vector<HostImage>& initial, cudaStream_t stream) {
  buffers.upload(initial, stream);
  launch.launch_original(args, stream);
  return buffers.download(stream);
}

}  // namespace

void check_launch(const Plan& plan, const CheckOptions& options, cudaStream_t stream, LaunchResult& result) {
  const LaunchSpec& spec = plan.spec;
  KernelLaunch launch;
  launch.symbol = plan.symbol;
  launch.grid = dim3(spec.grid[0], spec.grid[1], spec.grid[2]);
  launch.block = dim3(spec.block[0], spec.block[1], spec.block[2]);
  launch.dynamic_shared_bytes = spec.dynamic_shared_bytes;
  launch.order_independent = spec.order_independent;
  launch.seed = mix_seed(mix_seed(options.seed, hash_string(spec.file.data(), spec.file.size())), spec.index);

  try {
    allow_dynamic_shared(plan.symbol->original, spec.dynamic_shared_bytes);
    result.original = function_attributes(plan.symbol->original);
  } catch (const CudaError& e) {
    recover_or_throw_sticky(e);
    result.error = fmt::format("original kernel: {}", e.what());
    return;
  }
  std::vector<Active> active = prepare_variants(plan, launch, options, result);

  DeviceBuffers buffers(spec, options.guard_bytes);
  ArgPack args(spec, buffers.pointers());

  try {
    buffers.upload(make_initial_images(spec, options.seed, 0, options.guard_bytes), stream);
    for (Active& a : active) a.runner->calibrate(args, stream);
    for (unsigned run = 0; run < options.equivalence_runs; ++run) {
      const std::vector<HostImage> initial = make_initial_images(spec, options.seed, run, options.guard_bytes);
      const std::vector<HostImage> reference = run_original(launch, buffers, args, initial, stream);
      // The original against itself: a kernel that is not bitwise reproducible
      // (float atomics, races) cannot be checked this way.
      if (auto m = compare_images(spec, reference, run_original(launch, buffers, args, initial, stream), run)) {
        result.reference_unstable = *m;
        result.declared_nondeterministic = !spec.bitwise_reproducible;
        for (Active& a : active) {
          VariantResult& v = result.variants[a.result];
          if (result.declared_nondeterministic) {
            v.verdict = Verdict::Unsupported;
            v.reason = "not checkable bitwise: the original's result depends on execution order (declared in its spec)";
          } else {
            set_error(v, "not checked: the original kernel is not bitwise reproducible");
          }
        }
        return;
      }
      for (Active& a : active) {
        if (a.failed_to_run) continue;
        VariantResult& v = result.variants[a.result];
        try {
          for (std::size_t s = 0; s < a.schedules.size(); ++s) {
            buffers.upload(initial, stream);
            a.runner->run(a.schedules[s], args, stream);
            const auto mismatch = compare_images(spec, reference, buffers.download(stream), run);
            ScheduleResult& sr = v.schedules[s];
            ++sr.runs;
            if (!mismatch) {
              ++sr.runs_passed;
            } else {
              v.verdict = Verdict::Fail;
              if (!sr.first_mismatch) sr.first_mismatch = mismatch;
            }
          }
        } catch (const StickyCudaError&) {
          throw;
        } catch (const CudaError& e) {
          recover_or_throw_sticky(e);
          set_error(v, e.what());
          a.failed_to_run = true;
        }
      }
    }
  } catch (const StickyCudaError&) {
    throw;
  } catch (const CudaError& e) {  // from the original kernel
    recover_or_throw_sticky(e);
    result.error = fmt::format("original kernel: {}", e.what());
    return;
  }

  if (options.timing_runs == 0) return;
  for (Active& a : active) {
    if (a.failed_to_run) continue;
    VariantResult& v = result.variants[a.result];
    const Schedule whole = a.runner->timing_schedule();
    v.timing_schedule = whole.name;
    try {
      v.timing = time_interleaved([&](cudaStream_t s) { launch.launch_original(args, s); },
                                  [&](cudaStream_t s) { a.runner->run(whole, args, s); }, options.warmup,
                                  options.timing_runs, stream);
      for (const Schedule& extra : a.runner->extra_timing_schedules())
        v.extra_timings.emplace_back(
            extra.name, time_interleaved([&](cudaStream_t s) { launch.launch_original(args, s); },
                                         [&](cudaStream_t s) { a.runner->run(extra, args, s); }, options.warmup,
                                         options.timing_runs, stream));
      if (!options.timing_only) v.preemption = a.runner->measure_preemption(args, stream);
    } catch (const StickyCudaError&) {
      throw;
    } catch (const CudaError& e) {
      recover_or_throw_sticky(e);
      set_error(v, fmt::format("timing: {}", e.what()));
    }
  }
}

}  // namespace miriam::check
