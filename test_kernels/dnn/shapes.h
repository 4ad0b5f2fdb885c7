#pragma once
// Layer shapes shared by the GPU launchers (layers.cuh) and the CPU reference
// (reference.h). Plain C++: no CUDA types here, so the reference builds anywhere.
// All tensors are fp32, dense, NCHW; element counts must stay below 2^31
// because the kernels index with int.

namespace miriam::dnn {

// Activation fused into a layer's epilogue. Kernels take it as a plain int.
enum class Activation : int { None = 0, Relu = 1, Relu6 = 2 };

// Output length of a sliding window (conv or pool) along one axis. ceil_mode
// follows PyTorch: a last, partial window counts only if it starts inside the
// input or its left padding.
inline int window_output_size(int in, int window, int stride, int pad, bool ceil_mode = false) {
  const int span = in + 2 * pad - window;
  int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Convolution: input [n][c][h][w], weight [k][c][r][s], output [n][k][p][q].
// Depthwise convolution uses the same shape with k == c and weight [c][1][r][s].
struct Conv2dShape {
  int n = 1, c = 1, h = 1, w = 1;  // input
  int k = 1, r = 1, s = 1;         // output channels, filter height and width
  int stride = 1, pad = 0;         // same along both axes (true for all our models)
  int p() const { return window_output_size(h, r, stride, pad); }
  int q() const { return window_output_size(w, s, stride, pad); }
  int gemm_k() const { return c * r * s; }  // reduction length of the GEMM view
};

// Pooling window over input [n][c][h][w], output [n][c][p][q].
struct Pool2dShape {
  int n = 1, c = 1, h = 1, w = 1;
  int r = 2, s = 2;  // window height and width
  int stride = 2, pad = 0;
  bool ceil_mode = false;
  int p() const { return window_output_size(h, r, stride, pad, ceil_mode); }
  int q() const { return window_output_size(w, s, stride, pad, ceil_mode); }
};

// Fully connected layer as GEMM: C[m][n] = A[m][k] * B[n][k]^T + bias[n].
// A holds activations (one row per sample), B the weights in PyTorch's
// [out_features][in_features] layout.
struct GemmShape {
  int m = 1, n = 1, k = 1;
};

// Local response normalisation across channels (PyTorch LocalResponseNorm):
// out = in / (k + alpha / size * sum over the size-channel window of in^2)^beta.
struct LrnParams {
  int size = 5;
  float alpha = 1e-4f, beta = 0.75f, k = 1.0f;
};

}  // namespace miriam::dnn
