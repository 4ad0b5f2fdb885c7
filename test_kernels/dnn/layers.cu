// fp32 DNN layer kernels, NCHW. Kernels only: the launch wrappers live in
// layers_launch.cu so miriamc can rewrite this file on its own.
//
// Rules every kernel here keeps, because miriamc derives elastic variants from
// them: plain __global__ functions that read blockIdx/gridDim directly, no warp
// shuffles or votes (reductions go through shared memory), no cooperative
// groups, no grid-wide synchronisation, and every __syncthreads() is reached by
// all threads of the block (no early return before a barrier).
#include "layers_kernels.cuh"

static __device__ __forceinline__ float apply_activation(float v, int act) {
  if (act == 1) return fmaxf(v, 0.0f);
  if (act == 2) return fminf(fmaxf(v, 0.0f), 6.0f);
  return v;
}

static __device__ __forceinline__ float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

// --- convolution ---------------------------------------------------------------

// One thread per output element; the simple, obviously correct convolution.
__global__ void dnn_conv2d_direct(const float* __restrict__ in, const float* __restrict__ weight,
                                  const float* __restrict__ bias, float* __restrict__ out, int n,
                                  int c, int h, int w, int k, int r, int s, int p, int q,
                                  int stride, int pad, int act) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * k * p * q) return;
  const int oq = idx % q;
  const int op = (idx / q) % p;
  const int ok = (idx / (q * p)) % k;
  const int on = idx / (q * p * k);
  float acc = bias ? bias[ok] : 0.0f;
  for (int ci = 0; ci < c; ++ci) {
    const float* in_plane = in + ((size_t)on * c + ci) * h * w;
    const float* w_plane = weight + ((size_t)ok * c + ci) * r * s;
    for (int kr = 0; kr < r; ++kr) {
      const int ih = op * stride - pad + kr;
      if (ih < 0 || ih >= h) continue;
      for (int ks = 0; ks < s; ++ks) {
        const int iw = oq * stride - pad + ks;
        if (iw < 0 || iw >= w) continue;
        acc += in_plane[ih * w + iw] * w_plane[kr * s + ks];
      }
    }
  }
  out[idx] = apply_activation(acc, act);
}

