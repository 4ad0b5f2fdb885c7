// Binding manifests to a registry built here from fake symbols: plain C++,
// fake host-stub pointers, no CUDA.
#include <map>

#include <doctest/doctest.h>

#include "miriam/kernel_catalog.h"
#include "sample_manifest.h"

using miriam::BindingError;
using miriam::VariantKind;

namespace {

// Stand-ins for host stubs: only their addresses matter.
char scale_stub, scale_sliced_stub, gemm_f_stub, gemm_f_sliced_stub, gemm_d_stub, gemm_d_sliced_stub;

const miriam::VariantSymbol scale_variants[] = {{"sliced", "scale__miriam_sliced", &scale_sliced_stub}};
const miriam::VariantSymbol gemm_f_variants[] = {{"sliced", "ns::gemm__miriam_sliced", &gemm_f_sliced_stub}};
const miriam::VariantSymbol gemm_d_variants[] = {{"sliced", "ns::gemm__miriam_sliced", &gemm_d_sliced_stub}};

const miriam::KernelSymbol kernels[] = {
    {"scale", "", "_Z5scalePfi", &scale_stub, scale_variants, 1},
    {"ns::gemm", "float", "_ZN2ns4gemmIfEEvPKT_PS1_", &gemm_f_stub, gemm_f_variants, 1},
    {"ns::gemm", "double", "_ZN2ns4gemmIdEEvPKT_PS1_", &gemm_d_stub, gemm_d_variants, 1},
};

// A registry as the emitted registration code would fill it.
struct FakeProgram {
  std::string hash = miriam::test::kSourceHash;
  std::vector<miriam::KernelSymbol> symbols{std::begin(kernels), std::end(kernels)};
  miriam::SourceRegistration registration{};
  miriam::Registry registry;

