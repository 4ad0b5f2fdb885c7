// The benchmark models on the GPU. Two parts:
//  1. Correctness: every model at small shapes (batch 2, small input, short
//     sequence; logits, no softmax) on a fresh random input, output poisoned
//     with NaN first, against the CPU reference executor (run_on_cpu). Also:
//     every launch goes through the Launcher (counted), and a second forward()
//     reproduces the first bit for bit.
//  2. At the architectures' full shapes, batch 1 and --batch B: the output
//     checksum and the solo latency (CUDA events around one forward(),
//     warm-up, median over --runs runs).
// --conv-split-depth D runs both parts with ModelOptions::conv_split_depth = D
// (split-K convolutions; 0, the default, leaves them whole).
// Prints tables, writes JSON (--out FILE). Exits 1 on any failure, 77 (the
// ctest skip code) without a GPU.
//
// Usage: dnn_gpu_models_check [--seed N] [--batch B] [--runs R] [--models a,b,...]
//                             [--out FILE] [--check-only] [--timing-only]
//                             [--conv-split-depth D]
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cuda_check.h"
#include "dnn/models/architectures.h"
#include "dnn/models/cpu_executor.h"
#include "dnn/models/model.h"
#include "dnn/models/weights.h"

using namespace miriam::dnn;
using nlohmann::json;

namespace {

constexpr int kSkipExitCode = 77;
// Relative L2 error of the whole output (fp32 GPU kernels vs the
// double-accumulating CPU reference, accumulated over up to ~70 layers).
constexpr double kMaxRelativeL2 = 1e-3;
constexpr int kWarmupRuns = 5;

struct Args {
  std::uint64_t seed = 0;  // 0: from the clock
  int batch = 8;
  int runs = 30;
  int conv_split_depth = 0;
  std::vector<std::string> models = model_names();
  std::string out;
  bool check = true, timing = true;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seed")
      a.seed = std::stoull(value());
    else if (arg == "--batch")
      a.batch = std::stoi(value());
    else if (arg == "--runs")
      a.runs = std::stoi(value());
    else if (arg == "--conv-split-depth")
      a.conv_split_depth = std::stoi(value());
    else if (arg == "--out")
      a.out = value();
    else if (arg == "--check-only")
      a.timing = false;
    else if (arg == "--timing-only")
      a.check = false;
    else if (arg == "--models") {
      a.models.clear();
      std::stringstream list(value());
      for (std::string m; std::getline(list, m, ',');) a.models.push_back(m);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      std::exit(2);
    }
  }
  if (a.batch <= 0 || a.runs <= 0 || a.conv_split_depth < 0) {
    std::fprintf(stderr, "--batch and --runs must be positive, --conv-split-depth not negative\n");
    std::exit(2);
  }
  return a;
}

// Forwards to a stream and counts the launches.
class CountingLauncher final : public Launcher {
 public:
  explicit CountingLauncher(cudaStream_t stream) : stream_(stream) {}
  cudaError_t launch(const LayerLaunch& l) override {
    ++launches;
    if (!l.label || !*l.label) ++unlabelled;
    return stream_.launch(l);
  }
  std::size_t launches = 0, unlabelled = 0;

 private:
  StreamLauncher stream_;
};

std::unique_ptr<Model> make_or_die(const std::string& name, const ModelOptions& o) {
  std::string error;
  auto model = make_model(name, o, &error);
  if (!model) {
    std::fprintf(stderr, "make_model(%s): %s\n", name.c_str(), error.c_str());
    std::exit(1);
  }
  return model;
}

std::vector<float> download(const Model& m) {
  std::vector<float> host(m.output_elements());
  CUDA_CHECK(
      cudaMemcpy(host.data(), m.output(), host.size() * sizeof(float), cudaMemcpyDeviceToHost));
  return host;
}

bool is_poison(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == 0xFFFFFFFFu;
}