// Convolution as a GEMM that never materialises im2col:
//   out[ok][col] = sum over kd of weight[ok][kd] * im2col[kd][col]
// with kd = (ci, kr, ks) over c*r*s (the KCRS weight is already this row-major
// matrix) and col = (n, op, oq) over n*p*q. Each block computes a 32x32 tile of
// (output channel, col); each K step stages a 32x32 slice of both operands in
// shared memory. Each of the 16x16 threads owns outputs (ty + 16i, tx + 16j).
__global__ void dnn_conv2d_implicit_gemm(const float* __restrict__ in,
                                         const float* __restrict__ weight,
                                         const float* __restrict__ bias, float* __restrict__ out,
                                         int n, int c, int h, int w, int k, int r, int s, int p,
                                         int q, int stride, int pad, int act) {
  // w_tile[kd][ok]: filled along kd, so pad a column to keep stores conflict-free.
  __shared__ float w_tile[kDnnTile][kDnnTile + 1];
  __shared__ float x_tile[kDnnTile][kDnnTile];  // x_tile[kd][col]

  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int tid = ty * kDnnThreadsXY + tx;
  const int k0 = blockIdx.y * kDnnTile;
  const int col0 = blockIdx.x * kDnnTile;
  const int gemm_k = c * r * s;
  const int rs = r * s;
  const int cols = n * p * q;

  // Loader roles: 256 threads cover a 32x32 slice in four passes of 8 rows.
  const int lane = tid % kDnnTile;    // column within the slice
  const int row_base = tid / kDnnTile;  // 0..7
  constexpr int kLoadPasses = kDnnTile * kDnnTile / (kDnnThreadsXY * kDnnThreadsXY);
  constexpr int kRowsPerPass = kDnnTile / kLoadPasses;

  // This thread always loads the same im2col column: decode it once.
  const int load_col = col0 + lane;
  const bool load_col_ok = load_col < cols;
  int ih0 = 0, iw0 = 0;
  const float* in_image = in;
  if (load_col_ok) {
    const int oq = load_col % q;
    const int op = (load_col / q) % p;
    const int on = load_col / (q * p);
    ih0 = op * stride - pad;
    iw0 = oq * stride - pad;
    in_image = in + (size_t)on * c * h * w;
  }

  float acc[2][2] = {{0.0f, 0.0f}, {0.0f, 0.0f}};
  for (int kd0 = 0; kd0 < gemm_k; kd0 += kDnnTile) {
    for (int pass = 0; pass < kLoadPasses; ++pass) {
      const int row = row_base + pass * kRowsPerPass;
      // Weights: consecutive threads read consecutive kd (coalesced).
      const int wk = k0 + row;
      const int wkd = kd0 + lane;
      w_tile[lane][row] = (wk < k && wkd < gemm_k) ? weight[(size_t)wk * gemm_k + wkd] : 0.0f;
      // Input: consecutive threads read consecutive output positions.
      const int kd = kd0 + row;
      float v = 0.0f;
      if (load_col_ok && kd < gemm_k) {
        const int ci = kd / rs;
        const int kr = (kd % rs) / s;
        const int ks = kd % s;
        const int ih = ih0 + kr;
        const int iw = iw0 + ks;
        if (ih >= 0 && ih < h && iw >= 0 && iw < w) v = in_image[((size_t)ci * h + ih) * w + iw];
      }
      x_tile[row][lane] = v;
    }
    __syncthreads();
    for (int kk = 0; kk < kDnnTile; ++kk) {
      const float a0 = w_tile[kk][ty];
      const float a1 = w_tile[kk][ty + kDnnThreadsXY];
      const float b0 = x_tile[kk][tx];
      const float b1 = x_tile[kk][tx + kDnnThreadsXY];
      acc[0][0] += a0 * b0;
      acc[0][1] += a0 * b1;
      acc[1][0] += a1 * b0;
      acc[1][1] += a1 * b1;
    }
    __syncthreads();  // the next K step overwrites the tiles
  }

  for (int i = 0; i < 2; ++i) {
    const int ok = k0 + ty + i * kDnnThreadsXY;
    if (ok >= k) continue;
    const float b = bias ? bias[ok] : 0.0f;
    for (int j = 0; j < 2; ++j) {
      const int col = col0 + tx + j * kDnnThreadsXY;
      if (col >= cols) continue;
      const int oq = col % q;
      const int op = (col / q) % p;
      const int on = col / (q * p);
      out[(((size_t)on * k + ok) * p + op) * q + oq] = apply_activation(acc[i][j] + b, act);
    }
  }
}

