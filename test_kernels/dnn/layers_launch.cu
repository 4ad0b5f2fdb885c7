// Launch wrappers: grid/block choice for each layer kernel. Kept apart from
// layers.cu so that file can be replaced by its miriamc output.
#include "layers.cuh"

#include <climits>

#include "layers_kernels.cuh"

namespace miriam::dnn {
namespace {

// The kernels index with int; refuse shapes whose element count overflows it.
bool fits_int(long long count) { return count >= 0 && count <= INT_MAX; }

unsigned blocks_for(long long count, int threads) {
  return static_cast<unsigned>((count + threads - 1) / threads);
}

cudaError_t launched() { return cudaGetLastError(); }

bool conv_shape_ok(const Conv2dShape& sh) {
  return sh.n > 0 && sh.c > 0 && sh.k > 0 && sh.stride > 0 && sh.p() > 0 && sh.q() > 0 &&
         fits_int(1LL * sh.n * sh.c * sh.h * sh.w) && fits_int(1LL * sh.n * sh.k * sh.p() * sh.q());
}

bool pool_shape_ok(const Pool2dShape& sh) {
  return sh.n > 0 && sh.c > 0 && sh.stride > 0 && sh.p() > 0 && sh.q() > 0 &&
         fits_int(1LL * sh.n * sh.c * sh.h * sh.w) && fits_int(1LL * sh.n * sh.c * sh.p() * sh.q());
}

}  // namespace

cudaError_t launch_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                          const float* bias, float* out, Activation act, cudaStream_t stream) {
  if (!conv_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long cols = 1LL * sh.n * sh.p() * sh.q();
  const dim3 grid(blocks_for(cols, kDnnTile), blocks_for(sh.k, kDnnTile));
  const dim3 block(kDnnThreadsXY, kDnnThreadsXY);
  dnn_conv2d_implicit_gemm<<<grid, block, 0, stream>>>(in, weight, bias, out, sh.n, sh.c, sh.h,
                                                       sh.w, sh.k, sh.r, sh.s, sh.p(), sh.q(),
                                                       sh.stride, sh.pad, static_cast<int>(act));
  return launched();
}

cudaError_t launch_conv2d_direct(const Conv2dShape& sh, const float* in, const float* weight,
                                 const float* bias, float* out, Activation act,
                                 cudaStream_t stream) {
  if (!conv_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.k * sh.p() * sh.q();
  dnn_conv2d_direct<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                      stream>>>(in, weight, bias, out, sh.n, sh.c, sh.h, sh.w, sh.k, sh.r, sh.s,
                                sh.p(), sh.q(), sh.stride, sh.pad, static_cast<int>(act));
  return launched();
}

cudaError_t launch_depthwise_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                                    const float* bias, float* out, Activation act,
                                    cudaStream_t stream) {
  if (!conv_shape_ok(sh) || sh.k != sh.c) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  dnn_depthwise_conv2d<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                         stream>>>(in, weight, bias, out, sh.n, sh.c, sh.h, sh.w, sh.r, sh.s,
                                   sh.p(), sh.q(), sh.stride, sh.pad, static_cast<int>(act));
  return launched();
}

cudaError_t launch_gemm(const GemmShape& sh, const float* a, const float* b, const float* bias,
                        float* c, Activation act, cudaStream_t stream) {
  if (sh.m <= 0 || sh.n <= 0 || sh.k <= 0 || !fits_int(1LL * sh.m * sh.k) ||
      !fits_int(1LL * sh.n * sh.k) || !fits_int(1LL * sh.m * sh.n))
    return cudaErrorInvalidValue;
  const dim3 grid(blocks_for(sh.n, kDnnTile), blocks_for(sh.m, kDnnTile));
  const dim3 block(kDnnThreadsXY, kDnnThreadsXY);
  dnn_gemm_bias_act<<<grid, block, 0, stream>>>(a, b, bias, c, sh.m, sh.n, sh.k,
                                                static_cast<int>(act));
  return launched();
}

cudaError_t launch_max_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              cudaStream_t stream) {
  if (!pool_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  dnn_max_pool2d<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                   stream>>>(in, out, sh.n, sh.c, sh.h, sh.w, sh.r, sh.s, sh.p(), sh.q(),
                             sh.stride, sh.pad);
  return launched();
}

cudaError_t launch_avg_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              cudaStream_t stream) {
  if (!pool_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  dnn_avg_pool2d<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                   stream>>>(in, out, sh.n, sh.c, sh.h, sh.w, sh.r, sh.s, sh.p(), sh.q(),
                             sh.stride, sh.pad);
  return launched();
}

cudaError_t launch_global_avg_pool(int planes, int hw, const float* in, float* out,
                                   cudaStream_t stream) {
  if (planes <= 0 || hw <= 0 || !fits_int(1LL * planes * hw)) return cudaErrorInvalidValue;
  dnn_global_avg_pool<<<planes, kDnnReduceThreads, 0, stream>>>(in, out, planes, hw);
  return launched();
}

cudaError_t launch_scale_bias_act(int n, int c, int hw, const float* in, const float* scale,
                                  const float* bias, float* out, Activation act,
                                  cudaStream_t stream) {
  const long long count = 1LL * n * c * hw;
  if (n <= 0 || c <= 0 || hw <= 0 || !fits_int(count)) return cudaErrorInvalidValue;
  dnn_scale_bias_act<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                       stream>>>(in, scale, bias, out, n, c, hw, static_cast<int>(act));
  return launched();
}

cudaError_t launch_residual_add(int count, const float* a, const float* b, float* out,
                                Activation act, cudaStream_t stream) {
  if (count <= 0) return cudaErrorInvalidValue;
  dnn_residual_add<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                     stream>>>(a, b, out, count, static_cast<int>(act));
  return launched();
}

cudaError_t launch_concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b,
                                   float* out, cudaStream_t stream) {
  const long long count = 1LL * n * (ca + cb) * hw;
  if (n <= 0 || ca < 0 || cb < 0 || hw <= 0 || count == 0 || !fits_int(count))
    return cudaErrorInvalidValue;
  dnn_concat_channels<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                        stream>>>(a, b, out, n, ca, cb, hw);
  return launched();
}

