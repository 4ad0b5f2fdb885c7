// What makes test_kernels/specs_dnn_small/ worth sanitizing: every DNN layer
// kernel with elastic variants has a launch there, and every launch has the
// shape its launcher (test_kernels/dnn/layers_launch.cu) would give it, with
// buffers of exactly the size the kernel touches (so memcheck sees any access
// past them), partial tiles at every edge, more than one block in every grid
// dimension, batch > 1, and a block every shrink factor (2, 4, 8) divides.
#pragma once

#include <string>
#include <vector>

#include "manifest_view.h"
#include "spec.h"

namespace miriam::dnn_small {

// Kernels the shape rules know (the layer kernels of test_kernels/dnn/layers.cu).
std::vector<std::string> known_kernels();

// Problems of one launch against its kernel's shape rule; empty when it is fine.
std::vector<std::string> launch_problems(const check::LaunchSpec& spec);

// Every problem of a spec set against the manifests: launches whose kernel is
// not in them or whose arguments do not fit, shape problems, and kernels
// with elastic variants in the manifests but no launch.
std::vector<std::string> spec_set_problems(const std::vector<check::LaunchSpec>& specs,
                                           const check::ManifestView& manifests);

}  // namespace miriam::dnn_small
