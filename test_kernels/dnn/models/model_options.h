#pragma once
// Options of a benchmark model. Plain C++ (no CUDA) so the model graphs and
// their CPU reference build and test anywhere; model.h re-exports it.
#include <cstdint>

namespace miriam::dnn {

struct ModelOptions {
  int batch = 1;
  std::uint64_t seed = 1;  // weights and the default input
  // Input height/width; 0: the architecture's own (224 for ImageNet CNNs,
  // 32 for CifarNet). Small values make CPU-reference checks cheap.
  int input_hw = 0;
  // LSTM/GRU: sequence length, input features, hidden size and layers; 0: defaults.
  int seq_len = 0, rnn_input = 0, rnn_hidden = 0, rnn_layers = 0;
  // Image classifiers end in a softmax (as deployed); false leaves the logits
  // (tighter GPU-vs-CPU checks: a saturated softmax hides errors).
  bool softmax = true;
  // Split-K depth for implicit-GEMM convolutions (dnn/conv_split.h); 0: off.
  // A conv whose reduction c*r*s exceeds it runs as partial + reduce kernels
  // with the depth rounded up to a multiple of 32: shorter blocks, so a
  // stopped persistent launch drains sooner. Results change only by float
  // summation order and stay deterministic.
  int conv_split_depth = 0;
};

}  // namespace miriam::dnn