// Split-K form of dnn_conv2d_implicit_gemm (see dnn/conv_split.h): the same
// 32x32 tile, but only over the reduction range of split z = blockIdx.z,
// [z * split_depth, min((z + 1) * split_depth, c*r*s)), with split_depth a
// multiple of kDnnTile. Writes the raw partial sums (no bias, no activation)
// to partial[z][n][k][p][q]; dnn_conv2d_split_reduce finishes them. Blocks are
// about gemm_k / split_depth times shorter than the unsplit kernel's.
// The body mirrors dnn_conv2d_implicit_gemm on purpose rather than sharing
// helpers with it: miriamc transforms each kernel body (barriers included), and
// the unsplit kernel's code and measured variants stay exactly as they were.
// Keep the loaders and the 2x2 accumulation of the two in step.
__global__ void dnn_conv2d_implicit_gemm_partial(const float* __restrict__ in,
                                                 const float* __restrict__ weight,
                                                 float* __restrict__ partial, int n, int c, int h,
                                                 int w, int k, int r, int s, int p, int q,
                                                 int stride, int pad, int split_depth) {
  __shared__ float w_tile[kDnnTile][kDnnTile + 1];  // w_tile[kd][ok], padded as above
  __shared__ float x_tile[kDnnTile][kDnnTile];      // x_tile[kd][col]

  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int tid = ty * kDnnThreadsXY + tx;
  const int k0 = blockIdx.y * kDnnTile;
  const int col0 = blockIdx.x * kDnnTile;
  const int gemm_k = c * r * s;
  const int kd_begin = blockIdx.z * split_depth;
  const int kd_end = min(kd_begin + split_depth, gemm_k);
  const int rs = r * s;
  const int cols = n * p * q;

  const int lane = tid % kDnnTile;
  const int row_base = tid / kDnnTile;
  constexpr int kLoadPasses = kDnnTile * kDnnTile / (kDnnThreadsXY * kDnnThreadsXY);
  constexpr int kRowsPerPass = kDnnTile / kLoadPasses;

  const int load_col = col0 + lane;
  const bool load_col_ok = load_col < cols;
  int ih0 = 0, iw0 = 0;
  const float* in_image = in;
  if (load_col_ok) {
    const int oq = load_col % q;
    const int op = (load_col / q) % p;
    const int on = load_col / (q * p);
    ih0 = op * stride - pad;
    iw0 = oq * stride - pad;
    in_image = in + (size_t)on * c * h * w;
  }

  float acc[2][2] = {{0.0f, 0.0f}, {0.0f, 0.0f}};
  for (int kd0 = kd_begin; kd0 < kd_end; kd0 += kDnnTile) {
    for (int pass = 0; pass < kLoadPasses; ++pass) {
      const int row = row_base + pass * kRowsPerPass;
      const int wk = k0 + row;
      const int wkd = kd0 + lane;
      w_tile[lane][row] = (wk < k && wkd < kd_end) ? weight[(size_t)wk * gemm_k + wkd] : 0.0f;
      const int kd = kd0 + row;
      float v = 0.0f;
      if (load_col_ok && kd < kd_end) {
        const int ci = kd / rs;
        const int kr = (kd % rs) / s;
        const int ks = kd % s;
        const int ih = ih0 + kr;
        const int iw = iw0 + ks;
        if (ih >= 0 && ih < h && iw >= 0 && iw < w) v = in_image[((size_t)ci * h + ih) * w + iw];
      }
      x_tile[row][lane] = v;
    }
    __syncthreads();
    for (int kk = 0; kk < kDnnTile; ++kk) {
      const float a0 = w_tile[kk][ty];
      const float a1 = w_tile[kk][ty + kDnnThreadsXY];
      const float b0 = x_tile[kk][tx];
      const float b1 = x_tile[kk][tx + kDnnThreadsXY];
      acc[0][0] += a0 * b0;
      acc[0][1] += a0 * b1;
      acc[1][0] += a1 * b0;
      acc[1][1] += a1 * b1;
    }
    __syncthreads();
  }

  float* split_out = partial + (size_t)blockIdx.z * n * k * p * q;
  for (int i = 0; i < 2; ++i) {
    const int ok = k0 + ty + i * kDnnThreadsXY;
    if (ok >= k) continue;
    for (int j = 0; j < 2; ++j) {
      const int col = col0 + tx + j * kDnnThreadsXY;
      if (col >= cols) continue;
      const int oq = col % q;
      const int op = (col / q) % p;
      const int on = col / (q * p);
      split_out[(((size_t)on * k + ok) * p + op) * q + oq] = acc[i][j];
    }
  }
}

// Finishes a split-K convolution: out = act(partial[0] + ... + partial[splits-1]
// + bias), summed in split order so the result is the same bit for bit on
// every run. One thread per output element of out[n][k][p][q].
__global__ void dnn_conv2d_split_reduce(const float* __restrict__ partial,
                                        const float* __restrict__ bias, float* __restrict__ out,
                                        int count, int k, int pq, int splits, int act) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  float acc = partial[idx];
  for (int z = 1; z < splits; ++z) acc += partial[(size_t)z * count + idx];
  const float b = bias ? bias[(idx / pq) % k] : 0.0f;
  out[idx] = apply_activation(acc + b, act);
}

