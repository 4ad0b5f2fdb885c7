// The small DNN spec set that tools/device/dnn_sanitize.sh runs under
// compute-sanitizer: it parses, covers every layer kernel with elastic
// variants in the DNN layers' manifest, and has shapes worth sanitizing.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dnn_small_specs.h"

using miriam::check::LaunchSpec;
using miriam::check::ManifestView;
using miriam::dnn_small::launch_problems;
using miriam::dnn_small::spec_set_problems;
using nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(sep, begin), text.size());
    if (end > begin) out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

// A residual add over `count` elements in a grid of `blocks` blocks with
// buffers of `size` elements.
LaunchSpec residual(long long count, unsigned blocks, long long size) {
  const json buffer = {{"buffer", "float"}, {"count", static_cast<unsigned long long>(size)}, {"init", "random"}};
  const json launch = {{"kernel", "dnn_residual_add"},
                       {"grid", {blocks}},
                       {"block", {256u}},
                       {"args", {buffer, buffer, buffer, {{"scalar", "int"}, {"value", count}}, {{"scalar", "int"}, {"value", 1}}}}};
  return miriam::check::parse_launch(launch, "x.launch.json", 0);
}

// A manifest of two kernels with variants and one without.
ManifestView manifest() {
  auto kernel = [](const char* name, int params, bool variants) {
    json p = json::array();
    for (int i = 0; i < params; ++i) p.push_back({{"name", "p"}, {"type", "?"}, {"size", nullptr}});
    const json instantiation = {{"template_args", ""}, {"mangled", name}, {"static_shared_bytes", 0}, {"params", p}};
    json k = {{"qualified_name", name},
              {"instantiations", {instantiation}},
              {"variants", json::array()},
              {"refused", json::array()}};
    if (variants)
      k["variants"].push_back(
          {{"kind", "sliced"}, {"entry", std::string(name) + "__miriam_sliced"}, {"mangled", json::array()}});
    return k;
  };
  const json doc = {{"schema_version", 1},
                    {"kernels", {kernel("dnn_residual_add", 5, true), kernel("dnn_gru_cell", 6, true),
                                 kernel("dnn_unused", 1, false)}}};
  ManifestView view;
  view.add_document(doc.dump(), "layers.miriam.json");
  return view;
}

}  // namespace

TEST_CASE("a well-shaped launch has no problems") {
  CHECK(launch_problems(residual(2600, 11, 2600)).empty());
}

TEST_CASE("shape problems are found") {
  // One block only, and no partial block.
  auto p = launch_problems(residual(256, 1, 256));
  CHECK(mentions(p, "grid dimension 0 has 1 block"));
  CHECK(mentions(p, "edge not exercised"));
  // A grid the launcher would not give.
  CHECK(mentions(launch_problems(residual(2600, 12, 2600)), "the launcher gives (11, 1, 1)"));
  // A buffer larger than what the kernel touches hides overruns from memcheck.
  CHECK(mentions(launch_problems(residual(2600, 11, 2700)), "memcheck needs the exact size"));
  // A kernel without a shape rule.
  LaunchSpec unknown = residual(2600, 11, 2600);
  unknown.kernel = "dnn_new_layer";
  CHECK(mentions(launch_problems(unknown), "no shape rule"));
}

TEST_CASE("a kernel with variants but no launch is reported") {
  const ManifestView view = manifest();
  const auto p = spec_set_problems({residual(2600, 11, 2600)}, view);
  CHECK(mentions(p, "dnn_gru_cell (layers.miriam.json): has elastic variants but no launch"));
  CHECK_FALSE(mentions(p, "dnn_residual_add"));
  CHECK_FALSE(mentions(p, "dnn_unused"));  // no variants: nothing to sanitize
}

TEST_CASE("a launch of a kernel the manifests lack is reported") {
  LaunchSpec spec = residual(2600, 11, 2600);
  spec.kernel = "dnn_gone";
  CHECK(mentions(spec_set_problems({spec}, manifest()), "dnn_gone: not in the manifests"));
}

TEST_CASE("test_kernels/specs_dnn_small parses and has worth-sanitizing shapes") {
  const auto specs = miriam::check::load_specs(MIRIAM_DNN_SMALL_SPECS_DIR);
  REQUIRE(specs.size() >= miriam::dnn_small::known_kernels().size());
  std::vector<std::string> problems;
  for (const LaunchSpec& spec : specs)
    for (std::string& p : launch_problems(spec)) problems.push_back(std::move(p));
  INFO(joined(problems));
  CHECK(problems.empty());
}

#ifdef MIRIAM_DNN_LAYERS_MANIFESTS
TEST_CASE("every DNN layer kernel with elastic variants has a small launch") {
  ManifestView view;
  const auto manifests = split(MIRIAM_DNN_LAYERS_MANIFESTS, '|');
  REQUIRE_FALSE(manifests.empty());
  for (const std::string& path : manifests) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path << " (build miriam_dnn_layers first)");
    std::stringstream text;
    text << in.rdbuf();
    view.add_document(text.str(), path.substr(path.find_last_of('/') + 1));
  }
  REQUIRE(view.entries().size() > 0);
  const auto problems = spec_set_problems(miriam::check::load_specs(MIRIAM_DNN_SMALL_SPECS_DIR), view);
  INFO(joined(problems));
  CHECK(problems.empty());
}
#endif
