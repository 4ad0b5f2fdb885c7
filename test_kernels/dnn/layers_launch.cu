// Launch wrappers: grid/block choice for each layer kernel. Kept apart from
// layers.cu so that file can be replaced by its miriamc output. Every launch
// is described as a LayerLaunch and handed to a Launcher; nothing here
// launches with <<<>>>, so the coordinator sees every kernel.
#include <climits>
#include <tuple>

#include "layers.cuh"
#include "layers_kernels.cuh"

namespace miriam::dnn {
namespace {

// The kernels index with int; refuse shapes whose element count overflows it.
bool fits_int(long long count) { return count >= 0 && count <= INT_MAX; }

unsigned blocks_for(long long count, int threads) {
  return static_cast<unsigned>((count + threads - 1) / threads);
}

bool conv_shape_ok(const Conv2dShape& sh) {
  return sh.n > 0 && sh.c > 0 && sh.k > 0 && sh.stride > 0 && sh.p() > 0 && sh.q() > 0 &&
         fits_int(1LL * sh.n * sh.c * sh.h * sh.w) && fits_int(1LL * sh.n * sh.k * sh.p() * sh.q());
}

bool pool_shape_ok(const Pool2dShape& sh) {
  return sh.n > 0 && sh.c > 0 && sh.stride > 0 && sh.p() > 0 && sh.q() > 0 &&
         fits_int(1LL * sh.n * sh.c * sh.h * sh.w) && fits_int(1LL * sh.n * sh.c * sh.p() * sh.q());
}

// Converts the argument values to the kernel's exact parameter types, keeps
// them alive for the call, and sends the launch on.
template <typename... Params, typename... Values>
cudaError_t send(Launcher& launcher, void (*kernel)(Params...), dim3 grid, dim3 block,
                 const char* label, Values... values) {
  static_assert(sizeof...(Params) == sizeof...(Values), "one value per kernel parameter");
  std::tuple<Params...> stored(static_cast<Params>(values)...);
  return std::apply(
      [&](auto&... value) {
        void* args[] = {static_cast<void*>(&value)...};
        LayerLaunch launch;
        launch.kernel = reinterpret_cast<const void*>(kernel);
        launch.grid = grid;
        launch.block = block;
        launch.args = args;
        launch.label = label;
        return launcher.launch(launch);
      },
      stored);
}

// Trace labels must outlive the launch: static strings for the common filters.
const char* conv_label(const Conv2dShape& sh, bool depthwise) {
  if (sh.r == sh.s) {
    switch (sh.r) {
      case 1: return depthwise ? "dwconv1x1" : "conv1x1";
      case 3: return depthwise ? "dwconv3x3" : "conv3x3";
      case 5: return depthwise ? "dwconv5x5" : "conv5x5";
      case 7: return depthwise ? "dwconv7x7" : "conv7x7";
      case 11: return depthwise ? "dwconv11x11" : "conv11x11";
      default: break;
    }
  }
  return depthwise ? "dwconv" : "conv";
}

int act_int(Activation act) { return static_cast<int>(act); }

}  // namespace

cudaError_t launch_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                          const float* bias, float* out, Activation act, Launcher& launcher) {
  if (!conv_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long cols = 1LL * sh.n * sh.p() * sh.q();
  const dim3 grid(blocks_for(cols, kDnnTile), blocks_for(sh.k, kDnnTile));
  const dim3 block(kDnnThreadsXY, kDnnThreadsXY);
  return send(launcher, dnn_conv2d_implicit_gemm, grid, block, conv_label(sh, false), in, weight,
              bias, out, sh.n, sh.c, sh.h, sh.w, sh.k, sh.r, sh.s, sh.p(), sh.q(), sh.stride,
              sh.pad, act_int(act));
}

static_assert(kConvSplitDepthStep == kDnnTile, "split depths must be whole K steps");

cudaError_t launch_conv2d_split(const Conv2dShape& sh, const ConvSplit& split, const float* in,
                                const float* weight, const float* bias, float* out,
                                Activation act, float* workspace, Launcher& launcher) {
  if (!conv_shape_ok(sh) || workspace == nullptr) return cudaErrorInvalidValue;
  // Only a plan of this shape: every split non-empty, whole K steps, more than one.
  const ConvSplit expected = plan_conv_split(sh, split.depth);
  if (split.splits <= 1 || split.depth % kDnnTile != 0 || expected.splits != split.splits ||
      expected.depth != split.depth)
    return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.k * sh.p() * sh.q();
  if (!fits_int(count * split.splits)) return cudaErrorInvalidValue;
  const long long cols = 1LL * sh.n * sh.p() * sh.q();
  const dim3 grid(blocks_for(cols, kDnnTile), blocks_for(sh.k, kDnnTile), split.splits);
  const dim3 block(kDnnThreadsXY, kDnnThreadsXY);
  if (cudaError_t e = send(launcher, dnn_conv2d_implicit_gemm_partial, grid, block,
                           conv_label(sh, false), in, weight, workspace, sh.n, sh.c, sh.h, sh.w,
                           sh.k, sh.r, sh.s, sh.p(), sh.q(), sh.stride, sh.pad, split.depth))
    return e;
  return send(launcher, dnn_conv2d_split_reduce, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "conv_split_reduce", workspace, bias, out, count, sh.k,
              sh.p() * sh.q(), split.splits, act_int(act));
}

cudaError_t launch_conv2d_direct(const Conv2dShape& sh, const float* in, const float* weight,
                                 const float* bias, float* out, Activation act,
                                 Launcher& launcher) {
  if (!conv_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.k * sh.p() * sh.q();
  return send(launcher, dnn_conv2d_direct, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "conv_direct", in, weight, bias, out, sh.n, sh.c, sh.h,
              sh.w, sh.k, sh.r, sh.s, sh.p(), sh.q(), sh.stride, sh.pad, act_int(act));
}

cudaError_t launch_depthwise_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                                    const float* bias, float* out, Activation act,
                                    Launcher& launcher) {
  if (!conv_shape_ok(sh) || sh.k != sh.c) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  return send(launcher, dnn_depthwise_conv2d, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), conv_label(sh, true), in, weight, bias, out, sh.n, sh.c,
              sh.h, sh.w, sh.r, sh.s, sh.p(), sh.q(), sh.stride, sh.pad, act_int(act));
}

