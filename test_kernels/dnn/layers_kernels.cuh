#pragma once
// Declarations of the fp32 layer kernels defined in layers.cu, and the launch
// geometry they assume. Host code should call the wrappers in layers.cuh; this
// header exists so the wrappers (layers_launch.cu) can live in a separate file
// from the kernels, which miriamc rewrites.
//
// Conventions: NCHW tensors, raw pointers, int shapes; `act` is a
// miriam::dnn::Activation value (0 none, 1 ReLU, 2 ReLU6); `bias` may be null.
#include <cuda_runtime.h>

// Implicit-GEMM convolution and GEMM: kDnnTile x kDnnTile outputs per block,
// kDnnTile-deep K steps through shared memory, a kDnnThreadsXY^2 block where
// each thread owns a 2x2 sub-tile strided by kDnnThreadsXY.
constexpr int kDnnTile = 32;
constexpr int kDnnThreadsXY = 16;
// Elementwise kernels: one thread per output element.
constexpr int kDnnElementwiseThreads = 256;
// Row/plane reductions (global average pool, softmax): one block per row,
// a shared-memory tree that needs exactly this many threads.
constexpr int kDnnReduceThreads = 256;

// --- convolution -------------------------------------------------------------
// grid (ceil(n*p*q/256)), block 256: one thread per output element.
__global__ void dnn_conv2d_direct(const float* in, const float* weight, const float* bias,
                                  float* out, int n, int c, int h, int w, int k, int r, int s,
                                  int p, int q, int stride, int pad, int act);
// grid (ceil(n*p*q/32), ceil(k/32)), block (16, 16).
__global__ void dnn_conv2d_implicit_gemm(const float* in, const float* weight, const float* bias,
                                         float* out, int n, int c, int h, int w, int k, int r,
                                         int s, int p, int q, int stride, int pad, int act);
// Split-K implicit GEMM (dnn/conv_split.h): grid (ceil(n*p*q/32), ceil(k/32),
// splits), block (16, 16); partial [splits][n][k][p][q], raw sums.
__global__ void dnn_conv2d_implicit_gemm_partial(const float* in, const float* weight,
                                                 float* partial, int n, int c, int h, int w,
                                                 int k, int r, int s, int p, int q, int stride,
                                                 int pad, int split_depth);
// Sums the splits in order, adds bias, applies act; count = n*k*p*q, pq = p*q.
// grid (ceil(count/256)), block 256.
__global__ void dnn_conv2d_split_reduce(const float* partial, const float* bias, float* out,
                                        int count, int k, int pq, int splits, int act);
// grid (ceil(n*c*p*q/256)), block 256; weight [c][1][r][s].
__global__ void dnn_depthwise_conv2d(const float* in, const float* weight, const float* bias,
                                     float* out, int n, int c, int h, int w, int r, int s, int p,
                                     int q, int stride, int pad, int act);

// --- fully connected -----------------------------------------------------------
// C[m][n] = A[m][k] * B[n][k]^T + bias[n]; grid (ceil(n/32), ceil(m/32)), block (16, 16).
__global__ void dnn_gemm_bias_act(const float* a, const float* b, const float* bias, float* c,
                                  int m, int n, int k, int act);

// --- pooling -------------------------------------------------------------------
// grid (ceil(n*c*p*q/256)), block 256. Padding never wins a max.
__global__ void dnn_max_pool2d(const float* in, float* out, int n, int c, int h, int w, int r,
                               int s, int p, int q, int stride, int pad);
// Divides by the window clipped to the padded input (PyTorch count_include_pad=True).
__global__ void dnn_avg_pool2d(const float* in, float* out, int n, int c, int h, int w, int r,
                               int s, int p, int q, int stride, int pad);
// out[plane] = mean of in[plane][0..hw); grid (planes), block kDnnReduceThreads.
__global__ void dnn_global_avg_pool(const float* in, float* out, int planes, int hw);

// --- elementwise -----------------------------------------------------------------
// Folded batch norm: out = act(in * scale[ch] + bias[ch]); in == out allowed.
__global__ void dnn_scale_bias_act(const float* in, const float* scale, const float* bias,
                                   float* out, int n, int c, int hw, int act);
// out = act(a + b) over count elements (ResNet shortcut).
__global__ void dnn_residual_add(const float* a, const float* b, float* out, int count, int act);
// out[n][ca+cb][hw] = a[n][ca][hw] followed by b[n][cb][hw] (SqueezeNet fire).
__global__ void dnn_concat_channels(const float* a, const float* b, float* out, int n, int ca,
                                    int cb, int hw);
// Cross-channel local response normalisation (CifarNet).
__global__ void dnn_lrn(const float* in, float* out, int n, int c, int hw, int size, float alpha,
                        float beta, float k);

// --- rows ------------------------------------------------------------------------
// Numerically stable softmax of each row; grid (rows), block kDnnReduceThreads.
__global__ void dnn_softmax_rows(const float* in, float* out, int rows, int cols);

// --- recurrent cells ---------------------------------------------------------------
// gates_x = x W_ih^T + b_ih and gates_h = h W_hh^T + b_hh come from the GEMM
// kernel; [batch][4*hidden] in PyTorch order (i, f, g, o). One thread per
// (batch, hidden) element.
__global__ void dnn_lstm_cell(const float* gates_x, const float* gates_h, const float* c_prev,
                              float* h_out, float* c_out, int batch, int hidden);
// [batch][3*hidden] in PyTorch order (r, z, n); b_hn stays inside gates_h as
// PyTorch requires (n = tanh(x_n + r * (h W_hn^T + b_hn))).
__global__ void dnn_gru_cell(const float* gates_x, const float* gates_h, const float* h_prev,
                             float* h_out, int batch, int hidden);
