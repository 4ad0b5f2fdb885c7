#include "synthetic_model.h"

#include <cuda_runtime_api.h>

#include <random>
#include <vector>

#include "synthetic_kernels.h"

namespace miriam::bench {

namespace {

class SyntheticModel final : public dnn::Model {
 public:
  SyntheticModel(const ModelSpec& spec, const dnn::ModelOptions& options)
      : name_(spec.text), options_(options), launches_(spec.launches), work_(spec.work),
        blocks_(static_cast<unsigned>(spec.blocks) * static_cast<unsigned>(options.batch)),
        elements_(static_cast<std::size_t>(blocks_) * kSyntheticThreads) {}

  ~SyntheticModel() override {
    for (float* p : {input_, ping_, pong_})
      if (p) cudaFree(p);
  }

  cudaError_t allocate() {
    for (float** p : {&input_, &ping_, &pong_})
      if (const cudaError_t e = cudaMalloc(reinterpret_cast<void**>(p), elements_ * sizeof(float)); e != cudaSuccess)
        return e;
    std::vector<float> host(elements_);
    std::mt19937_64 rng(options_.seed);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (float& v : host) v = value(rng);
    return cudaMemcpy(input_, host.data(), elements_ * sizeof(float), cudaMemcpyHostToDevice);
  }

  const std::string& name() const override { return name_; }
  const dnn::ModelOptions& options() const override { return options_; }

  cudaError_t forward(dnn::Launcher& launcher) override {
    unsigned n = static_cast<unsigned>(elements_), work = static_cast<unsigned>(work_);
    for (int j = 0; j < launches_; ++j) {
      const float* in = j == 0 ? input_ : buffer(j - 1);
      float* out = buffer(j);
      unsigned layer = static_cast<unsigned>(j);
      void* args[] = {&in, &out, &n, &work, &layer};
      dnn::LayerLaunch l;
      l.kernel = synthetic_layer_kernel();
      l.grid = dim3(blocks_);
      l.block = dim3(kSyntheticThreads);
      l.args = args;
      l.label = "synthetic_layer";
      if (const cudaError_t e = launcher.launch(l); e != cudaSuccess) return e;
    }
    return cudaSuccess;
  }

  float* input() override { return input_; }
  std::size_t input_elements() const override { return elements_; }
  const float* output() const override { return buffer(launches_ - 1); }
  std::size_t output_elements() const override { return elements_; }
  std::size_t kernels_per_inference() const override { return static_cast<std::size_t>(launches_); }
  std::size_t parameter_count() const override { return 0; }

 private:
  float* buffer(int layer) const { return layer % 2 == 0 ? ping_ : pong_; }

  std::string name_;
  dnn::ModelOptions options_;
  int launches_, work_;
  unsigned blocks_;
  std::size_t elements_;
  float *input_ = nullptr, *ping_ = nullptr, *pong_ = nullptr;
};

}  // namespace

std::unique_ptr<dnn::Model> make_synthetic_model(const ModelSpec& spec, const dnn::ModelOptions& options,
                                                 std::string* error) {
  if (!spec.synthetic || spec.launches <= 0 || spec.blocks <= 0 || spec.work <= 0 || options.batch <= 0) {
    if (error) *error = "'" + spec.text + "' is not a valid synthetic model spec";
    return nullptr;
  }
  if (static_cast<unsigned long long>(spec.blocks) * options.batch * kSyntheticThreads > (1ull << 31)) {
    if (error) *error = "'" + spec.text + "': blocks x batch too large";
    return nullptr;
  }
  auto model = std::make_unique<SyntheticModel>(spec, options);
  if (const cudaError_t e = model->allocate(); e != cudaSuccess) {
    if (error) *error = std::string("allocating '") + spec.text + "': " + cudaGetErrorString(e);
    return nullptr;
  }
  return model;
}

}  // namespace miriam::bench
