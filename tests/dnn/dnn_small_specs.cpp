#include "dnn_small_specs.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "dnn/shapes.h"
#include "resolve.h"

namespace miriam::dnn_small {
namespace {

using check::ArgSpec;
using check::LaunchSpec;
using Dim3 = std::array<unsigned, 3>;

// Launch geometry of layers_kernels.cuh.
constexpr long long kTile = 32;       // kDnnTile
constexpr unsigned kTileThreads = 16;  // kDnnThreadsXY
constexpr long long kThreads = 256;   // kDnnElementwiseThreads == kDnnReduceThreads

struct BadArgs : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The int scalars and buffer element counts of a launch, by argument index.
class Args {
 public:
  explicit Args(const LaunchSpec& spec) : spec_(spec) {}
  long long i(std::size_t index) const {
    const ArgSpec& a = at(index);
    if (a.kind != ArgSpec::Kind::Scalar || a.type != check::ElemType::Int)
      throw BadArgs(fmt::format("arg{} must be an int scalar", index));
    std::int32_t v;
    std::memcpy(&v, a.scalar.data(), sizeof v);
    return v;
  }
  long long count(std::size_t index) const {
    const ArgSpec& a = at(index);
    if (a.kind != ArgSpec::Kind::Buffer || a.type != check::ElemType::Float)
      throw BadArgs(fmt::format("arg{} must be a float buffer", index));
    return static_cast<long long>(spec_.buffers.at(a.buffer).count);
  }