// Depthwise convolution (groups == channels): each output channel filters only
// its own input channel. One thread per output element.
__global__ void dnn_depthwise_conv2d(const float* __restrict__ in,
                                     const float* __restrict__ weight,
                                     const float* __restrict__ bias, float* __restrict__ out,
                                     int n, int c, int h, int w, int r, int s, int p, int q,
                                     int stride, int pad, int act) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * c * p * q) return;
  const int oq = idx % q;
  const int op = (idx / q) % p;
  const int plane = idx / (q * p);  // n * c + ch
  const int ch = plane % c;
  const float* in_plane = in + (size_t)plane * h * w;
  const float* w_plane = weight + (size_t)ch * r * s;
  float acc = bias ? bias[ch] : 0.0f;
  for (int kr = 0; kr < r; ++kr) {
    const int ih = op * stride - pad + kr;
    if (ih < 0 || ih >= h) continue;
    for (int ks = 0; ks < s; ++ks) {
      const int iw = oq * stride - pad + ks;
      if (iw < 0 || iw >= w) continue;
      acc += in_plane[ih * w + iw] * w_plane[kr * s + ks];
    }
  }
  out[idx] = apply_activation(acc, act);
}

// --- fully connected -----------------------------------------------------------

// C[m][n] = A[m][k] * B[n][k]^T + bias[n]. Both operands are K-contiguous, so
// both are loaded along K and stored transposed ([kk][row], padded) in shared
// memory. Same 32x32 tiling and 2x2-per-thread layout as the implicit GEMM.
__global__ void dnn_gemm_bias_act(const float* __restrict__ a, const float* __restrict__ b,
                                  const float* __restrict__ bias, float* __restrict__ c, int m,
                                  int n, int k, int act) {
  __shared__ float a_tile[kDnnTile][kDnnTile + 1];  // a_tile[kk][row of A]
  __shared__ float b_tile[kDnnTile][kDnnTile + 1];  // b_tile[kk][row of B]

  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int tid = ty * kDnnThreadsXY + tx;
  const int m0 = blockIdx.y * kDnnTile;
  const int n0 = blockIdx.x * kDnnTile;
  const int lane = tid % kDnnTile;
  const int row_base = tid / kDnnTile;
  constexpr int kLoadPasses = kDnnTile * kDnnTile / (kDnnThreadsXY * kDnnThreadsXY);
  constexpr int kRowsPerPass = kDnnTile / kLoadPasses;

  float acc[2][2] = {{0.0f, 0.0f}, {0.0f, 0.0f}};
  for (int k0 = 0; k0 < k; k0 += kDnnTile) {
    const int kk = k0 + lane;
    for (int pass = 0; pass < kLoadPasses; ++pass) {
      const int row = row_base + pass * kRowsPerPass;
      const int am = m0 + row;
      const int bn = n0 + row;
      a_tile[lane][row] = (am < m && kk < k) ? a[(size_t)am * k + kk] : 0.0f;
      b_tile[lane][row] = (bn < n && kk < k) ? b[(size_t)bn * k + kk] : 0.0f;
    }
    __syncthreads();
    for (int t = 0; t < kDnnTile; ++t) {
      const float a0 = a_tile[t][ty];
      const float a1 = a_tile[t][ty + kDnnThreadsXY];
      const float b0 = b_tile[t][tx];
      const float b1 = b_tile[t][tx + kDnnThreadsXY];
      acc[0][0] += a0 * b0;
      acc[0][1] += a0 * b1;
      acc[1][0] += a1 * b0;
      acc[1][1] += a1 * b1;
    }
    __syncthreads();  // the next K step overwrites the tiles
  }

  for (int i = 0; i < 2; ++i) {
    const int row = m0 + ty + i * kDnnThreadsXY;
    if (row >= m) continue;
    for (int j = 0; j < 2; ++j) {
      const int col = n0 + tx + j * kDnnThreadsXY;
      if (col >= n) continue;
      const float v = acc[i][j] + (bias ? bias[col] : 0.0f);
      c[(size_t)row * n + col] = apply_activation(v, act);
    }
  }
}

// --- pooling -------------------------------------------------------------------

