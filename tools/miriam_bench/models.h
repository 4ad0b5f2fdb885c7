// Makes the model a task names: a synthetic model, or one of the DNNs of
// test_kernels/dnn/models when the build has them (MIRIAM_BENCH_WITH_DNN_MODELS).
#pragma once

#include <memory>
#include <string>

#include "dnn/models/model.h"
#include "workload.h"

namespace miriam::bench {

std::unique_ptr<dnn::Model> create_model(const TaskSpec& task, std::uint64_t seed, std::string* error);

bool have_dnn_models();

}  // namespace miriam::bench
