// load_manifest / parse_manifest: good manifests read fully; bad ones fail
// with the file, the JSON path of the bad field, and what is wrong.
#include <cstdio>
#include <fstream>

#include <doctest/doctest.h>

#include "miriam/manifest.h"
#include "sample_manifest.h"

using miriam::ManifestError;
using miriam::parse_manifest;
using miriam::test::sample_manifest_json;

namespace {

// Parses and returns the error it must raise.
ManifestError expect_error(const nlohmann::json& doc) {
  try {
    parse_manifest(doc.dump(), "bad.miriam.json");
  } catch (const ManifestError& e) {
    return e;
  }
  FAIL("parse_manifest accepted a bad manifest");
  throw;  // unreachable
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a valid manifest is read completely") {
  const miriam::Manifest m = parse_manifest(sample_manifest_json().dump(), "k.miriam.json");
  CHECK(m.origin == "k.miriam.json");
  CHECK(m.schema_version == 1);
  CHECK(m.tool.name == "miriamc");
  CHECK(m.source.sha256 == miriam::test::kSourceHash);
  CHECK(m.arch == "sm_90");
  REQUIRE(m.kernels.size() == 2);
  const miriam::KernelInfo& scale = m.kernels[0];
  CHECK(scale.qualified_name == "scale");
  CHECK(scale.location.line == 3);
  CHECK_FALSE(scale.launch_bounds.has_value());
  CHECK(scale.features.reads_block_idx);
  REQUIRE(scale.params.size() == 2);
  CHECK(*scale.params[1].size == 4);
  REQUIRE(scale.variant(miriam::VariantKind::kSliced) != nullptr);
  CHECK(scale.variant(miriam::VariantKind::kSliced)->extra_params.at(0).type == "miriam::Slice");
  CHECK(scale.variant(miriam::VariantKind::kPersistent) == nullptr);
  REQUIRE(scale.refused.size() == 1);
  CHECK(scale.refused[0].kind == miriam::VariantKind::kShrunk);
  const miriam::KernelInfo& gemm = m.kernels[1];
  CHECK(gemm.is_template);
  REQUIRE(gemm.instantiations.size() == 2);
  CHECK(gemm.instantiations[1].static_shared_bytes == 8192);
  CHECK(*gemm.launch_bounds->max_threads_per_block == 256);
  CHECK(*gemm.launch_bounds->min_blocks_per_sm == 2);
}

TEST_CASE("null parameter sizes (template-dependent) are accepted") {
  auto doc = sample_manifest_json();
  doc["kernels"][1]["params"][0]["size"] = nullptr;
  doc["kernels"][1]["params"][0]["alignment"] = nullptr;
  const miriam::Manifest m = parse_manifest(doc.dump(), "k");
  CHECK_FALSE(m.kernels[1].params[0].size.has_value());
}

TEST_CASE("malformed JSON names the file and the byte") {
  ManifestError e("", "", "", "");
  try {
    parse_manifest("{\"schema_version\": 1,", "broken.miriam.json");
    FAIL("accepted");
  } catch (const ManifestError& err) {
    e = err;
  }
  CHECK(e.file() == "broken.miriam.json");
  CHECK(contains(e.problem(), "malformed JSON"));
  CHECK(contains(e.what(), "broken.miriam.json"));
}

TEST_CASE("a missing field is named by its JSON path") {
  auto doc = sample_manifest_json();
  doc["kernels"][1]["instantiations"][0].erase("mangled");
  const ManifestError e = expect_error(doc);
  CHECK(e.json_path() == "kernels[1].instantiations[0].mangled");
  CHECK(contains(e.problem(), "missing required field 'mangled'"));
  CHECK(contains(e.what(), "bad.miriam.json: kernels[1].instantiations[0].mangled: missing"));
  CHECK_FALSE(e.hint().empty());
}

TEST_CASE("missing top-level fields") {
  for (const char* field : {"tool", "source", "output", "arch", "kernels"}) {
    CAPTURE(field);
    auto doc = sample_manifest_json();
    doc.erase(field);
    CHECK(expect_error(doc).json_path() == field);
  }
}

TEST_CASE("a missing feature flag") {
  auto doc = sample_manifest_json();
  doc["kernels"][0]["features"].erase("grid_sync");
  CHECK(expect_error(doc).json_path() == "kernels[0].features.grid_sync");
}

TEST_CASE("wrong types say what was expected and what was found") {
  SUBCASE("string for an integer") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["params"][1]["size"] = "4";
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels[0].params[1].size");
    CHECK(contains(e.problem(), "expected a non-negative integer, found a string"));
  }
  SUBCASE("object for an array") {
    auto doc = sample_manifest_json();
    doc["kernels"] = nlohmann::json::object();
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels");
    CHECK(contains(e.problem(), "expected an array, found an object"));
  }
  SUBCASE("negative size") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["instantiations"][0]["static_shared_bytes"] = -1;
    CHECK(expect_error(doc).json_path() == "kernels[0].instantiations[0].static_shared_bytes");
  }
  SUBCASE("the top level is not an object") {
    const ManifestError e = expect_error(nlohmann::json::array());
    CHECK(contains(e.problem(), "expected an object"));
  }
}

TEST_CASE("an unsupported schema_version says which versions are supported") {
  auto doc = sample_manifest_json();
  doc["schema_version"] = 2;
  doc.erase("kernels");  // the version error must come first
  const ManifestError e = expect_error(doc);
  CHECK(e.json_path() == "schema_version");
  CHECK(contains(e.problem(), "unsupported schema_version 2"));
  CHECK(contains(e.problem(), "version(s) 1"));
}

TEST_CASE("content checks beyond types") {
  SUBCASE("sha256 that is not a digest") {
    auto doc = sample_manifest_json();
    doc["source"]["sha256"] = "ABC";
    CHECK(expect_error(doc).json_path() == "source.sha256");
  }
  SUBCASE("unknown variant kind") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["variants"][0]["kind"] = "warped";
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels[0].variants[0].kind");
    CHECK(contains(e.hint(), "sliced"));
  }
  SUBCASE("variant mangled names must pair with instantiations") {
    auto doc = sample_manifest_json();
    doc["kernels"][1]["variants"][0]["mangled"].erase(1);
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels[1].variants[0].mangled");
    CHECK(contains(e.problem(), "ns::gemm"));
  }
  SUBCASE("another tool") {
    auto doc = sample_manifest_json();
    doc["tool"]["name"] = "hipify";
    CHECK(expect_error(doc).json_path() == "tool.name");
  }
}

TEST_CASE("load_manifest reads files and reports a missing one") {
  const std::string path = "miriam_manifest_test.miriam.json";
  {
    std::ofstream out(path);
    out << sample_manifest_json().dump(2);
  }
  CHECK(miriam::load_manifest(path).kernels.size() == 2);
  std::remove(path.c_str());
  try {
    miriam::load_manifest("does/not/exist.miriam.json");
    FAIL("loaded a missing file");
  } catch (const ManifestError& e) {
    CHECK(e.file() == "does/not/exist.miriam.json");
    CHECK(contains(e.problem(), "cannot open"));
  }
}
