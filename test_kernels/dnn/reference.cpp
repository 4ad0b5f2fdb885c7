// CPU reference layers. Written for obviousness, not speed: each output is a
// direct transcription of the layer's definition.
#include "reference.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace miriam::dnn::ref {
namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

float activate(float v, Activation act) {
  switch (act) {
    case Activation::Relu: return std::max(v, 0.0f);
    case Activation::Relu6: return std::min(std::max(v, 0.0f), 6.0f);
    case Activation::None: break;
  }
  return v;
}

void conv2d(const Conv2dShape& sh, const float* in, const float* weight, const float* bias,
            float* out, Activation act) {
  const int p = sh.p(), q = sh.q();
  for (int n = 0; n < sh.n; ++n)
    for (int k = 0; k < sh.k; ++k)
      for (int op = 0; op < p; ++op)
        for (int oq = 0; oq < q; ++oq) {
          double acc = bias ? bias[k] : 0.0;
          for (int c = 0; c < sh.c; ++c)
            for (int kr = 0; kr < sh.r; ++kr)
              for (int ks = 0; ks < sh.s; ++ks) {
                const int ih = op * sh.stride - sh.pad + kr;
                const int iw = oq * sh.stride - sh.pad + ks;
                if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;  // zero padding
                const double x = in[((std::size_t(n) * sh.c + c) * sh.h + ih) * sh.w + iw];
                const double wt = weight[((std::size_t(k) * sh.c + c) * sh.r + kr) * sh.s + ks];
                acc += x * wt;
              }
          out[((std::size_t(n) * sh.k + k) * p + op) * q + oq] =
              activate(static_cast<float>(acc), act);
        }
}

void depthwise_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                      const float* bias, float* out, Activation act) {
  const int p = sh.p(), q = sh.q();
  for (int n = 0; n < sh.n; ++n)
    for (int c = 0; c < sh.c; ++c)
      for (int op = 0; op < p; ++op)
        for (int oq = 0; oq < q; ++oq) {
          double acc = bias ? bias[c] : 0.0;
          for (int kr = 0; kr < sh.r; ++kr)
            for (int ks = 0; ks < sh.s; ++ks) {
              const int ih = op * sh.stride - sh.pad + kr;
              const int iw = oq * sh.stride - sh.pad + ks;
              if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
              acc += double(in[((std::size_t(n) * sh.c + c) * sh.h + ih) * sh.w + iw]) *
                     weight[(std::size_t(c) * sh.r + kr) * sh.s + ks];
            }
          out[((std::size_t(n) * sh.c + c) * p + op) * q + oq] =
              activate(static_cast<float>(acc), act);
        }
}

void gemm(const GemmShape& sh, const float* a, const float* b, const float* bias, float* c,
          Activation act) {
  for (int i = 0; i < sh.m; ++i)
    for (int j = 0; j < sh.n; ++j) {
      double acc = bias ? bias[j] : 0.0;
      for (int t = 0; t < sh.k; ++t)
        acc += double(a[std::size_t(i) * sh.k + t]) * b[std::size_t(j) * sh.k + t];
      c[std::size_t(i) * sh.n + j] = activate(static_cast<float>(acc), act);
    }
}

void max_pool2d(const Pool2dShape& sh, const float* in, float* out) {
  const int p = sh.p(), q = sh.q();
  for (int plane = 0; plane < sh.n * sh.c; ++plane)
    for (int op = 0; op < p; ++op)
      for (int oq = 0; oq < q; ++oq) {
        float best = -std::numeric_limits<float>::infinity();
        for (int kr = 0; kr < sh.r; ++kr)
          for (int ks = 0; ks < sh.s; ++ks) {
            const int ih = op * sh.stride - sh.pad + kr;
            const int iw = oq * sh.stride - sh.pad + ks;
            if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;  // padding never wins
            best = std::max(best, in[(std::size_t(plane) * sh.h + ih) * sh.w + iw]);
          }
        out[(std::size_t(plane) * p + op) * q + oq] = best;
      }
}

void avg_pool2d(const Pool2dShape& sh, const float* in, float* out) {
  const int p = sh.p(), q = sh.q();
  for (int plane = 0; plane < sh.n * sh.c; ++plane)
    for (int op = 0; op < p; ++op)
      for (int oq = 0; oq < q; ++oq) {
        double sum = 0.0;
        int divisor = 0;  // window cells inside the padded input
        for (int kr = 0; kr < sh.r; ++kr)
          for (int ks = 0; ks < sh.s; ++ks) {
            const int ih = op * sh.stride - sh.pad + kr;
            const int iw = oq * sh.stride - sh.pad + ks;
            if (ih >= sh.h + sh.pad || iw >= sh.w + sh.pad) continue;  // past the padding
            ++divisor;
            if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;  // padding adds 0
            sum += in[(std::size_t(plane) * sh.h + ih) * sh.w + iw];
          }
        out[(std::size_t(plane) * p + op) * q + oq] = static_cast<float>(sum / divisor);
      }
}