  void build() {
    registration = {"k.cu", hash.c_str(), symbols.data(), static_cast<unsigned>(symbols.size())};
    registry.add(&registration);
  }
};

// Parameter sizes as cudaFuncGetParamInfo would report them.
struct FakeIntrospector : miriam::KernelIntrospector {
  std::map<const void*, std::vector<std::uint64_t>> sizes{
      {&scale_stub, {8, 4}},          {&scale_sliced_stub, {32, 8, 4}},
      {&gemm_f_stub, {8, 8}},         {&gemm_f_sliced_stub, {32, 8, 8}},
      {&gemm_d_stub, {8, 8}},         {&gemm_d_sliced_stub, {32, 8, 8}}};
  std::optional<std::vector<std::uint64_t>> param_sizes(const void* stub) const override {
    auto it = sizes.find(stub);
    if (it == sizes.end()) return std::nullopt;
    return it->second;
  }
};

miriam::Manifest manifest(const nlohmann::json& doc = miriam::test::sample_manifest_json()) {
  return miriam::parse_manifest(doc.dump(), "k.miriam.json");
}

std::vector<std::string> bind_problems(const miriam::Manifest& m, const miriam::Registry& r,
                                       const miriam::KernelIntrospector* intro) {
  try {
    miriam::bind_manifest(m, r, intro);
  } catch (const BindingError& e) {
    return e.problems();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a matching manifest binds every instantiation and variant") {
  FakeProgram program;
  program.build();
  FakeIntrospector intro;
  const miriam::Manifest m = manifest();
  const auto bound = miriam::bind_manifest(m, program.registry, &intro);
  REQUIRE(bound.size() == 3);
  CHECK(bound[0].symbol->original == &scale_stub);
  REQUIRE(bound[0].variant(VariantKind::kSliced) != nullptr);
  CHECK(bound[0].variant(VariantKind::kSliced)->symbol->host_stub == &scale_sliced_stub);
  CHECK(bound[0].variant(VariantKind::kPersistent) == nullptr);
  CHECK(bound[2].display_name() == "ns::gemm<double>");
  CHECK(bound[2].instantiation->static_shared_bytes == 8192);
}

TEST_CASE("a kernel the program does not contain is named") {
  FakeProgram program;
  program.symbols.pop_back();  // ns::gemm<double> not compiled in
  program.build();
  const auto problems = bind_problems(manifest(), program.registry, nullptr);
  REQUIRE(problems.size() == 1);
  CHECK(contains(problems[0], "ns::gemm<double>"));
  CHECK(contains(problems[0], "_ZN2ns4gemmIdEEvPKT_PS1_"));
  CHECK(contains(problems[0], "not compiled into this program"));
}

TEST_CASE("an unknown kernel in the manifest") {
  auto doc = miriam::test::sample_manifest_json();
  doc["kernels"][0]["qualified_name"] = "softmax";
  doc["kernels"][0]["instantiations"][0]["mangled"] = "_Z7softmaxPfi";
  FakeProgram program;
  program.build();
  const auto problems = bind_problems(manifest(doc), program.registry, nullptr);
  REQUIRE(problems.size() == 1);
  CHECK(contains(problems[0], "softmax"));
}

TEST_CASE("a source hash mismatch is an error for every kernel of that source") {
  FakeProgram program;
  program.hash = std::string(64, 'b');
  program.build();
  const auto problems = bind_problems(manifest(), program.registry, nullptr);
  REQUIRE(problems.size() == 3);
  CHECK(contains(problems[0], "'scale'"));
  CHECK(contains(problems[0], "sha256 bbbbbbbbbbbb..."));
  CHECK(contains(problems[0], "re-run miriamc"));
}

TEST_CASE("a variant the manifest lists but the program lacks") {
  FakeProgram program;
  program.symbols[0].variant_count = 0;
  program.build();
  const auto problems = bind_problems(manifest(), program.registry, nullptr);
  REQUIRE(problems.size() == 1);
  CHECK(contains(problems[0], "'scale'"));
  CHECK(contains(problems[0], "sliced variant"));
}

TEST_CASE("mismatched parameters") {
  FakeProgram program;
  program.build();
  FakeIntrospector intro;
  SUBCASE("the compiled kernel takes another number of parameters") {
    intro.sizes[&scale_stub] = {8, 4, 4};
    const auto problems = bind_problems(manifest(), program.registry, &intro);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "'scale'"));
    CHECK(contains(problems[0], "gives 2 parameter(s) for the original kernel, the compiled one takes 3"));
  }
  SUBCASE("a parameter of another size") {
    intro.sizes[&gemm_d_stub] = {8, 4};
    const auto problems = bind_problems(manifest(), program.registry, &intro);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "ns::gemm<double>"));
    CHECK(contains(problems[0], "parameter 1 'c'"));
  }
  SUBCASE("the sliced variant lacks its slice parameter") {
    intro.sizes[&scale_sliced_stub] = {8, 4};
    const auto problems = bind_problems(manifest(), program.registry, &intro);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "sliced variant"));
  }
  SUBCASE("kernel and instantiation parameter lists disagree in the manifest") {
    auto doc = miriam::test::sample_manifest_json();
    doc["kernels"][0]["params"].erase(1);
    const auto problems = bind_problems(manifest(doc), program.registry, &intro);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "lists 1 parameter(s) for the kernel but 2"));
  }
}

TEST_CASE("the catalog finds kernels by host stub and refuses a kernel described twice") {
  FakeProgram program;
  program.build();
  FakeIntrospector intro;
  miriam::KernelCatalog catalog;
  catalog.add(manifest(), program.registry, &intro);
  CHECK(catalog.size() == 3);
  const miriam::BoundKernel* gemm = catalog.find_by_original(&gemm_f_stub);
  REQUIRE(gemm != nullptr);
  CHECK(gemm->display_name() == "ns::gemm<float>");
  CHECK(catalog.find_by_mangled("_Z5scalePfi")->symbol->original == &scale_stub);
  CHECK(catalog.find_by_original(&scale_sliced_stub) == nullptr);
  CHECK_THROWS_AS(catalog.add(manifest(), program.registry, &intro), BindingError);
  CHECK(catalog.size() == 3);
}

