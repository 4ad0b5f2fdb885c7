#pragma once
// The benchmark's DNN models (AlexNet, CifarNet, ResNet-18/50, VGG-16,
// SqueezeNet, MobileNetV2, LSTM, GRU) built from the layer kernels of
// ../layers.cu. A Model owns its weights (random, from a fixed seed) and its
// activation buffers on the device that was current when it was made; one
// forward() enqueues one inference through a Launcher. One instance serves
// one task: concurrent forward() calls on the same instance are not allowed.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnn/launcher.h"
#include "dnn/models/model_options.h"

namespace miriam::dnn {

class Model {
 public:
  virtual ~Model() = default;
  virtual const std::string& name() const = 0;
  virtual const ModelOptions& options() const = 0;

  // Enqueues one inference: reads input(), writes output(). Returns the
  // first launch error. Every kernel goes through `launcher`.
  virtual cudaError_t forward(Launcher& launcher) = 0;

  // Device buffers, fp32. The input is filled from the seed at creation.
  virtual float* input() = 0;
  virtual std::size_t input_elements() const = 0;
  virtual const float* output() const = 0;
  virtual std::size_t output_elements() const = 0;

  // Kernel launches per forward(); weights in elements (for reports and tests).
  virtual std::size_t kernels_per_inference() const = 0;
  virtual std::size_t parameter_count() const = 0;
};

// "alexnet", "cifarnet", "resnet18", "resnet50", "vgg16", "squeezenet",
// "mobilenet_v2", "lstm", "gru".
std::vector<std::string> model_names();

// Allocates and initialises a model on the current device. On failure returns
// nullptr and says why in *error (unknown name, bad options, CUDA error).
std::unique_ptr<Model> make_model(const std::string& name, const ModelOptions& options,
                                  std::string* error);

}  // namespace miriam::dnn