__global__ void dnn_max_pool2d(const float* __restrict__ in, float* __restrict__ out, int n,
                               int c, int h, int w, int r, int s, int p, int q, int stride,
                               int pad) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * c * p * q) return;
  const int oq = idx % q;
  const int op = (idx / q) % p;
  const int plane = idx / (q * p);
  const float* in_plane = in + (size_t)plane * h * w;
  const int h_begin = max(op * stride - pad, 0);
  const int w_begin = max(oq * stride - pad, 0);
  const int h_end = min(op * stride - pad + r, h);
  const int w_end = min(oq * stride - pad + s, w);
  float best = -INFINITY;
  for (int ih = h_begin; ih < h_end; ++ih)
    for (int iw = w_begin; iw < w_end; ++iw) best = fmaxf(best, in_plane[ih * w + iw]);
  out[idx] = best;
}

__global__ void dnn_avg_pool2d(const float* __restrict__ in, float* __restrict__ out, int n,
                               int c, int h, int w, int r, int s, int p, int q, int stride,
                               int pad) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * c * p * q) return;
  const int oq = idx % q;
  const int op = (idx / q) % p;
  const int plane = idx / (q * p);
  const float* in_plane = in + (size_t)plane * h * w;
  // The divisor counts padding but not the part of a ceil-mode window that
  // hangs past the padding (PyTorch's count_include_pad=True).
  int h_begin = op * stride - pad;
  int w_begin = oq * stride - pad;
  int h_end = min(h_begin + r, h + pad);
  int w_end = min(w_begin + s, w + pad);
  const int divisor = (h_end - h_begin) * (w_end - w_begin);
  h_begin = max(h_begin, 0);
  w_begin = max(w_begin, 0);
  h_end = min(h_end, h);
  w_end = min(w_end, w);
  float sum = 0.0f;
  for (int ih = h_begin; ih < h_end; ++ih)
    for (int iw = w_begin; iw < w_end; ++iw) sum += in_plane[ih * w + iw];
  out[idx] = sum / (float)divisor;
}

// One block per (n, c) plane: strided partial sums, then a shared-memory tree.
__global__ void dnn_global_avg_pool(const float* __restrict__ in, float* __restrict__ out,
                                    int planes, int hw) {
  __shared__ float partial[kDnnReduceThreads];
  const int plane = blockIdx.x;
  const int tid = threadIdx.x;
  float sum = 0.0f;
  if (plane < planes) {
    const float* in_plane = in + (size_t)plane * hw;
    for (int i = tid; i < hw; i += kDnnReduceThreads) sum += in_plane[i];
  }
  partial[tid] = sum;
  __syncthreads();
  for (int half = kDnnReduceThreads / 2; half > 0; half /= 2) {
    if (tid < half) partial[tid] += partial[tid + half];
    __syncthreads();
  }
  if (tid == 0 && plane < planes) out[plane] = partial[0] / (float)hw;
}

// --- elementwise -----------------------------------------------------------------

// Inference batch norm folded to out = in * scale + bias per channel, plus the
// activation that follows it. No __restrict__: it is used in place.
__global__ void dnn_scale_bias_act(const float* in, const float* scale, const float* bias,
                                   float* out, int n, int c, int hw, int act) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * c * hw) return;
  const int ch = (idx / hw) % c;
  out[idx] = apply_activation(in[idx] * scale[ch] + bias[ch], act);
}

// No __restrict__: out may alias a or b.
__global__ void dnn_residual_add(const float* a, const float* b, float* out, int count, int act) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  out[idx] = apply_activation(a[idx] + b[idx], act);
}

__global__ void dnn_concat_channels(const float* __restrict__ a, const float* __restrict__ b,
                                    float* __restrict__ out, int n, int ca, int cb, int hw) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  const int channels = ca + cb;
  if (idx >= n * channels * hw) return;
  const int pos = idx % hw;
  const int ch = (idx / hw) % channels;
  const int image = idx / (hw * channels);
  out[idx] = ch < ca ? a[((size_t)image * ca + ch) * hw + pos]
                     : b[((size_t)image * cb + (ch - ca)) * hw + pos];
}

