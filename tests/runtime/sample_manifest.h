// A valid manifest for tests, built as JSON so each test can break one field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace miriam::test {

inline const std::string kSourceHash(64, 'a');

// Two kernels: "scale" (plain, with a sliced variant) and "ns::gemm" (a
// template with two instantiations, one sliced variant).
inline nlohmann::json sample_manifest_json() {
  using nlohmann::json;
  auto param = [](const char* name, const char* type, int size) {
    return json{{"name", name}, {"type", type}, {"size", size}, {"alignment", size}};
  };
  auto features = json{{"barriers", false},        {"warp_level_ops", false},
                       {"atomics", false},         {"dynamic_shared_memory", false},
                       {"static_shared_memory", false}, {"reads_block_idx", true},
                       {"reads_grid_dim", false},  {"early_return", true},
                       {"grid_sync", false},       {"cooperative_groups", false},
                       {"device_callees_reading_builtins", json::array()}};
  auto slice_param = json{{"name", "slice"}, {"type", "miriam::Slice"}, {"position", 0}};
  json scale = {
      {"name", "scale"},
      {"qualified_name", "scale"},
      {"location", {{"file", "k.cu"}, {"line", 3}, {"column", 17}}},
      {"is_template", false},
      {"params", {param("x", "float *", 8), param("n", "int", 4)}},
      {"instantiations",
       {{{"mangled", "_Z5scalePfi"},
         {"template_args", ""},
         {"params", {param("x", "float *", 8), param("n", "int", 4)}},
         {"static_shared_bytes", 0}}}},
      {"launch_bounds", nullptr},
      {"features", features},
      {"variants",
       {{{"kind", "sliced"},
         {"entry", "scale__miriam_sliced"},
         {"mangled", {"_Z20scale__miriam_slicedN6miriam5SliceEPfi"}},
         {"extra_params", {slice_param}}}}},
      {"refused", {{{"kind", "shrunk"}, {"reason", "not implemented"}}}}};
  json gemm = {
      {"name", "gemm"},
      {"qualified_name", "ns::gemm"},
      {"location", {{"file", "k.cu"}, {"line", 10}, {"column", 1}}},
      {"is_template", true},
      {"params", {param("a", "const T *", 8), param("c", "T *", 8)}},
      {"instantiations",
       {{{"mangled", "_ZN2ns4gemmIfEEvPKT_PS1_"},
         {"template_args", "float"},
         {"params", {param("a", "const float *", 8), param("c", "float *", 8)}},
         {"static_shared_bytes", 4096}},
        {{"mangled", "_ZN2ns4gemmIdEEvPKT_PS1_"},
         {"template_args", "double"},
         {"params", {param("a", "const double *", 8), param("c", "double *", 8)}},
         {"static_shared_bytes", 8192}}}},
      {"launch_bounds", {{"max_threads_per_block", 256}, {"min_blocks_per_sm", 2}}},
      {"features", features},
      {"variants",
       {{{"kind", "sliced"},
         {"entry", "ns::gemm__miriam_sliced"},
         {"mangled", {"_ZN2ns20gemm__miriam_slicedIfEEvN6miriam5SliceEPKT_PS3_",
                      "_ZN2ns20gemm__miriam_slicedIdEEvN6miriam5SliceEPKT_PS3_"}},
         {"extra_params", {slice_param}}}}},
      {"refused", json::array()}};
  return json{{"schema_version", 1},
              {"tool", {{"name", "miriamc"}, {"version", "0.1.0"}, {"clang_version", "22.0.0"}}},
              {"source", {{"path", "k.cu"}, {"sha256", kSourceHash}}},
              {"output", "k.elastic.cu"},
              {"arch", "sm_90"},
              {"kernels", {scale, gemm}}};
}

}  // namespace miriam::test