TEST_CASE("variants whose leading parameters the runtime would pass wrongly are refused") {
  FakeProgram program;
  program.build();
  SUBCASE("a sliced variant without its Slice first") {
    auto doc = miriam::test::sample_manifest_json();
    doc["kernels"][0]["variants"][0]["extra_params"][0]["position"] = 1;
    const auto problems = bind_problems(manifest(doc), program.registry, nullptr);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "scale"));
    CHECK(contains(problems[0], "leading parameters are not (miriam::Slice)"));
  }
  SUBCASE("a persistent variant with (Slice, PersistentControl*) swapped") {
    char persistent_stub;
    const miriam::VariantSymbol variants[] = {{"sliced", "scale__miriam_sliced", &scale_sliced_stub},
                                              {"persistent", "scale__miriam_persistent", &persistent_stub}};
    FakeProgram with_persistent;
    with_persistent.symbols[0].variants = variants;
    with_persistent.symbols[0].variant_count = 2;
    with_persistent.build();
    auto doc = miriam::test::sample_manifest_json();
    nlohmann::json persistent = {
        {"kind", "persistent"},
        {"entry", "scale__miriam_persistent"},
        {"mangled", {"x"}},
        {"extra_params",
         {{{"name", "s"}, {"type", "miriam::Slice"}, {"position", 0}},
          {{"name", "c"}, {"type", "miriam::PersistentControl *"}, {"position", 1}}}}};
    doc["kernels"][0]["variants"].push_back(persistent);
    auto problems = bind_problems(manifest(doc), with_persistent.registry, nullptr);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "persistent variant's leading parameters are not (miriam::PersistentControl*, miriam::Slice)"));
    // In the order miriamc emits, it binds.
    std::swap(doc["kernels"][0]["variants"][1]["extra_params"][0]["type"],
              doc["kernels"][0]["variants"][1]["extra_params"][1]["type"]);
    const miriam::Manifest m = manifest(doc);
    const auto bound = miriam::bind_manifest(m, with_persistent.registry, nullptr);
    REQUIRE(bound[0].variant(VariantKind::kPersistent) != nullptr);
    CHECK(bound[0].variant(VariantKind::kPersistent)->symbol->host_stub == &persistent_stub);
  }
  SUBCASE("a shrunk variant that combines with slicing must take (Slice, Shrink)") {
    char shrunk_stub;
    const miriam::VariantSymbol variants[] = {{"sliced", "scale__miriam_sliced", &scale_sliced_stub},
                                              {"shrunk", "scale__miriam_shrunk", &shrunk_stub}};
    FakeProgram with_shrunk;
    with_shrunk.symbols[0].variants = variants;
    with_shrunk.symbols[0].variant_count = 2;
    with_shrunk.build();
    auto doc = miriam::test::sample_manifest_json();
    nlohmann::json shrunk = {
        {"kind", "shrunk"},
        {"entry", "scale__miriam_shrunk"},
        {"mangled", {"x"}},
        {"extra_params", {{{"name", "f"}, {"type", "miriam::Shrink"}, {"position", 0}}}},
        {"shrink",
         {{"dimension", "outermost"}, {"max_factor", 0}, {"barrier_regions", 1}, {"barriers", 0},
          {"per_thread_values", 0}, {"combines_with", {"sliced"}}}}};
    doc["kernels"][0]["variants"].push_back(shrunk);
    doc["kernels"][0]["refused"] = nlohmann::json::array();
    auto problems = bind_problems(manifest(doc), with_shrunk.registry, nullptr);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "shrunk variant's leading parameters are not (miriam::Slice, miriam::Shrink)"));
    // As miriamc emits it, it binds.
    doc["kernels"][0]["variants"][1]["extra_params"] = {
        {{"name", "s"}, {"type", "miriam::Slice"}, {"position", 0}},
        {{"name", "f"}, {"type", "miriam::Shrink"}, {"position", 1}}};
    const miriam::Manifest m = manifest(doc);
    const auto bound = miriam::bind_manifest(m, with_shrunk.registry, nullptr);
    REQUIRE(bound[0].variant(VariantKind::kShrunk) != nullptr);
    CHECK(bound[0].variant(VariantKind::kShrunk)->symbol->host_stub == &shrunk_stub);
  }
}