// PyTorch LocalResponseNorm: the window spans channels [ch - size/2, ch + (size-1)/2].
__global__ void dnn_lrn(const float* __restrict__ in, float* __restrict__ out, int n, int c,
                        int hw, int size, float alpha, float beta, float k) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= n * c * hw) return;
  const int pos = idx % hw;
  const int ch = (idx / hw) % c;
  const int image = idx / (hw * c);
  const int c_begin = max(ch - size / 2, 0);
  const int c_end = min(ch + (size - 1) / 2 + 1, c);
  float sum_sq = 0.0f;
  for (int cc = c_begin; cc < c_end; ++cc) {
    const float v = in[((size_t)image * c + cc) * hw + pos];
    sum_sq += v * v;
  }
  out[idx] = in[idx] / powf(k + alpha / (float)size * sum_sq, beta);
}

// --- rows ------------------------------------------------------------------------

// One block per row: max, then sum of exp(x - max), both reduced through shared
// memory; subtracting the max keeps expf from overflowing.
__global__ void dnn_softmax_rows(const float* __restrict__ in, float* __restrict__ out, int rows,
                                 int cols) {
  __shared__ float partial[kDnnReduceThreads];
  const int row = blockIdx.x;
  const int tid = threadIdx.x;
  const bool active = row < rows;  // no early return: every thread must reach the barriers
  const float* in_row = in + (size_t)row * cols;

  float local_max = -INFINITY;
  if (active)
    for (int i = tid; i < cols; i += kDnnReduceThreads) local_max = fmaxf(local_max, in_row[i]);
  partial[tid] = local_max;
  __syncthreads();
  for (int half = kDnnReduceThreads / 2; half > 0; half /= 2) {
    if (tid < half) partial[tid] = fmaxf(partial[tid], partial[tid + half]);
    __syncthreads();
  }
  const float row_max = partial[0];
  __syncthreads();  // everyone has read partial[0] before it is reused

  float local_sum = 0.0f;
  if (active)
    for (int i = tid; i < cols; i += kDnnReduceThreads) local_sum += expf(in_row[i] - row_max);
  partial[tid] = local_sum;
  __syncthreads();
  for (int half = kDnnReduceThreads / 2; half > 0; half /= 2) {
    if (tid < half) partial[tid] += partial[tid + half];
    __syncthreads();
  }
  const float inv_sum = 1.0f / partial[0];

  if (active) {
    float* out_row = out + (size_t)row * cols;
    for (int i = tid; i < cols; i += kDnnReduceThreads)
      out_row[i] = expf(in_row[i] - row_max) * inv_sum;
  }
}

// --- recurrent cells ---------------------------------------------------------------

__global__ void dnn_lstm_cell(const float* __restrict__ gates_x, const float* __restrict__ gates_h,
                              const float* __restrict__ c_prev, float* __restrict__ h_out,
                              float* __restrict__ c_out, int batch, int hidden) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= batch * hidden) return;
  const int j = idx % hidden;
  const size_t row = (size_t)(idx / hidden) * 4 * hidden;
  const float i_gate = sigmoid(gates_x[row + j] + gates_h[row + j]);
  const float f_gate = sigmoid(gates_x[row + hidden + j] + gates_h[row + hidden + j]);
  const float g_gate = tanhf(gates_x[row + 2 * hidden + j] + gates_h[row + 2 * hidden + j]);
  const float o_gate = sigmoid(gates_x[row + 3 * hidden + j] + gates_h[row + 3 * hidden + j]);
  const float cell = f_gate * c_prev[idx] + i_gate * g_gate;
  c_out[idx] = cell;
  h_out[idx] = o_gate * tanhf(cell);
}

__global__ void dnn_gru_cell(const float* __restrict__ gates_x, const float* __restrict__ gates_h,
                             const float* __restrict__ h_prev, float* __restrict__ h_out,
                             int batch, int hidden) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= batch * hidden) return;
  const int j = idx % hidden;
  const size_t row = (size_t)(idx / hidden) * 3 * hidden;
  const float r_gate = sigmoid(gates_x[row + j] + gates_h[row + j]);
  const float z_gate = sigmoid(gates_x[row + hidden + j] + gates_h[row + hidden + j]);
  const float n_gate = tanhf(gates_x[row + 2 * hidden + j] + r_gate * gates_h[row + 2 * hidden + j]);
  h_out[idx] = (1.0f - z_gate) * n_gate + z_gate * h_prev[idx];
}
