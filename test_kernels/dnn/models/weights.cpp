#include "dnn/models/weights.h"

#include "dnn/reference.h"

namespace miriam::dnn::graph {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr std::uint64_t kInputStream = ~0ull;  // params use their index

// PyTorch's adaptive pooling window along one axis: [floor(i*in/out), ceil((i+1)*in/out)).
int window_start(int i, int in, int out) { return (i * in) / out; }
int window_end(int i, int in, int out) { return ((i + 1) * in + out - 1) / out; }

}  // namespace

std::vector<float> random_uniform(std::size_t n, float lo, float hi, std::uint64_t seed,
                                  std::uint64_t stream) {
  std::uint64_t state = seed;
  state = splitmix64(state) ^ (stream * 0xD1B54A32D192ED03ull);
  std::vector<float> v(n);
  const double span = double(hi) - lo;
  for (float& x : v) x = float(lo + span * double(splitmix64(state) >> 40) * 0x1.0p-24);
  return v;
}

std::vector<float> param_values(const Graph& g, int param) {
  const Param& p = g.params.at(param);
  return random_uniform(p.elements, p.lo, p.hi, g.options.seed, std::uint64_t(param));
}

FoldedWeights folded_weights(const Graph& g, int layer) {
  const LayerWeights& lw = g.layers.at(layer);
  FoldedWeights f;
  f.weight = param_values(g, lw.weight);
  if (lw.bias >= 0) f.bias = param_values(g, lw.bias);
  if (lw.bn < 0) return f;
  const int k = lw.out_channels;
  const auto gamma = param_values(g, lw.bn), beta = param_values(g, lw.bn + 1),
             mean = param_values(g, lw.bn + 2), var = param_values(g, lw.bn + 3);
  std::vector<float> scale(k), shift(k);
  ref::fold_batch_norm(k, gamma.data(), beta.data(), mean.data(), var.data(), lw.bn_eps,
                       scale.data(), shift.data());
  const std::size_t per_channel = f.weight.size() / k;
  for (int ch = 0; ch < k; ++ch)
    for (std::size_t i = 0; i < per_channel; ++i) f.weight[ch * per_channel + i] *= scale[ch];
  if (f.bias.empty()) f.bias.assign(k, 0.0f);
  for (int ch = 0; ch < k; ++ch) f.bias[ch] = f.bias[ch] * scale[ch] + shift[ch];
  return f;
}

std::vector<float> default_input(const Graph& g) {
  return random_uniform(g.input_shape.elements(), -1.0f, 1.0f, g.options.seed, kInputStream);
}

std::vector<float> adaptive_pool_matrix(int h, int w, int out_h, int out_w) {
  std::vector<float> m(std::size_t(out_h) * out_w * h * w, 0.0f);
  for (int oy = 0; oy < out_h; ++oy)
    for (int ox = 0; ox < out_w; ++ox) {
      const int y0 = window_start(oy, h, out_h), y1 = window_end(oy, h, out_h);
      const int x0 = window_start(ox, w, out_w), x1 = window_end(ox, w, out_w);
      const float weight = 1.0f / float((y1 - y0) * (x1 - x0));
      float* row = &m[(std::size_t(oy) * out_w + ox) * h * w];
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) row[y * w + x] = weight;
    }
  return m;
}

}  // namespace miriam::dnn::graph