 private:
  const ArgSpec& at(std::size_t index) const {
    if (index >= spec_.args.size()) throw BadArgs(fmt::format("arg{} missing", index));
    return spec_.args[index];
  }
  const LaunchSpec& spec_;
};

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// What the launcher would do for these arguments, and the edges the shape must hit.
struct Expected {
  Dim3 grid{1, 1, 1};
  Dim3 block{1, 1, 1};
  std::vector<std::pair<std::size_t, long long>> buffers;  // (arg index, element count)
  std::vector<std::pair<bool, std::string>> edges;         // (holds, what it means)
  long long batch = 0;
  unsigned grid_dims = 1;  // grid dimensions the kernel tiles over
};

Expected elementwise(long long count) {
  Expected e;
  e.grid = {static_cast<unsigned>(ceil_div(count, kThreads)), 1, 1};
  e.block = {kThreads, 1, 1};
  e.edges.push_back({count % kThreads != 0, fmt::format("{} outputs leave the last block partial", count)});
  return e;
}

Expected per_row(long long rows, long long row_length) {
  Expected e;
  e.grid = {static_cast<unsigned>(rows), 1, 1};
  e.block = {kThreads, 1, 1};
  e.edges.push_back({row_length % kThreads != 0, fmt::format("row length {} leaves a partial strided pass", row_length)});
  return e;
}

// Output size along one axis: floor or, for the pools, PyTorch's ceil mode.
bool window_matches(long long out, long long in, long long window, long long stride, long long pad, bool allow_ceil) {
  return out == dnn::window_output_size(in, window, stride, pad, false) ||
         (allow_ceil && out == dnn::window_output_size(in, window, stride, pad, true));
}

void check_window(const Args& a, std::size_t h, std::size_t r, std::size_t p, std::size_t stride, bool allow_ceil) {
  // (h, w), (r, s), (p, q) are consecutive arguments; stride and pad follow each other.
  for (std::size_t axis = 0; axis < 2; ++axis)
    if (!window_matches(a.i(p + axis), a.i(h + axis), a.i(r + axis), a.i(stride), a.i(stride + 1), allow_ceil))
      throw BadArgs(fmt::format("arg{} = {} is not the output size of input {}, window {}, stride {}, pad {}", p + axis,
                                a.i(p + axis), a.i(h + axis), a.i(r + axis), a.i(stride), a.i(stride + 1)));
}

// in, weight, bias, out, n, c, h, w, k, r, s, p, q, stride, pad, act
Expected conv_implicit_gemm(const Args& a) {
  check_window(a, 6, 9, 11, 13, false);
  const long long n = a.i(4), c = a.i(5), k = a.i(8), pq = a.i(11) * a.i(12), gemm_k = c * a.i(9) * a.i(10);
  Expected e;
  e.grid = {static_cast<unsigned>(ceil_div(n * pq, kTile)), static_cast<unsigned>(ceil_div(k, kTile)), 1};
  e.block = {kTileThreads, kTileThreads, 1};
  e.grid_dims = 2;
  e.buffers = {{0, n * c * a.i(6) * a.i(7)}, {1, k * gemm_k}, {2, k}, {3, n * k * pq}};
  e.edges = {{(n * pq) % kTile != 0, "output columns leave a partial column tile"},
             {k % kTile != 0, "output channels leave a partial channel tile"},
             {gemm_k > kTile && gemm_k % kTile != 0, "c*r*s takes several K steps, the last partial"}};
  e.batch = n;
  return e;
}

// in, weight, partial, n, c, h, w, k, r, s, p, q, stride, pad, split_depth
Expected conv_split_partial(const Args& a) {
  check_window(a, 5, 8, 10, 12, false);
  const long long n = a.i(3), c = a.i(4), k = a.i(7), pq = a.i(10) * a.i(11), gemm_k = c * a.i(8) * a.i(9);
  const long long depth = a.i(14);
  if (depth <= 0 || depth % kTile != 0 || depth >= gemm_k)
    throw BadArgs(fmt::format("split_depth {} must be a positive multiple of {} below c*r*s = {}", depth, kTile, gemm_k));
  const long long splits = ceil_div(gemm_k, depth);
  Expected e;
  e.grid = {static_cast<unsigned>(ceil_div(n * pq, kTile)), static_cast<unsigned>(ceil_div(k, kTile)),
            static_cast<unsigned>(splits)};
  e.block = {kTileThreads, kTileThreads, 1};
  e.grid_dims = 3;
  e.buffers = {{0, n * c * a.i(5) * a.i(6)}, {1, k * gemm_k}, {2, splits * n * k * pq}};
  e.edges = {{(n * pq) % kTile != 0, "output columns leave a partial column tile"},
             {k % kTile != 0, "output channels leave a partial channel tile"},
             {depth > kTile, "each split takes several K steps"},
             {gemm_k % depth != 0, "the last split is partial"}};
  e.batch = n;
  return e;
}

// partial, bias, out, count, k, pq, splits, act
Expected conv_split_reduce(const Args& a) {
  const long long count = a.i(3), k = a.i(4), pq = a.i(5), splits = a.i(6);
  if (k <= 0 || pq <= 0 || count % (k * pq) != 0)
    throw BadArgs(fmt::format("count {} is not a whole number of k*p*q = {} images", count, k * pq));
  Expected e = elementwise(count);
  e.buffers = {{0, splits * count}, {1, k}, {2, count}};
  e.edges.push_back({splits > 2, "more than two partials per output"});
  e.batch = count / (k * pq);
  return e;
}

Expected conv_direct(const Args& a) {
  check_window(a, 6, 9, 11, 13, false);
  const long long n = a.i(4), c = a.i(5), k = a.i(8), pq = a.i(11) * a.i(12);
  Expected e = elementwise(n * k * pq);
  e.buffers = {{0, n * c * a.i(6) * a.i(7)}, {1, k * c * a.i(9) * a.i(10)}, {2, k}, {3, n * k * pq}};
  e.batch = n;
  return e;
}

// in, weight, bias, out, n, c, h, w, r, s, p, q, stride, pad, act
Expected depthwise(const Args& a) {
  check_window(a, 6, 8, 10, 12, false);
  const long long n = a.i(4), c = a.i(5), pq = a.i(10) * a.i(11);
  Expected e = elementwise(n * c * pq);
  e.buffers = {{0, n * c * a.i(6) * a.i(7)}, {1, c * a.i(8) * a.i(9)}, {2, c}, {3, n * c * pq}};
  e.batch = n;
  return e;
}

// a, b, bias, c, m, n, k, act: C[m][n] = A[m][k] * B[n][k]^T
Expected gemm(const Args& a) {
  const long long m = a.i(4), n = a.i(5), k = a.i(6);
  Expected e;
  e.grid = {static_cast<unsigned>(ceil_div(n, kTile)), static_cast<unsigned>(ceil_div(m, kTile)), 1};
  e.block = {kTileThreads, kTileThreads, 1};
  e.grid_dims = 2;
  e.buffers = {{0, m * k}, {1, n * k}, {2, n}, {3, m * n}};
  e.edges = {{m % kTile != 0, "rows leave a partial tile"},
             {n % kTile != 0, "columns leave a partial tile"},
             {k > kTile && k % kTile != 0, "k takes several K steps, the last partial"}};
  e.batch = m;
  return e;
}

// in, out, n, c, h, w, r, s, p, q, stride, pad
Expected pool(const Args& a) {
  check_window(a, 4, 6, 8, 10, true);
  const long long n = a.i(2), c = a.i(3), pq = a.i(8) * a.i(9);
  Expected e = elementwise(n * c * pq);
  e.buffers = {{0, n * c * a.i(4) * a.i(5)}, {1, n * c * pq}};
  e.batch = n;
  return e;
}

// in, out, planes, hw
Expected global_avg_pool(const Args& a) {
  const long long planes = a.i(2), hw = a.i(3);
  Expected e = per_row(planes, hw);
  e.buffers = {{0, planes * hw}, {1, planes}};
  e.batch = planes;
  return e;
}

// in, out, rows, cols
Expected softmax(const Args& a) {
  const long long rows = a.i(2), cols = a.i(3);
  Expected e = per_row(rows, cols);
  e.buffers = {{0, rows * cols}, {1, rows * cols}};
  e.batch = rows;
  return e;
}

// in, scale, bias, out, n, c, hw, act
Expected scale_bias_act(const Args& a) {
  const long long n = a.i(4), c = a.i(5), count = n * c * a.i(6);
  Expected e = elementwise(count);
  e.buffers = {{0, count}, {1, c}, {2, c}, {3, count}};
  e.batch = n;
  return e;
}

// a, b, out, count, act
Expected residual_add(const Args& a) {
  const long long count = a.i(3);
  Expected e = elementwise(count);
  e.buffers = {{0, count}, {1, count}, {2, count}};
  e.batch = 2;  // a flat count has no batch of its own
  return e;
}

// a, b, out, n, ca, cb, hw
Expected concat(const Args& a) {
  const long long n = a.i(3), ca = a.i(4), cb = a.i(5), hw = a.i(6);
  Expected e = elementwise(n * (ca + cb) * hw);
  e.buffers = {{0, n * ca * hw}, {1, n * cb * hw}, {2, n * (ca + cb) * hw}};
  e.batch = n;
  return e;
}

// in, out, n, c, hw, size, alpha, beta, k
Expected lrn(const Args& a) {
  const long long n = a.i(2), count = n * a.i(3) * a.i(4), size = a.i(5);
  Expected e = elementwise(count);
  e.buffers = {{0, count}, {1, count}};
  e.edges.push_back({(size - 1) / 2 > 0, "the channel window is clipped at the first and last channels"});
  e.batch = n;
  return e;
}

// gates_x, gates_h, state_prev, outputs..., batch, hidden: `gates` gates per row.
Expected rnn_cell(const Args& a, long long gates, std::size_t outputs) {
  const std::size_t b = 3 + outputs;
  const long long batch = a.i(b), hidden = a.i(b + 1);
  Expected e = elementwise(batch * hidden);
  e.buffers = {{0, batch * gates * hidden}, {1, batch * gates * hidden}, {2, batch * hidden}};
  for (std::size_t o = 0; o < outputs; ++o) e.buffers.push_back({3 + o, batch * hidden});
  e.batch = batch;
  return e;
}

const std::map<std::string, std::function<Expected(const Args&)>>& rules() {
  static const std::map<std::string, std::function<Expected(const Args&)>> table = {
      {"dnn_conv2d_implicit_gemm", conv_implicit_gemm},
      {"dnn_conv2d_implicit_gemm_partial", conv_split_partial},
      {"dnn_conv2d_split_reduce", conv_split_reduce},
      {"dnn_conv2d_direct", conv_direct},
      {"dnn_depthwise_conv2d", depthwise},
      {"dnn_gemm_bias_act", gemm},
      {"dnn_max_pool2d", pool},
      {"dnn_avg_pool2d", pool},
      {"dnn_global_avg_pool", global_avg_pool},
      {"dnn_scale_bias_act", scale_bias_act},
      {"dnn_residual_add", residual_add},
      {"dnn_concat_channels", concat},
      {"dnn_lrn", lrn},
      {"dnn_softmax_rows", softmax},
      {"dnn_lstm_cell", [](const Args& a) { return rnn_cell(a, 4, 2); }},
      {"dnn_gru_cell", [](const Args& a) { return rnn_cell(a, 3, 1); }},
  };
  return table;
}

std::string dims(const Dim3& d) { return fmt::format("({}, {}, {})", d[0], d[1], d[2]); }

}  // namespace

std::vector<std::string> known_kernels() {
  std::vector<std::string> out;
  for (const auto& [name, rule] : rules()) out.push_back(name);
  return out;
}

std::vector<std::string> launch_problems(const LaunchSpec& spec) {
  const std::string where = fmt::format("{}: launches[{}] {}", spec.file, spec.index, spec.kernel);
  const auto rule = rules().find(spec.kernel);
  if (rule == rules().end())
    return {fmt::format("{}: no shape rule for this kernel (add one to tests/dnn/dnn_small_specs.cpp)", where)};
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what) { problems.push_back(fmt::format("{}: {}", where, what)); };
  try {
    const Args args(spec);
    const Expected e = rule->second(args);
    if (spec.grid != e.grid) problem(fmt::format("grid {}, the launcher gives {}", dims(spec.grid), dims(e.grid)));
    if (spec.block != e.block) problem(fmt::format("block {}, the launcher gives {}", dims(spec.block), dims(e.block)));
    for (const auto& [index, count] : e.buffers)
      if (args.count(index) != count)
        problem(fmt::format("arg{} holds {} elements, the kernel touches {} (memcheck needs the exact size)", index,
                            args.count(index), count));
    for (unsigned d = 0; d < e.grid_dims; ++d)
      if (spec.grid[d] < 2) problem(fmt::format("grid dimension {} has {} block(s), at least 2 needed", d, spec.grid[d]));
    for (const auto& [holds, what] : e.edges)
      if (!holds) problem(fmt::format("edge not exercised: {}", what));
    if (e.batch < 2) problem(fmt::format("batch {}, at least 2 needed", e.batch));
    // Shrunk runs f = 2, 4, 8 only where f divides the outermost extent > 1.
    const unsigned outer = spec.block[2] > 1 ? spec.block[2] : spec.block[1] > 1 ? spec.block[1] : spec.block[0];
    if (outer % 8 != 0) problem(fmt::format("block {}: shrink factors 2, 4, 8 do not all divide it", dims(spec.block)));
  } catch (const BadArgs& e) {
    problem(e.what());
  }
  return problems;
}

std::vector<std::string> spec_set_problems(const std::vector<LaunchSpec>& specs, const check::ManifestView& manifests) {
  std::vector<std::string> problems;
  std::set<std::string> launched;
  for (const LaunchSpec& spec : specs) {
    const std::string where = fmt::format("{}: launches[{}] {}", spec.file, spec.index, spec.kernel);
    launched.insert(spec.kernel);
    const check::ManifestEntry* entry = manifests.find(spec.kernel, spec.template_args);
    if (!entry) {
      problems.push_back(fmt::format("{}: not in the manifests", where));
    } else if (const std::string bad = check::check_arguments(spec, *entry); !bad.empty()) {
      problems.push_back(fmt::format("{}: {}", where, bad));
    }
    for (std::string& p : launch_problems(spec)) problems.push_back(std::move(p));
  }
  for (const check::ManifestEntry& entry : manifests.entries())
    if (!entry.variants.empty() && !launched.count(entry.qualified_name))
      problems.push_back(fmt::format("{} ({}): has elastic variants but no launch in the small spec set, so no "
                                     "sanitizer checks them",
                                     entry.qualified_name, entry.manifest));
  return problems;
}

}  // namespace miriam::dnn_small
