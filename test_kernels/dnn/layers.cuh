#pragma once
// Host launch wrappers for the DNN layer kernels in layers.cu. Each wrapper
// picks the grid and block its kernel expects and hands the launch to a
// Launcher (the stream, or the Miriam coordinator); it returns the launch
// error (cudaSuccess if the launch was accepted, cudaErrorInvalidValue for a
// shape the kernel cannot take). The cudaStream_t overloads launch straight
// on the stream. Plain C++ callers can include this header: it needs only the
// runtime API.
#include <cuda_runtime_api.h>

#include "conv_split.h"
#include "launcher.h"
#include "shapes.h"

namespace miriam::dnn {

// Convolution through the implicit-GEMM kernel (also the 1x1 pointwise path).
cudaError_t launch_conv2d(const Conv2dShape& shape, const float* in, const float* weight,
                          const float* bias, float* out, Activation act, Launcher& launcher);
cudaError_t launch_conv2d(const Conv2dShape& shape, const float* in, const float* weight,
                          const float* bias, float* out, Activation act, cudaStream_t stream);
// The same convolution split along its reduction (dnn/conv_split.h): two
// launches, the partial sums into `workspace` (conv_split_workspace_elements
// floats, not shared with in/out) and their fixed-order reduction into `out`
// with bias and activation. Deterministic; equals launch_conv2d up to float
// summation order. `split` must come from plan_conv_split(shape, ...) with
// splits > 1.
cudaError_t launch_conv2d_split(const Conv2dShape& shape, const ConvSplit& split, const float* in,
                                const float* weight, const float* bias, float* out,
                                Activation act, float* workspace, Launcher& launcher);
cudaError_t launch_conv2d_split(const Conv2dShape& shape, const ConvSplit& split, const float* in,
                                const float* weight, const float* bias, float* out,
                                Activation act, float* workspace, cudaStream_t stream);
// The same convolution by the one-thread-per-output kernel (a cross-check).
cudaError_t launch_conv2d_direct(const Conv2dShape& shape, const float* in, const float* weight,
                                 const float* bias, float* out, Activation act,
                                 Launcher& launcher);
cudaError_t launch_conv2d_direct(const Conv2dShape& shape, const float* in, const float* weight,
                                 const float* bias, float* out, Activation act,
                                 cudaStream_t stream);
// Depthwise convolution: shape.k must equal shape.c; weight [c][1][r][s].
cudaError_t launch_depthwise_conv2d(const Conv2dShape& shape, const float* in,
                                    const float* weight, const float* bias, float* out,
                                    Activation act, Launcher& launcher);
cudaError_t launch_depthwise_conv2d(const Conv2dShape& shape, const float* in,
                                    const float* weight, const float* bias, float* out,
                                    Activation act, cudaStream_t stream);

// Fully connected: C[m][n] = A[m][k] * B[n][k]^T + bias[n].
// `label` names the use in traces ("fc", "lstm_gates", ...).
cudaError_t launch_gemm(const GemmShape& shape, const float* a, const float* b, const float* bias,
                        float* c, Activation act, Launcher& launcher, const char* label = "fc");
cudaError_t launch_gemm(const GemmShape& shape, const float* a, const float* b, const float* bias,
                        float* c, Activation act, cudaStream_t stream);

cudaError_t launch_max_pool2d(const Pool2dShape& shape, const float* in, float* out,
                              Launcher& launcher);
cudaError_t launch_max_pool2d(const Pool2dShape& shape, const float* in, float* out,
                              cudaStream_t stream);
cudaError_t launch_avg_pool2d(const Pool2dShape& shape, const float* in, float* out,
                              Launcher& launcher);
cudaError_t launch_avg_pool2d(const Pool2dShape& shape, const float* in, float* out,
                              cudaStream_t stream);
// in [planes][hw] -> out [planes], planes = n * c.
cudaError_t launch_global_avg_pool(int planes, int hw, const float* in, float* out,
                                   Launcher& launcher);
cudaError_t launch_global_avg_pool(int planes, int hw, const float* in, float* out,
                                   cudaStream_t stream);

// Folded batch norm + activation; in == out allowed.
cudaError_t launch_scale_bias_act(int n, int c, int hw, const float* in, const float* scale,
                                  const float* bias, float* out, Activation act,
                                  Launcher& launcher);
cudaError_t launch_scale_bias_act(int n, int c, int hw, const float* in, const float* scale,
                                  const float* bias, float* out, Activation act,
                                  cudaStream_t stream);
cudaError_t launch_residual_add(int count, const float* a, const float* b, float* out,
                                Activation act, Launcher& launcher);
cudaError_t launch_residual_add(int count, const float* a, const float* b, float* out,
                                Activation act, cudaStream_t stream);
cudaError_t launch_concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b,
                                   float* out, Launcher& launcher);
cudaError_t launch_concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b,
                                   float* out, cudaStream_t stream);
cudaError_t launch_lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out,
                       Launcher& launcher);
cudaError_t launch_lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out,
                       cudaStream_t stream);

cudaError_t launch_softmax_rows(int rows, int cols, const float* in, float* out,
                                Launcher& launcher);
cudaError_t launch_softmax_rows(int rows, int cols, const float* in, float* out,
                                cudaStream_t stream);

// One time step; see layers_kernels.cuh for the gate layouts.
cudaError_t launch_lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                             const float* c_prev, float* h_out, float* c_out,
                             Launcher& launcher);
cudaError_t launch_lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                             const float* c_prev, float* h_out, float* c_out,
                             cudaStream_t stream);
cudaError_t launch_gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                            const float* h_prev, float* h_out, Launcher& launcher);
cudaError_t launch_gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                            const float* h_prev, float* h_out, cudaStream_t stream);

}  // namespace miriam::dnn
