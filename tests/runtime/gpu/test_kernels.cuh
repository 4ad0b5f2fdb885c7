// Kernels of the coordinator's GPU tests, with their elastic variants written
// by hand the way miriamc emits them (templates/*.tmpl), their registration
// and their manifest, so these tests do not depend on the compiler.
//   affine  (sliced)              : the critical workload, short kernels
//   churn   (sliced + persistent) : long normal kernels, ~70 µs per logical block
//   churn_p (persistent only)     : the same work, preemptible but not sliceable
//   churn_s (sliced + shrunk)     : the same work in blocks of 1024 threads, for shrunk shards
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "miriam/elastic.cuh"

namespace coordinator_test {

// x[i] = x[i] * 3 + block % 7, rounded as written (no FMA contraction), so the CPU reference matches bit for bit.
__device__ inline void affine_block(float* x, int n, unsigned block) {
  const int i = static_cast<int>(block * blockDim.x + threadIdx.x);
  if (i < n) x[i] = __fadd_rn(__fmul_rn(x[i], 3.0f), static_cast<float>(block % 7));
}

// `rounds` steps of an LCG whose increment depends on the logical block.
__device__ inline void churn_thread(unsigned* x, int n, int rounds, unsigned block, unsigned thread, unsigned threads) {
  const int i = static_cast<int>(block * threads + thread);
  if (i >= n) return;
  unsigned v = x[i];
  const unsigned c = 1013904223u + block;
  for (int k = 0; k < rounds; ++k) v = v * 1664525u + c;
  x[i] = v;
}
__device__ inline void churn_block(unsigned* x, int n, int rounds, unsigned block) {
  churn_thread(x, n, rounds, block, threadIdx.x, blockDim.x);
}

__global__ void affine(float* x, int n) { affine_block(x, n, blockIdx.x); }
__global__ void affine__miriam_sliced(miriam::Slice slice, float* x, int n) {
  if (!miriam::slice_block_active(slice)) return;
  affine_block(x, n, miriam::slice_block_index(slice).x);
}

// The persistent loop of templates/persistent_prologue.cu.tmpl and _epilogue.
#define COORDINATOR_TEST_CHURN(name)                                                                          \
  __global__ void name(unsigned* x, int n, int rounds) { churn_block(x, n, rounds, blockIdx.x); }            \
  __global__ void name##__miriam_sliced(miriam::Slice slice, unsigned* x, int n, int rounds) {              \
    if (!miriam::slice_block_active(slice)) return;                                                           \
    churn_block(x, n, rounds, miriam::slice_block_index(slice).x);                                            \
  }                                                                                                           \
  __global__ void name##__miriam_persistent(miriam::PersistentControl* ctrl, const miriam::Slice slice,      \
                                            unsigned* x, int n, int rounds) {                                 \
    __shared__ miriam::PersistentClaims claims;                                                               \
    if (miriam::persistent_leader()) miriam::persistent_first_claim(claims, ctrl, slice);                     \
    __syncthreads();                                                                                          \
    for (unsigned slot = 0;; slot ^= 1u) {                                                                    \
      const miriam::PersistentClaim claim = claims.slot[slot];                                                \
      if (!claim.valid) break;                                                                                \
      churn_block(x, n, rounds, claim.block.x);                                                               \
      if (miriam::persistent_leader()) miriam::persistent_next_claim(claims, slot ^ 1u, ctrl, slice);         \
      __syncthreads();                                                                                        \
    }                                                                                                         \
    if (miriam::persistent_leader()) miriam::persistent_block_exit(ctrl, slice);                              \
  }

COORDINATOR_TEST_CHURN(churn)
COORDINATOR_TEST_CHURN(churn_p)

__global__ void churn_s(unsigned* x, int n, int rounds) { churn_block(x, n, rounds, blockIdx.x); }
__global__ void churn_s__miriam_sliced(miriam::Slice slice, unsigned* x, int n, int rounds) {
  if (!miriam::slice_block_active(slice)) return;
  churn_block(x, n, rounds, miriam::slice_block_index(slice).x);
}
// templates/sliced_prologue.cu.tmpl, then shrunk_prologue.cu.tmpl's slot loop (no barrier: one region).
__global__ void churn_s__miriam_shrunk(miriam::Slice slice, miriam::Shrink shrink, unsigned* x, int n, int rounds) {
  if (!miriam::slice_block_active(slice)) return;
  const unsigned block = miriam::slice_block_index(slice).x;
  const uint3 physical = miriam::shrunk_physical_thread();
  for (unsigned s = 0; s < shrink.factor; ++s)
    churn_thread(x, n, rounds, block, miriam::shrunk_thread_index(shrink, physical, s).x, shrink.block.x);
}

inline const miriam::VariantSymbol affine_variants[] = {
    {"sliced", "affine__miriam_sliced", reinterpret_cast<const void*>(&affine__miriam_sliced)}};
inline const miriam::VariantSymbol churn_variants[] = {
    {"sliced", "churn__miriam_sliced", reinterpret_cast<const void*>(&churn__miriam_sliced)},
    {"persistent", "churn__miriam_persistent", reinterpret_cast<const void*>(&churn__miriam_persistent)}};
inline const miriam::VariantSymbol churn_p_variants[] = {
    {"persistent", "churn_p__miriam_persistent", reinterpret_cast<const void*>(&churn_p__miriam_persistent)}};