cudaError_t launch_lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out,
                       cudaStream_t stream) {
  const long long count = 1LL * n * c * hw;
  if (n <= 0 || c <= 0 || hw <= 0 || params.size <= 0 || !fits_int(count))
    return cudaErrorInvalidValue;
  dnn_lrn<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0, stream>>>(
      in, out, n, c, hw, params.size, params.alpha, params.beta, params.k);
  return launched();
}

cudaError_t launch_softmax_rows(int rows, int cols, const float* in, float* out,
                                cudaStream_t stream) {
  if (rows <= 0 || cols <= 0 || !fits_int(1LL * rows * cols)) return cudaErrorInvalidValue;
  dnn_softmax_rows<<<rows, kDnnReduceThreads, 0, stream>>>(in, out, rows, cols);
  return launched();
}

cudaError_t launch_lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                             const float* c_prev, float* h_out, float* c_out,
                             cudaStream_t stream) {
  if (batch <= 0 || hidden <= 0 || !fits_int(4LL * batch * hidden)) return cudaErrorInvalidValue;
  const long long count = 1LL * batch * hidden;
  dnn_lstm_cell<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                  stream>>>(gates_x, gates_h, c_prev, h_out, c_out, batch, hidden);
  return launched();
}

cudaError_t launch_gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                            const float* h_prev, float* h_out, cudaStream_t stream) {
  if (batch <= 0 || hidden <= 0 || !fits_int(3LL * batch * hidden)) return cudaErrorInvalidValue;
  const long long count = 1LL * batch * hidden;
  dnn_gru_cell<<<blocks_for(count, kDnnElementwiseThreads), kDnnElementwiseThreads, 0,
                 stream>>>(gates_x, gates_h, h_prev, h_out, batch, hidden);
  return launched();
}

}  // namespace miriam::dnn