cudaError_t launch_gemm(const GemmShape& sh, const float* a, const float* b, const float* bias,
                        float* c, Activation act, Launcher& launcher, const char* label) {
  if (sh.m <= 0 || sh.n <= 0 || sh.k <= 0 || !fits_int(1LL * sh.m * sh.k) ||
      !fits_int(1LL * sh.n * sh.k) || !fits_int(1LL * sh.m * sh.n))
    return cudaErrorInvalidValue;
  const dim3 grid(blocks_for(sh.n, kDnnTile), blocks_for(sh.m, kDnnTile));
  const dim3 block(kDnnThreadsXY, kDnnThreadsXY);
  return send(launcher, dnn_gemm_bias_act, grid, block, label, a, b, bias, c, sh.m, sh.n, sh.k,
              act_int(act));
}

cudaError_t launch_max_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              Launcher& launcher) {
  if (!pool_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  return send(launcher, dnn_max_pool2d, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "maxpool", in, out, sh.n, sh.c, sh.h, sh.w, sh.r, sh.s,
              sh.p(), sh.q(), sh.stride, sh.pad);
}

cudaError_t launch_avg_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              Launcher& launcher) {
  if (!pool_shape_ok(sh)) return cudaErrorInvalidValue;
  const long long count = 1LL * sh.n * sh.c * sh.p() * sh.q();
  return send(launcher, dnn_avg_pool2d, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "avgpool", in, out, sh.n, sh.c, sh.h, sh.w, sh.r, sh.s,
              sh.p(), sh.q(), sh.stride, sh.pad);
}

cudaError_t launch_global_avg_pool(int planes, int hw, const float* in, float* out,
                                   Launcher& launcher) {
  if (planes <= 0 || hw <= 0 || !fits_int(1LL * planes * hw)) return cudaErrorInvalidValue;
  return send(launcher, dnn_global_avg_pool, dim3(planes), dim3(kDnnReduceThreads),
              "global_avgpool", in, out, planes, hw);
}

cudaError_t launch_scale_bias_act(int n, int c, int hw, const float* in, const float* scale,
                                  const float* bias, float* out, Activation act,
                                  Launcher& launcher) {
  const long long count = 1LL * n * c * hw;
  if (n <= 0 || c <= 0 || hw <= 0 || !fits_int(count)) return cudaErrorInvalidValue;
  return send(launcher, dnn_scale_bias_act, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "scale_bias_act", in, scale, bias, out, n, c, hw,
              act_int(act));
}

cudaError_t launch_residual_add(int count, const float* a, const float* b, float* out,
                                Activation act, Launcher& launcher) {
  if (count <= 0) return cudaErrorInvalidValue;
  return send(launcher, dnn_residual_add, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "residual_add", a, b, out, count, act_int(act));
}

cudaError_t launch_concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b,
                                   float* out, Launcher& launcher) {
  const long long count = 1LL * n * (ca + cb) * hw;
  if (n <= 0 || ca < 0 || cb < 0 || hw <= 0 || count == 0 || !fits_int(count))
    return cudaErrorInvalidValue;
  return send(launcher, dnn_concat_channels, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "concat", a, b, out, n, ca, cb, hw);
}

