#include "models.h"

#include "synthetic_model.h"

namespace miriam::bench {

bool have_dnn_models() {
#ifdef MIRIAM_BENCH_WITH_DNN_MODELS
  return true;
#else
  return false;
#endif
}

std::unique_ptr<dnn::Model> create_model(const TaskSpec& task, std::uint64_t seed, std::string* error) {
  dnn::ModelOptions options;
  options.batch = task.batch;
  options.seed = seed;
  options.conv_split_depth = task.conv_split_depth;
  if (task.model.synthetic) return make_synthetic_model(task.model, options, error);
#ifdef MIRIAM_BENCH_WITH_DNN_MODELS
  return dnn::make_model(task.model.dnn_name, options, error);
#else
  if (error)
    *error = "model '" + task.model.dnn_name +
             "': this build has no DNN models (miriam_dnn_models was not built); use synthetic:<launches>:<blocks>:<work>";
  return nullptr;
#endif
}

}  // namespace miriam::bench