inline const miriam::VariantSymbol churn_s_variants[] = {
    {"sliced", "churn_s__miriam_sliced", reinterpret_cast<const void*>(&churn_s__miriam_sliced)},
    {"shrunk", "churn_s__miriam_shrunk", reinterpret_cast<const void*>(&churn_s__miriam_shrunk)}};
inline const miriam::KernelSymbol kernels[] = {
    {"affine", "", "_Z6affinePfi", reinterpret_cast<const void*>(&affine), affine_variants, 1},
    {"churn", "", "_Z5churnPjii", reinterpret_cast<const void*>(&churn), churn_variants, 2},
    {"churn_p", "", "_Z7churn_pPjii", reinterpret_cast<const void*>(&churn_p), churn_p_variants, 1},
    {"churn_s", "", "_Z7churn_sPjii", reinterpret_cast<const void*>(&churn_s), churn_s_variants, 2}};
inline const std::string kHash(64, 'c');
inline const miriam::SourceRegistration registration{"coordinator_test_kernels.cu", kHash.c_str(), kernels, 4};
inline const miriam::Registrar registrar(registration);

inline std::string manifest_json() {
  using nlohmann::json;
  auto param = [](const char* name, const char* type, int size) {
    return json{{"name", name}, {"type", type}, {"size", size}, {"alignment", size}};
  };
  const json features = {{"barriers", false}, {"warp_level_ops", false}, {"atomics", false},
                         {"dynamic_shared_memory", false}, {"static_shared_memory", false},
                         {"reads_block_idx", true}, {"reads_grid_dim", false}, {"early_return", true},
                         {"grid_sync", false}, {"cooperative_groups", false},
                         {"device_callees_reading_builtins", json::array()}};
  const json slice = {{"name", "__miriam_slice"}, {"type", "miriam::Slice"}, {"position", 0}};
  const json control = {{"name", "__miriam_ctrl"}, {"type", "miriam::PersistentControl*"}, {"position", 0}};
  const json slice_second = {{"name", "__miriam_slice"}, {"type", "miriam::Slice"}, {"position", 1}};
  const json shrink_second = {{"name", "__miriam_shrink"}, {"type", "miriam::Shrink"}, {"position", 1}};
  const json extra_params = {{"sliced", {slice}}, {"persistent", {control, slice_second}},
                             {"shrunk", {slice, shrink_second}}};
  const json shrink = {{"dimension", "outermost"}, {"max_factor", 0}, {"barrier_regions", 1}, {"barriers", 0},
                       {"per_thread_values", 0}, {"combines_with", {"sliced"}}};
  auto kernel = [&](const std::string& name, const std::string& mangled, const json& params,
                    const std::vector<std::string>& kinds) {
    json variants = json::array();
    for (const std::string& kind : kinds) {
      json variant = {{"kind", kind},
                      {"entry", name + "__miriam_" + kind},
                      {"mangled", {name + "__miriam_" + kind}},
                      {"extra_params", extra_params.at(kind)}};
      if (kind == "shrunk") variant["shrink"] = shrink;
      variants.push_back(variant);
    }
    return json{{"name", name}, {"qualified_name", name},
                {"location", {{"file", "t.cu"}, {"line", 1}, {"column", 1}}},
                {"is_template", false}, {"params", params},
                {"instantiations", {{{"mangled", mangled}, {"template_args", ""}, {"params", params},
                                     {"static_shared_bytes", 0}}}},
                {"launch_bounds", nullptr}, {"features", features}, {"variants", variants},
                {"refused", json::array()}};
  };
  const json affine_params = {param("x", "float *", 8), param("n", "int", 4)};
  const json churn_params = {param("x", "unsigned int *", 8), param("n", "int", 4), param("rounds", "int", 4)};
  return json{{"schema_version", 1},
              {"tool", {{"name", "miriamc"}, {"version", "t"}, {"clang_version", "22"}}},
              {"source", {{"path", "t.cu"}, {"sha256", kHash}}},
              {"output", "t.elastic.cu"}, {"arch", "sm_90"},
              {"kernels", {kernel("affine", "_Z6affinePfi", affine_params, {"sliced"}),
                           kernel("churn", "_Z5churnPjii", churn_params, {"sliced", "persistent"}),
                           kernel("churn_p", "_Z7churn_pPjii", churn_params, {"persistent"}),
                           kernel("churn_s", "_Z7churn_sPjii", churn_params, {"sliced", "shrunk"})}}}
      .dump();
}

// CPU references. affine: `times` applications.
inline void affine_reference(std::vector<float>& x, int threads, int times) {
  for (int t = 0; t < times; ++t)
    for (size_t i = 0; i < x.size(); ++i) {
      const volatile float product = x[i] * 3.0f;  // rounded, as __fmul_rn
      x[i] = product + static_cast<float>((i / threads) % 7);
    }
}

// churn: per block the LCG's `rounds` steps compose to one affine map v -> a*v + c (mod 2^32).
inline void churn_reference(std::vector<unsigned>& x, int threads, int rounds, int times) {
  const size_t blocks = (x.size() + threads - 1) / threads;
  for (size_t b = 0; b < blocks; ++b) {
    unsigned a = 1, c = 0;
    const unsigned inc = 1013904223u + static_cast<unsigned>(b);
    for (int k = 0; k < rounds; ++k) a *= 1664525u, c = c * 1664525u + inc;
    for (size_t i = b * threads; i < std::min(x.size(), (b + 1) * threads); ++i)
      for (int t = 0; t < times; ++t) x[i] = a * x[i] + c;
  }
}

}  // namespace coordinator_test