json check_model(const std::string& name, std::uint64_t seed, int conv_split_depth,
                 cudaStream_t stream, bool* ok) {
  ModelOptions o = graph::small_options(name, 2, seed);
  o.softmax = false;  // compare logits: a saturated softmax would hide errors
  o.conv_split_depth = conv_split_depth;
  auto model = make_or_die(name, o);
  graph::Graph g;
  std::string error;
  if (!graph::build_graph(name, o, &g, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  // A fresh input, not the model's default one.
  const std::vector<float> input =
      graph::random_uniform(model->input_elements(), -1.0f, 1.0f, seed, 0xC0FFEE);
  CUDA_CHECK(cudaMemcpy(model->input(), input.data(), input.size() * sizeof(float),
                        cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemset(const_cast<float*>(model->output()), 0xFF,
                        model->output_elements() * sizeof(float)));
  CountingLauncher launcher(stream);
  CUDA_CHECK(model->forward(launcher));
  CUDA_CHECK(cudaStreamSynchronize(stream));
  const std::vector<float> got = download(*model);
  CUDA_CHECK(model->forward(launcher));
  CUDA_CHECK(cudaStreamSynchronize(stream));
  const bool repeatable = download(*model) == got;

  const auto cpu_start = std::chrono::steady_clock::now();
  const std::vector<float> want = graph::run_on_cpu(g, input);
  const double cpu_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - cpu_start).count();

  std::size_t poisoned = 0, nonfinite = 0;
  double diff_sq = 0, ref_sq = 0, max_abs_err = 0, max_ref = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (is_poison(got[i]))
      ++poisoned;
    else if (!std::isfinite(got[i]))
      ++nonfinite;
    const double d = double(got[i]) - want[i];
    diff_sq += d * d;
    ref_sq += double(want[i]) * want[i];
    max_abs_err = std::max(max_abs_err, std::fabs(d));
    max_ref = std::max(max_ref, std::fabs(double(want[i])));
  }
  const double rel_l2 = ref_sq > 0 ? std::sqrt(diff_sq / ref_sq) : std::sqrt(diff_sq);
  const bool launches_ok =
      launcher.launches == 2 * model->kernels_per_inference() && launcher.unlabelled == 0;
  const bool passed = poisoned == 0 && nonfinite == 0 && rel_l2 <= kMaxRelativeL2 && repeatable &&
                      launches_ok && std::isfinite(rel_l2);
  *ok = *ok && passed;
  std::printf("%-13s %5zu %9zu %11.3e %11.3e %6zu %6s %8zu %7.2fs  %s\n", name.c_str(), want.size(),
              model->kernels_per_inference(), rel_l2,
              max_ref > 0 ? max_abs_err / max_ref : max_abs_err, poisoned + nonfinite,
              repeatable ? "yes" : "NO", launcher.launches / 2, cpu_s, passed ? "ok" : "FAIL");
  std::fflush(stdout);
  return json{{"model", name},
              {"batch", o.batch},
              {"input_hw", model->options().input_hw},
              {"seq_len", model->options().seq_len},
              {"output_elements", want.size()},
              {"relative_l2_error", rel_l2},
              {"max_abs_error_over_max_ref", max_ref > 0 ? max_abs_err / max_ref : max_abs_err},
              {"poisoned", poisoned},
              {"nonfinite", nonfinite},
              {"repeatable", repeatable},
              {"launches_per_forward", launcher.launches / 2},
              {"kernels_per_inference", model->kernels_per_inference()},
              {"passed", passed}};
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const std::size_t lo = std::size_t(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

json time_model(const std::string& name, int batch, std::uint64_t seed, int conv_split_depth,
                int runs, cudaStream_t stream, bool* ok) {
  ModelOptions o;
  o.batch = batch;
  o.seed = seed;
  o.conv_split_depth = conv_split_depth;
  const auto create_start = std::chrono::steady_clock::now();
  auto model = make_or_die(name, o);
  const double create_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - create_start).count();
  StreamLauncher launcher(stream);
  CUDA_CHECK(model->forward(launcher));
  CUDA_CHECK(cudaStreamSynchronize(stream));
  const std::vector<float> out = download(*model);
  // Softmax outputs sum to the batch: the sum of squares is the informative one.
  double sum = 0, abs_sum = 0, sq_sum = 0;
  bool finite = true;
  for (float v : out) {
    finite = finite && std::isfinite(v);
    sum += v;
    abs_sum += std::fabs(v);
    sq_sum += double(v) * v;
  }
  *ok = *ok && finite;

  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < kWarmupRuns; ++i) CUDA_CHECK(model->forward(launcher));
  CUDA_CHECK(cudaStreamSynchronize(stream));
  std::vector<double> ms(runs);
  for (int i = 0; i < runs; ++i) {
    CUDA_CHECK(cudaEventRecord(start, stream));
    CUDA_CHECK(model->forward(launcher));
    CUDA_CHECK(cudaEventRecord(stop, stream));
    CUDA_CHECK(cudaEventSynchronize(stop));
    float elapsed = 0;
    CUDA_CHECK(cudaEventElapsedTime(&elapsed, start, stop));
    ms[i] = elapsed;
  }
  CUDA_CHECK(cudaEventDestroy(start));
  CUDA_CHECK(cudaEventDestroy(stop));
  const double median = percentile(ms, 0.5);
  std::printf("%-13s %5d %8zu %11zu %10.3f %10.3f %10.3f %16.6e %6.2fs%s\n", name.c_str(), batch,
              model->kernels_per_inference(), model->parameter_count(), median, percentile(ms, 0.0),
              percentile(ms, 0.9), sq_sum, create_s, finite ? "" : "  NON-FINITE OUTPUT");
  std::fflush(stdout);
  json row{{"model", name},
           {"batch", batch},
           {"seed", seed},
           {"input_hw", model->options().input_hw},
           {"seq_len", model->options().seq_len},
           {"rnn_input", model->options().rnn_input},
           {"rnn_hidden", model->options().rnn_hidden},
           {"rnn_layers", model->options().rnn_layers},
           {"kernels_per_inference", model->kernels_per_inference()},
           {"parameters", model->parameter_count()},
           {"output_elements", out.size()},
           {"checksum_sum", sum},
           {"checksum_abs_sum", abs_sum},
           {"checksum_sq_sum", sq_sum},
           {"finite", finite},
           {"runs", runs},
           {"warmup_runs", kWarmupRuns},
           {"median_ms", median},
           {"min_ms", percentile(ms, 0.0)},
           {"p90_ms", percentile(ms, 0.9)},
           {"max_ms", percentile(ms, 1.0)}};
  // The whole output of the default input at batch 1, and how the weights
  // were drawn, for torch_models_latency.py --check-outputs (the same weights
  // and input in PyTorch).
  if (batch == 1) {
    row["output"] = out;
    // How each weight tensor was drawn (index = random stream), in graph order.
    graph::Graph g;
    std::string error;
    if (!graph::build_graph(name, model->options(), &g, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(1);
    }
    json params = json::array();
    for (const graph::Param& p : g.params) params.push_back({p.name, p.elements, p.lo, p.hi});
    row["params"] = params;
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipping\n");
    return kSkipExitCode;
  }
  for (const std::string& m : args.models) {
    const auto names = model_names();
    if (std::find(names.begin(), names.end(), m) == names.end()) {
      std::fprintf(stderr, "unknown model %s\n", m.c_str());
      return 2;
    }
  }
  if (args.seed == 0)
    args.seed = std::uint64_t(std::chrono::system_clock::now().time_since_epoch().count());
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  int runtime = 0, driver = 0;
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  std::printf("card: %s (%d SMs), seed %llu (replay with --seed), conv split depth %d\n",
              prop.name, prop.multiProcessorCount, static_cast<unsigned long long>(args.seed),
              args.conv_split_depth);
  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  bool ok = true;
  json result{{"card", prop.name},       {"sms", prop.multiProcessorCount},
              {"cuda_runtime", runtime}, {"cuda_driver", driver},
              {"seed", args.seed},       {"max_relative_l2_error", kMaxRelativeL2},
              {"conv_split_depth", args.conv_split_depth}};
  if (args.check) {
    std::printf(
        "\nGPU vs CPU reference at small shapes (batch 2, logits), tolerance: relative L2 <= "
        "%.0e\n",
        kMaxRelativeL2);
    std::printf("%-13s %5s %9s %11s %11s %6s %6s %8s %8s\n", "model", "out", "kernels", "rel_l2",
                "max_err/max", "unset", "repeat", "launches", "cpu");
    json checks = json::array();
    for (const std::string& m : args.models)
      checks.push_back(check_model(m, args.seed, args.conv_split_depth, stream, &ok));
    result["check"] = checks;
  }
  if (args.timing) {
    std::printf("\nFull shapes: solo latency, CUDA events around forward(), %d warm-up, %d runs\n",
                kWarmupRuns, args.runs);
    std::printf("%-13s %5s %8s %11s %10s %10s %10s %16s %7s\n", "model", "batch", "kernels",
                "params", "median_ms", "min_ms", "p90_ms", "checksum_sq_sum", "create");
    json timings = json::array();
    for (const std::string& m : args.models) {
      timings.push_back(time_model(m, 1, 1, args.conv_split_depth, args.runs, stream, &ok));
      if (args.batch != 1)
        timings.push_back(
            time_model(m, args.batch, 1, args.conv_split_depth, args.runs, stream, &ok));
    }
    result["latency"] = timings;
  }
  result["passed"] = ok;
  CUDA_CHECK(cudaStreamDestroy(stream));
  if (!args.out.empty()) {
    std::ofstream f(args.out);
    f << result.dump(2) << "\n";
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", args.out.c_str());
      return 1;
    }
  }
  std::printf("\n%s\n", ok ? "all models passed" : "FAILED");
  return ok ? 0 : 1;
}