void global_avg_pool(int planes, int hw, const float* in, float* out) {
  for (int plane = 0; plane < planes; ++plane) {
    double sum = 0.0;
    for (int i = 0; i < hw; ++i) sum += in[std::size_t(plane) * hw + i];
    out[plane] = static_cast<float>(sum / hw);
  }
}

void fold_batch_norm(int c, const float* gamma, const float* beta, const float* mean,
                     const float* var, float eps, float* scale, float* bias) {
  for (int ch = 0; ch < c; ++ch) {
    const double s = gamma[ch] / std::sqrt(double(var[ch]) + eps);
    scale[ch] = static_cast<float>(s);
    bias[ch] = static_cast<float>(beta[ch] - mean[ch] * s);
  }
}

void scale_bias_act(int n, int c, int hw, const float* in, const float* scale, const float* bias,
                    float* out, Activation act) {
  for (int image = 0; image < n; ++image)
    for (int ch = 0; ch < c; ++ch)
      for (int i = 0; i < hw; ++i) {
        const std::size_t idx = (std::size_t(image) * c + ch) * hw + i;
        out[idx] = activate(in[idx] * scale[ch] + bias[ch], act);
      }
}

void residual_add(int count, const float* a, const float* b, float* out, Activation act) {
  for (int i = 0; i < count; ++i) out[i] = activate(a[i] + b[i], act);
}

void concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b, float* out) {
  const std::size_t a_image = std::size_t(ca) * hw, b_image = std::size_t(cb) * hw;
  for (int image = 0; image < n; ++image) {
    float* dst = out + image * (a_image + b_image);
    std::copy(a + image * a_image, a + (image + 1) * a_image, dst);
    std::copy(b + image * b_image, b + (image + 1) * b_image, dst + a_image);
  }
}

void lrn(int n, int c, int hw, const LrnParams& prm, const float* in, float* out) {
  for (int image = 0; image < n; ++image)
    for (int ch = 0; ch < c; ++ch)
      for (int i = 0; i < hw; ++i) {
        double sum_sq = 0.0;
        for (int cc = ch - prm.size / 2; cc <= ch + (prm.size - 1) / 2; ++cc) {
          if (cc < 0 || cc >= c) continue;
          const double v = in[(std::size_t(image) * c + cc) * hw + i];
          sum_sq += v * v;
        }
        const std::size_t idx = (std::size_t(image) * c + ch) * hw + i;
        const double denom = std::pow(prm.k + prm.alpha / prm.size * sum_sq, double(prm.beta));
        out[idx] = static_cast<float>(in[idx] / denom);
      }
}

void softmax_rows(int rows, int cols, const float* in, float* out) {
  for (int r = 0; r < rows; ++r) {
    const float* x = in + std::size_t(r) * cols;
    float* y = out + std::size_t(r) * cols;
    const double mx = *std::max_element(x, x + cols);  // shift for stability
    double sum = 0.0;
    for (int i = 0; i < cols; ++i) sum += std::exp(x[i] - mx);
    for (int i = 0; i < cols; ++i) y[i] = static_cast<float>(std::exp(x[i] - mx) / sum);
  }
}

void lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
               const float* c_prev, float* h_out, float* c_out) {
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < hidden; ++j) {
      const std::size_t row = std::size_t(b) * 4 * hidden;
      auto gate = [&](int g) {
        return double(gates_x[row + g * hidden + j]) + gates_h[row + g * hidden + j];
      };
      const double i = sigmoid(gate(0)), f = sigmoid(gate(1));
      const double g = std::tanh(gate(2)), o = sigmoid(gate(3));
      const std::size_t idx = std::size_t(b) * hidden + j;
      const double cell = f * c_prev[idx] + i * g;
      c_out[idx] = static_cast<float>(cell);
      h_out[idx] = static_cast<float>(o * std::tanh(cell));
    }
}

void gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
              const float* h_prev, float* h_out) {
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < hidden; ++j) {
      const std::size_t row = std::size_t(b) * 3 * hidden;
      const double r = sigmoid(double(gates_x[row + j]) + gates_h[row + j]);
      const double z = sigmoid(double(gates_x[row + hidden + j]) + gates_h[row + hidden + j]);
      const double n_gate =
          std::tanh(double(gates_x[row + 2 * hidden + j]) + r * gates_h[row + 2 * hidden + j]);
      const std::size_t idx = std::size_t(b) * hidden + j;
      h_out[idx] = static_cast<float>((1.0 - z) * n_gate + z * h_prev[idx]);
    }
}

}  // namespace miriam::dnn::ref
