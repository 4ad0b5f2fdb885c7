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

TEST_CASE("a number beyond double is malformed JSON, not an escaping exception") {
  // nlohmann throws out_of_range (not parse_error) here; it used to end the program.
  std::string text = sample_manifest_json().dump();
  text.replace(text.find("\"line\":3"), 8, "\"line\":3e78404");
  try {
    parse_manifest(text, "overflow.miriam.json");
    FAIL("accepted");
  } catch (const ManifestError& e) {
    CHECK(e.json_path() == "(top level)");
    CHECK(contains(e.problem(), "malformed JSON: [json.exception.out_of_range.406] number overflow"));
  }
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

TEST_CASE("a schema_version of another type, or none, also names the supported versions") {
  for (const nlohmann::json& version : {nlohmann::json("1"), nlohmann::json(1.0), nlohmann::json(nullptr),
                                        nlohmann::json(18446744073709551615ull)}) {
    auto doc = sample_manifest_json();
    doc["schema_version"] = version;
    const ManifestError e = expect_error(doc);
    CAPTURE(version.dump());
    CHECK(e.json_path() == "schema_version");
    CHECK(contains(e.problem(), "unsupported schema_version " + version.dump()));
    CHECK(contains(e.problem(), "version(s) 1"));
  }
  auto doc = sample_manifest_json();
  doc.erase("schema_version");
  const ManifestError e = expect_error(doc);
  CHECK(contains(e.problem(), "missing schema_version; this runtime reads version(s) 1"));
  CHECK(contains(e.hint(), "same release"));
}

TEST_CASE("huge numbers are errors, never truncated or wrapped") {
  SUBCASE("a line beyond int") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["location"]["line"] = 4294967299ll;  // would read as 3 truncated to int
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels[0].location.line");
    CHECK(contains(e.problem(), "integer 4294967299 is out of range"));
  }
  SUBCASE("a variant parameter position beyond int") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["variants"][0]["extra_params"][0]["position"] = 4294967296ll;  // would read as 0
    CHECK(expect_error(doc).json_path() == "kernels[0].variants[0].extra_params[0].position");
  }
  SUBCASE("a negative position") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["variants"][0]["extra_params"][0]["position"] = -1;
    CHECK(contains(expect_error(doc).problem(), "integer -1 is out of range [0, "));
  }
  SUBCASE("launch bounds beyond int") {
    auto doc = sample_manifest_json();
    doc["kernels"][1]["launch_bounds"]["max_threads_per_block"] = 2147483648ll;
    CHECK(expect_error(doc).json_path() == "kernels[1].launch_bounds.max_threads_per_block");
  }
  SUBCASE("an unsigned integer beyond int64 where a signed one is read") {
    auto doc = sample_manifest_json();
    doc["kernels"][0]["location"]["column"] = 18446744073709551615ull;  // would wrap to -1
    const ManifestError e = expect_error(doc);
    CHECK(e.json_path() == "kernels[0].location.column");
    CHECK(contains(e.problem(), "integer 18446744073709551615 is too large"));
  }
  SUBCASE("a number beyond every integer type is a float, reported as the wrong type") {
    std::string text = sample_manifest_json().dump();
    const std::string bytes = "\"static_shared_bytes\":0";
    REQUIRE(text.find(bytes) != std::string::npos);
    text.replace(text.find(bytes), bytes.size(), "\"static_shared_bytes\":184467440737095516160");
    try {
      parse_manifest(text, "big.miriam.json");
      FAIL("a number beyond uint64 was accepted");
    } catch (const ManifestError& e) {
      CHECK(contains(e.problem(), "expected a non-negative integer, found a floating-point number"));
    }
  }
}

TEST_CASE("the largest sizes that fit are read exactly") {
  auto doc = sample_manifest_json();
  doc["kernels"][0]["instantiations"][0]["static_shared_bytes"] = 18446744073709551615ull;
  doc["kernels"][0]["location"]["line"] = 2147483647;
  const miriam::Manifest m = parse_manifest(doc.dump(), "k.miriam.json");
  CHECK(m.kernels[0].instantiations[0].static_shared_bytes == 18446744073709551615ull);
  CHECK(m.kernels[0].location.line == 2147483647);
}

TEST_CASE("a shrunk variant: its shrink record is read, and required") {
  nlohmann::json doc = sample_manifest_json();
  nlohmann::json shrunk = {
      {"kind", "shrunk"},
      {"entry", "scale__miriam_shrunk"},
      {"mangled", {"_Z19scale__miriam_shrunkN6miriam5SliceENS_6ShrinkEPfi"}},
      {"extra_params",
       {{{"name", "slice"}, {"type", "miriam::Slice"}, {"position", 0}},
        {{"name", "shrink"}, {"type", "miriam::Shrink"}, {"position", 1}}}},
      {"shrink",
       {{"dimension", "outermost"}, {"max_factor", 8}, {"barrier_regions", 3}, {"barriers", 2},
        {"per_thread_values", 1}, {"combines_with", {"sliced"}}}}};
  doc["kernels"][0]["variants"].push_back(shrunk);
  doc["kernels"][0]["refused"] = nlohmann::json::array();
  SUBCASE("read") {
    const miriam::Manifest m = parse_manifest(doc.dump(), "k.miriam.json");
    const miriam::VariantInfo* v = m.kernels[0].variant(miriam::VariantKind::kShrunk);
    REQUIRE(v != nullptr);
    REQUIRE(v->shrink.has_value());
    CHECK(v->shrink->max_factor == 8);
    CHECK(v->shrink->combines_with_kind(miriam::VariantKind::kSliced));
    CHECK_FALSE(v->shrink->combines_with_kind(miriam::VariantKind::kPersistent));
  }
  SUBCASE("missing") {
    doc["kernels"][0]["variants"][1].erase("shrink");
    CHECK(expect_error(doc).json_path() == "kernels[0].variants[1].shrink");
  }
  SUBCASE("an unknown kind to combine with") {
    doc["kernels"][0]["variants"][1]["shrink"]["combines_with"] = {"tiled"};
    CHECK(expect_error(doc).json_path() == "kernels[0].variants[1].shrink.combines_with[0]");
  }
}
