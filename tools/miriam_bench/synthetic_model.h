// A stand-in DNN for testing the driver without the real models: spec
// "synthetic:<launches>:<blocks>:<work>" runs <launches> layers, each one
// launch of <blocks> x batch blocks of 256 threads doing <work> dependent
// multiply-adds per element; layer j reads layer j-1's output.
#pragma once

#include <memory>
#include <string>

#include "dnn/models/model.h"
#include "workload.h"

namespace miriam::bench {

std::unique_ptr<dnn::Model> make_synthetic_model(const ModelSpec& spec, const dnn::ModelOptions& options,
                                                 std::string* error);

}  // namespace miriam::bench
