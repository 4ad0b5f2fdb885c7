#pragma once
// CPU reference of every DNN layer kernel: straightforward loops, double
// accumulation, same layouts and argument order as the launch wrappers in
// layers.cuh. Plain C++ so the tests that use it run without a GPU.
#include "shapes.h"

namespace miriam::dnn::ref {

float activate(float v, Activation act);

void conv2d(const Conv2dShape& shape, const float* in, const float* weight, const float* bias,
            float* out, Activation act);
// shape.k must equal shape.c; weight [c][1][r][s].
void depthwise_conv2d(const Conv2dShape& shape, const float* in, const float* weight,
                      const float* bias, float* out, Activation act);

// C[m][n] = A[m][k] * B[n][k]^T + bias[n]; bias may be null.
void gemm(const GemmShape& shape, const float* a, const float* b, const float* bias, float* c,
          Activation act);

void max_pool2d(const Pool2dShape& shape, const float* in, float* out);
// PyTorch count_include_pad=True divisor.
void avg_pool2d(const Pool2dShape& shape, const float* in, float* out);
void global_avg_pool(int planes, int hw, const float* in, float* out);

// Inference batch norm as per-channel scale/bias:
// scale = gamma / sqrt(var + eps), bias = beta - mean * scale.
void fold_batch_norm(int c, const float* gamma, const float* beta, const float* mean,
                     const float* var, float eps, float* scale, float* bias);
void scale_bias_act(int n, int c, int hw, const float* in, const float* scale, const float* bias,
                    float* out, Activation act);
void residual_add(int count, const float* a, const float* b, float* out, Activation act);
void concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b, float* out);
void lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out);

void softmax_rows(int rows, int cols, const float* in, float* out);

// Gate layouts as in layers_kernels.cuh: LSTM (i, f, g, o), GRU (r, z, n).
void lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
               const float* c_prev, float* h_out, float* c_out);
void gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
              const float* h_prev, float* h_out);

}  // namespace miriam::dnn::ref
