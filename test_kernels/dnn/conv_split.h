#pragma once
// Split-K plan of an implicit-GEMM convolution: the reduction over gemm_k =
// c*r*s is cut into `splits` ranges of `depth`, each run by its own blocks
// (dnn_conv2d_implicit_gemm_partial, one grid z slice per range) into a
// workspace; dnn_conv2d_split_reduce then sums the ranges in a fixed order.
// Why: a block of the unsplit kernel runs the whole reduction (gemm_k up to
// 4608 in VGG-16), so a stopped persistent launch drains slowly; split blocks
// are about `splits` times shorter. Plain C++ (no CUDA) so the model graphs,
// their memory plan and CI can use it.
#include <cstddef>

#include "shapes.h"

namespace miriam::dnn {

// Split depths are whole K steps of the kernel (kDnnTile, checked in
// layers_launch.cu), so every split but the last covers whole tiles.
constexpr int kConvSplitDepthStep = 32;

struct ConvSplit {
  int splits = 1;  // 1: run unsplit
  int depth = 0;   // reduction elements per split (the last may have fewer); gemm_k when unsplit
};

// requested_depth <= 0 turns splitting off; otherwise it is rounded up to a
// multiple of kConvSplitDepthStep, and a convolution whose gemm_k fits in one
// such depth is not split.
inline ConvSplit plan_conv_split(const Conv2dShape& shape, int requested_depth) {
  const int gemm_k = shape.gemm_k();
  if (requested_depth <= 0) return ConvSplit{1, gemm_k};
  const long long step = kConvSplitDepthStep;
  const long long depth = (requested_depth + step - 1) / step * step;
  if (gemm_k <= depth) return ConvSplit{1, gemm_k};
  return ConvSplit{static_cast<int>((gemm_k + depth - 1) / depth), static_cast<int>(depth)};
}

// Workspace elements the split needs: one [n][k][p][q] partial per split; 0 unsplit.
inline std::size_t conv_split_workspace_elements(const Conv2dShape& shape, const ConvSplit& split) {
  if (split.splits <= 1) return 0;
  return std::size_t(split.splits) * shape.n * shape.k * shape.p() * shape.q();
}

}  // namespace miriam::dnn