cudaError_t launch_lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out,
                       Launcher& launcher) {
  const long long count = 1LL * n * c * hw;
  if (n <= 0 || c <= 0 || hw <= 0 || params.size <= 0 || !fits_int(count))
    return cudaErrorInvalidValue;
  return send(launcher, dnn_lrn, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "lrn", in, out, n, c, hw, params.size, params.alpha,
              params.beta, params.k);
}

cudaError_t launch_softmax_rows(int rows, int cols, const float* in, float* out,
                                Launcher& launcher) {
  if (rows <= 0 || cols <= 0 || !fits_int(1LL * rows * cols)) return cudaErrorInvalidValue;
  return send(launcher, dnn_softmax_rows, dim3(rows), dim3(kDnnReduceThreads), "softmax", in, out,
              rows, cols);
}

cudaError_t launch_lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                             const float* c_prev, float* h_out, float* c_out, Launcher& launcher) {
  if (batch <= 0 || hidden <= 0 || !fits_int(4LL * batch * hidden)) return cudaErrorInvalidValue;
  const long long count = 1LL * batch * hidden;
  return send(launcher, dnn_lstm_cell, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "lstm_cell", gates_x, gates_h, c_prev, h_out, c_out,
              batch, hidden);
}

cudaError_t launch_gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                            const float* h_prev, float* h_out, Launcher& launcher) {
  if (batch <= 0 || hidden <= 0 || !fits_int(3LL * batch * hidden)) return cudaErrorInvalidValue;
  const long long count = 1LL * batch * hidden;
  return send(launcher, dnn_gru_cell, dim3(blocks_for(count, kDnnElementwiseThreads)),
              dim3(kDnnElementwiseThreads), "gru_cell", gates_x, gates_h, h_prev, h_out, batch,
              hidden);
}

// --- stream overloads: the same launches, straight on a stream ---------------

cudaError_t launch_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                          const float* bias, float* out, Activation act, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_conv2d(sh, in, weight, bias, out, act, launcher);
}

cudaError_t launch_conv2d_split(const Conv2dShape& shape, const ConvSplit& split, const float* in,
                                const float* weight, const float* bias, float* out,
                                Activation act, float* workspace, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_conv2d_split(shape, split, in, weight, bias, out, act, workspace, launcher);
}

cudaError_t launch_conv2d_direct(const Conv2dShape& sh, const float* in, const float* weight,
                                 const float* bias, float* out, Activation act,
                                 cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_conv2d_direct(sh, in, weight, bias, out, act, launcher);
}

cudaError_t launch_depthwise_conv2d(const Conv2dShape& sh, const float* in, const float* weight,
                                    const float* bias, float* out, Activation act,
                                    cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_depthwise_conv2d(sh, in, weight, bias, out, act, launcher);
}

cudaError_t launch_gemm(const GemmShape& sh, const float* a, const float* b, const float* bias,
                        float* c, Activation act, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_gemm(sh, a, b, bias, c, act, launcher);
}

cudaError_t launch_max_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_max_pool2d(sh, in, out, launcher);
}

cudaError_t launch_avg_pool2d(const Pool2dShape& sh, const float* in, float* out,
                              cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_avg_pool2d(sh, in, out, launcher);
}

cudaError_t launch_global_avg_pool(int planes, int hw, const float* in, float* out,
                                   cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_global_avg_pool(planes, hw, in, out, launcher);
}

cudaError_t launch_scale_bias_act(int n, int c, int hw, const float* in, const float* scale,
                                  const float* bias, float* out, Activation act,
                                  cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_scale_bias_act(n, c, hw, in, scale, bias, out, act, launcher);
}

cudaError_t launch_residual_add(int count, const float* a, const float* b, float* out,
                                Activation act, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_residual_add(count, a, b, out, act, launcher);
}

cudaError_t launch_concat_channels(int n, int ca, int cb, int hw, const float* a, const float* b,
                                   float* out, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_concat_channels(n, ca, cb, hw, a, b, out, launcher);
}

cudaError_t launch_lrn(int n, int c, int hw, const LrnParams& params, const float* in, float* out,
                       cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_lrn(n, c, hw, params, in, out, launcher);
}

cudaError_t launch_softmax_rows(int rows, int cols, const float* in, float* out,
                                cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_softmax_rows(rows, cols, in, out, launcher);
}

cudaError_t launch_lstm_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                             const float* c_prev, float* h_out, float* c_out, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_lstm_cell(batch, hidden, gates_x, gates_h, c_prev, h_out, c_out, launcher);
}

cudaError_t launch_gru_cell(int batch, int hidden, const float* gates_x, const float* gates_h,
                            const float* h_prev, float* h_out, cudaStream_t stream) {
  StreamLauncher launcher(stream);
  return launch_gru_cell(batch, hidden, gates_x, gates_h, h_prev, h_out, launcher);
}

}  // namespace miriam::dnn
