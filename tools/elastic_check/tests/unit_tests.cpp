// CPU-only unit tests of elastic_check: spec parsing and argument layout,
// schedules, initial images, comparison, manifests, resolution, report.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.h"
#include "compare.h"
#include "init.h"
#include "manifest_view.h"
#include "report.h"
#include "resolve.h"
#include "schedule.h"
#include "spec.h"
#include "stats.h"

using namespace miriam::check;
using nlohmann::json;

namespace {

LaunchSpec parse(const char* text) { return parse_launch(json::parse(text), "test.launch.json", 0); }

template <typename T>
T read_as(const std::vector<unsigned char>& bytes, std::size_t offset = 0) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

const char* kExample = R"({ "launches": [ { "kernel": "ns::saxpy", "template_args": "", "grid": [64,1,1],
    "block": [256,1,1], "dynamic_shared_bytes": 0, "order_independent": true,
    "args": [ {"scalar": "float", "value": 2.0},
              {"buffer": "float", "count": 16384, "init": "random"},
              {"buffer": "float", "count": 16384, "init": "poison"},
              {"buffer": "int", "count": 256, "init": "zero"},
              {"buffer": "int", "count": 16384, "init": "random", "min": 0, "max": 255},
              {"struct": [ {"scalar":"float","value":1.5}, {"buffer":"float","count":100,"init":"random"} ]} ] } ] })";

}  // namespace

TEST_CASE("the example spec parses") {
  const auto specs = parse_spec_document(json::parse(kExample), "saxpy.launch.json");
  REQUIRE(specs.size() == 1);
  const LaunchSpec& s = specs[0];
  CHECK(s.kernel == "ns::saxpy");
  CHECK(s.template_args.empty());
  CHECK(s.grid == std::array<unsigned, 3>{64, 1, 1});
  CHECK(s.block_count() == 64);
  CHECK(s.order_independent);
  REQUIRE(s.args.size() == 6);
  CHECK(read_as<float>(s.args[0].scalar) == 2.0f);
  REQUIRE(s.buffers.size() == 5);
  CHECK(s.buffers[0].init == Init::Random);
  CHECK(s.buffers[0].min == -1.0);
  CHECK(s.buffers[0].max == 1.0);
  CHECK(s.buffers[1].init == Init::Poison);
  CHECK(s.buffers[2].init == Init::Zero);
  CHECK(s.buffers[3].max == 255.0);
  CHECK(s.buffers[4].name == "arg5.1");
  CHECK(s.args[5].fields[1].buffer == 4);
  CHECK(s.args[5].offsets == std::vector<std::size_t>{0, 8});
  CHECK(s.args[5].size == 16);
  CHECK(s.args[5].alignment == 8);
  CHECK(s.display_name() == "ns::saxpy");
}

TEST_CASE("grid and block default missing dimensions to 1") {
  const LaunchSpec s = parse(R"({"kernel":"k","template_args":"float, 4","grid":[7,3],"block":[32],"args":[]})");
  CHECK(s.grid == std::array<unsigned, 3>{7, 3, 1});
  CHECK(s.block == std::array<unsigned, 3>{32, 1, 1});
  CHECK(s.block_count() == 21);
  CHECK_FALSE(s.order_independent);
  CHECK(s.display_name() == "k<float, 4>");
}

TEST_CASE("scalar sizes and bytes") {
  const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[
      {"scalar":"double","value":0.5}, {"scalar":"half","value":1.5}, {"scalar":"int","value":-7},
      {"scalar":"unsigned","value":4000000000}, {"scalar":"int8","value":-128}, {"scalar":"uint8","value":255},
      {"scalar":"int64","value":-5000000000}, {"scalar":"uint64","value":18446744073709551615}]})");
  CHECK(read_as<double>(s.args[0].scalar) == 0.5);
  CHECK(s.args[1].size == 2);
  CHECK(read_as<std::uint16_t>(s.args[1].scalar) == 0x3e00);
  CHECK(read_as<std::int32_t>(s.args[2].scalar) == -7);
  CHECK(read_as<std::uint32_t>(s.args[3].scalar) == 4000000000u);
  CHECK(read_as<std::int8_t>(s.args[4].scalar) == -128);
  CHECK(read_as<std::uint8_t>(s.args[5].scalar) == 255);
  CHECK(read_as<std::int64_t>(s.args[6].scalar) == -5000000000ll);
  CHECK(read_as<std::uint64_t>(s.args[7].scalar) == 18446744073709551615ull);
  for (std::size_t i = 0; i < s.args.size(); ++i) CHECK(s.args[i].size == s.args[i].alignment);
}

TEST_CASE("struct layout follows natural C alignment") {
  SUBCASE("char, int, char") {
    const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[{"struct":[
        {"scalar":"int8","value":1},{"scalar":"int","value":2},{"scalar":"int8","value":3}]}]})");
    CHECK(s.args[0].offsets == std::vector<std::size_t>{0, 4, 8});
    CHECK(s.args[0].size == 12);
    CHECK(s.args[0].alignment == 4);
  }
  SUBCASE("half, double, half") {
    const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[{"struct":[
        {"scalar":"half","value":1},{"scalar":"double","value":2},{"scalar":"half","value":3}]}]})");
    CHECK(s.args[0].offsets == std::vector<std::size_t>{0, 8, 16});
    CHECK(s.args[0].size == 24);
    CHECK(s.args[0].alignment == 8);
  }
  SUBCASE("nested struct") {
    const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[{"struct":[
        {"scalar":"uint8","value":1},
        {"struct":[{"scalar":"half","value":1},{"scalar":"int8","value":2}]},
        {"buffer":"int","count":4,"init":"zero"}]}]})");
    const ArgSpec& a = s.args[0];
    CHECK(a.fields[1].size == 4);
    CHECK(a.fields[1].alignment == 2);
    CHECK(a.offsets == std::vector<std::size_t>{0, 2, 8});
    CHECK(a.size == 16);
    CHECK(s.buffers[0].name == "arg0.2");
  }
  SUBCASE("only small fields") {
    const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[{"struct":[
        {"scalar":"uint8","value":1},{"scalar":"uint8","value":2},{"scalar":"uint8","value":3}]}]})");
    CHECK(s.args[0].size == 3);
    CHECK(s.args[0].alignment == 1);
  }
}

TEST_CASE("spec errors are reported") {
  auto bad = [](const char* args) {
    const std::string text = std::string(R"({"kernel":"k","grid":[1],"block":[1],"args":[)") + args + "]}";
    return parse_launch(json::parse(text), "x", 0);
  };
  CHECK_THROWS_AS(bad(R"({"scalar":"float"})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"complex","value":1})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"int8","value":200})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"int","value":1.5})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"unsigned","value":-1})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"uint64","value":-1})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"float","count":4})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"float","count":0,"init":"zero"})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"float","count":4,"init":"ones"})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"float","count":4,"init":"zero","min":0})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"int","count":4,"init":"random","min":5,"max":1})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"uint8","count":4,"init":"random","max":256})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"buffer":"float","count":4,"init":"zero","typo":1})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"scalar":"float","value":1,"buffer":"float"})"), SpecError);
  CHECK_THROWS_AS(bad(R"({"struct":[]})"), SpecError);
  CHECK_THROWS_AS(parse(R"({"kernel":"k","grid":[0],"block":[1],"args":[]})"), SpecError);
  CHECK_THROWS_AS(parse(R"({"kernel":"k","grid":[1],"args":[]})"), SpecError);
  CHECK_THROWS_AS(parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[],"gird":[1]})"), SpecError);
}

TEST_CASE("integer buffers default to [0, min(1000, max of type)]") {
  const LaunchSpec s = parse(R"({"kernel":"k","grid":[1],"block":[1],"args":[
      {"buffer":"int","count":4,"init":"random"},{"buffer":"uint8","count":4,"init":"random"},
      {"buffer":"int8","count":4,"init":"random"}]})");
  CHECK(s.buffers[0].max == 1000);
  CHECK(s.buffers[1].max == 255);
  CHECK(s.buffers[2].max == 127);
}

TEST_CASE("float to half") {
  CHECK(float_to_half_bits(1.0f) == 0x3c00);
  CHECK(float_to_half_bits(-2.0f) == 0xc000);
  CHECK(float_to_half_bits(0.0f) == 0x0000);
  CHECK(float_to_half_bits(-0.0f) == 0x8000);
  CHECK(float_to_half_bits(65504.0f) == 0x7bff);
  CHECK(float_to_half_bits(65520.0f) == 0x7c00);  // rounds up to inf
  CHECK(float_to_half_bits(0.1f) == 0x2e66);
  CHECK(float_to_half_bits(5.9604645e-8f) == 0x0001);  // smallest subnormal
  CHECK(float_to_half_bits(6.1035156e-5f) == 0x0400);  // smallest normal
  CHECK(float_to_half_bits(1.0f + 1.0f / 2048) == 0x3c00);  // tie to even
  CHECK(float_to_half_bits(1.0f + 3.0f / 2048) == 0x3c02);  // tie to even (up)
}

TEST_CASE("even slices cover [0, n) exactly once with near-equal sizes") {
  for (unsigned long long n : {1ull, 2ull, 3ull, 7ull, 10ull, 64ull, 100ull, 1001ull}) {
    for (unsigned long long k : {1ull, 2ull, 3ull, 7ull, 64ull, 5000ull}) {
      const auto slices = even_slices(n, k);
      CHECK(slices.size() == std::min(n, k));
      CHECK(covers_exactly_once(slices, n));
      unsigned long long lo = n, hi = 0, prev_end = 0;
      for (const SliceRange& s : slices) {
        CHECK(s.begin == prev_end);  // contiguous, in order
        prev_end = s.end;
        lo = std::min(lo, s.end - s.begin);
        hi = std::max(hi, s.end - s.begin);
      }
      CHECK(hi - lo <= 1);
    }
  }
}

TEST_CASE("fixed-size slices") {
  const auto slices = fixed_size_slices(10, 3);
  REQUIRE(slices.size() == 4);
  CHECK(slices.back().begin == 9);
  CHECK(slices.back().end == 10);
  CHECK(covers_exactly_once(slices, 10));
}

TEST_CASE("covers_exactly_once rejects gaps, overlaps, empties, short covers") {
  CHECK_FALSE(covers_exactly_once({{0, 2}, {3, 4}}, 4));
  CHECK_FALSE(covers_exactly_once({{0, 3}, {2, 4}}, 4));
  CHECK_FALSE(covers_exactly_once({{0, 2}, {2, 2}, {2, 4}}, 4));
  CHECK_FALSE(covers_exactly_once({{0, 2}}, 4));
  CHECK(covers_exactly_once({{2, 4}, {0, 2}}, 4));
}

TEST_CASE("shuffling is a permutation and changes the order") {
  Rng rng(42);
  for (std::size_t n : {2u, 3u, 7u, 100u}) {
    for (int trial = 0; trial < 20; ++trial) {
      const auto ordered = fixed_size_slices(n, 1);
      auto shuffled = ordered;
      shuffle_slices(shuffled, rng);
      CHECK(covers_exactly_once(shuffled, n));
      std::set<unsigned long long> begins;
      for (const auto& s : shuffled) begins.insert(s.begin);
      CHECK(begins.size() == n);
      CHECK_FALSE(std::equal(shuffled.begin(), shuffled.end(), ordered.begin(),
                             [](const SliceRange& a, const SliceRange& b) { return a.begin == b.begin; }));
    }
  }
}

TEST_CASE("standard schedules") {
  SUBCASE("order independent") {
    const auto s = standard_slice_schedules(64, true, 1);
    std::vector<std::string> names;
    for (const auto& x : s) names.push_back(x.name);
    CHECK(names == std::vector<std::string>{"1 slice", "2 slices", "2 slices shuffled", "3 slices", "3 slices shuffled",
                                            "7 slices", "7 slices shuffled", "per-block", "per-block shuffled"});
    for (const auto& x : s) CHECK(covers_exactly_once(x.slices, 64));
    CHECK(s.back().slices.size() == 64);
  }
  SUBCASE("order dependent: no shuffles") {
    const auto s = standard_slice_schedules(64, false, 1);
    CHECK(s.size() == 5);
    for (const auto& x : s) CHECK_FALSE(x.shuffled);
  }
  SUBCASE("tiny grids deduplicate") {
    CHECK(standard_slice_schedules(1, true, 1).size() == 1);
    const auto s = standard_slice_schedules(3, false, 1);
    CHECK(s.size() == 3);  // 1, 2, 3 (= per-block)
  }
  SUBCASE("huge grids coarsen per-block") {
    const unsigned long long n = 50000;
    const auto s = standard_slice_schedules(n, true, 7);
    const Schedule& per_block = s[s.size() - 2];
    CHECK(per_block.name == "per-block");
    CHECK(per_block.slices.size() <= kMaxPerBlockSlices);
    CHECK(per_block.slices.size() > kMaxPerBlockSlices / 2);
    CHECK_FALSE(per_block.note.empty());
    for (const auto& x : s) CHECK(covers_exactly_once(x.slices, n));
  }
  SUBCASE("deterministic in the seed") {
    const auto a = standard_slice_schedules(100, true, 5);
    const auto b = standard_slice_schedules(100, true, 5);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = 0; j < a[i].slices.size(); ++j) CHECK(a[i].slices[j].begin == b[i].slices[j].begin);
  }
}

TEST_CASE("initial images") {
  const auto spec = parse_spec_document(json::parse(kExample), "saxpy.launch.json")[0];
  const auto a = make_initial_images(spec, 1, 0);
  const auto b = make_initial_images(spec, 1, 0);
  const auto c = make_initial_images(spec, 1, 1);
  const auto d = make_initial_images(spec, 2, 0);
  REQUIRE(a.size() == 5);
  CHECK(a == b);
  CHECK(a[0] != c[0]);
  CHECK(a[0] != d[0]);
  CHECK(a[0].size() == 16384 * 4 + kGuardBytes);
  for (std::size_t i = 0; i < 16384; ++i) {
    const float v = read_as<float>(a[0], i * 4);
    CHECK((v >= -1.0f && v < 1.0f));
  }
  CHECK(std::all_of(a[1].begin(), a[1].begin() + 16384 * 4, [](unsigned char x) { return x == 0xFF; }));
  CHECK(std::all_of(a[2].begin(), a[2].begin() + 256 * 4, [](unsigned char x) { return x == 0; }));
  int lo = 1000, hi = -1;
  for (std::size_t i = 0; i < 16384; ++i) {
    const int v = read_as<int>(a[3], i * 4);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo == 0);
  CHECK(hi == 255);
  for (const auto& image : a)
    CHECK(std::all_of(image.end() - kGuardBytes, image.end(), [](unsigned char x) { return x == kGuardByte; }));
  // Without guard zones (sanitizer runs) the same bytes, just no guard.
  const auto bare = make_initial_images(spec, 1, 0, 0);
  REQUIRE(bare.size() == a.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(bare[k].size() == a[k].size() - kGuardBytes);
    CHECK(std::equal(bare[k].begin(), bare[k].end(), a[k].begin()));
  }
}

TEST_CASE("argument bytes") {
  const auto spec = parse_spec_document(json::parse(kExample), "saxpy.launch.json")[0];
  std::vector<void*> ptrs;
  for (std::size_t i = 0; i < spec.buffers.size(); ++i) ptrs.push_back(reinterpret_cast<void*>(0x1000 * (i + 1)));
  ArgPack pack(spec, ptrs);
  CHECK(pack.count() == 6);
  CHECK(read_as<float>(pack.bytes(0)) == 2.0f);
  CHECK(read_as<void*>(pack.bytes(1)) == ptrs[0]);
  CHECK(pack.bytes(5).size() == 16);
  CHECK(read_as<float>(pack.bytes(5), 0) == 1.5f);
  CHECK(read_as<std::uint32_t>(pack.bytes(5), 4) == 0);  // padding zeroed
  CHECK(read_as<void*>(pack.bytes(5), 8) == ptrs[4]);
  int slice = 0;
  const auto prefixed = pack.with_prefix({&slice});
  CHECK(prefixed.size() == 7);
  CHECK(prefixed[0] == &slice);
  CHECK(prefixed[1] == pack.args()[0]);
}

TEST_CASE("comparison finds the first differing byte") {
  const auto spec = parse_spec_document(json::parse(kExample), "saxpy.launch.json")[0];
  const auto ref = make_initial_images(spec, 3, 0);
  CHECK_FALSE(compare_images(spec, ref, ref, 0));
  auto got = ref;
  got[1][4 * 10 + 2] = 0x00;
  got[1][4 * 11] = 0x00;
  auto m = compare_images(spec, ref, got, 4);
  REQUIRE(m);
  CHECK(m->run == 4);
  CHECK(m->buffer == "arg2");
  CHECK(m->byte_offset == 42);
  CHECK(m->element == 10);
  CHECK(m->differing_bytes == 2);
  CHECK_FALSE(m->in_guard);
  CHECK(m->expected.find("0xffffffff") != std::string::npos);

  got = ref;
  got[2][256 * 4 + 3] = 0;  // past the end of the 256-int buffer
  m = compare_images(spec, ref, got, 0);
  REQUIRE(m);
  CHECK(m->buffer == "arg3");
  CHECK(m->in_guard);
  CHECK(m->byte_offset == 256 * 4 + 3);
}

namespace {

const char* kManifest = R"({
  "schema_version": 1,
  "tool": {"name": "miriamc", "version": "0.1.0", "clang_version": "22"},
  "source": {"path": "gemm.cu", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"},
  "output": "gemm.elastic.cu", "arch": "sm_90",
  "kernels": [{
    "name": "gemm", "qualified_name": "ns::gemm", "location": {"file": "gemm.cu", "line": 3, "column": 1},
    "is_template": true, "params": [],
    "instantiations": [
      {"mangled": "_Z4gemmIfLi16EEvPKT_Pi", "template_args": "float, 16", "static_shared_bytes": 2048,
       "params": [{"name": "a", "type": "const float *", "size": 8, "alignment": 8},
                  {"name": "n", "type": "int", "size": 4, "alignment": 4}]},
      {"mangled": "_Z4gemmIdLi8EEvPKT_Pi", "template_args": "double, 8", "static_shared_bytes": 1024,
       "params": [{"name": "a", "type": "const double *", "size": 8, "alignment": 8},
                  {"name": "n", "type": "int", "size": null, "alignment": null}]}],
    "launch_bounds": null,
    "features": {"barriers": true, "warp_level_ops": false, "atomics": false, "dynamic_shared_memory": false,
                 "static_shared_memory": true, "reads_block_idx": true, "reads_grid_dim": false,
                 "early_return": false, "grid_sync": false, "cooperative_groups": false,
                 "device_callees_reading_builtins": []},
    "variants": [{"kind": "sliced", "entry": "ns::gemm__miriam_sliced",
                  "mangled": ["_Z19gemm__miriam_slicedIfLi16EE", "_Z19gemm__miriam_slicedIdLi8EE"],
                  "extra_params": [{"name": "slice", "type": "::miriam::Slice", "position": 0}]}],
    "refused": [{"kind": "shrunk", "reason": "warp-level operation", "location": {"file": "gemm.cu", "line": 9, "column": 5}}]
  }]})";

}  // namespace

TEST_CASE("template argument normalization") {
  CHECK(normalize_template_args("float,16") == "float,16");
  CHECK(normalize_template_args(" float ,  16 ") == "float,16");
  CHECK(normalize_template_args("unsigned  int, 4") == "unsigned int,4");
  CHECK(normalize_template_args("ns::k< float, 16 >") == "ns::k<float,16>");
}

TEST_CASE("manifest view") {
  ManifestView view;
  view.add_document(kManifest, "gemm.miriam.json");
  CHECK(view.manifest_count() == 1);
  CHECK(view.entries().size() == 2);
  const ManifestEntry* e = view.find("ns::gemm", "float,16");
  REQUIRE(e);
  CHECK(e->mangled == "_Z4gemmIfLi16EEvPKT_Pi");
  CHECK(e->static_shared_bytes == 2048);
  REQUIRE(e->variants.size() == 1);
  CHECK(e->variants[0].mangled == "_Z19gemm__miriam_slicedIfLi16EE");
  REQUIRE(e->refused.size() == 1);
  CHECK(e->refused[0].location == "gemm.cu:9:5");
  const ManifestEntry* d = view.find("ns::gemm", "double, 8");
  REQUIRE(d);
  CHECK(d->variants[0].mangled == "_Z19gemm__miriam_slicedIdLi8EE");
  CHECK_FALSE(d->params[1].size);
  CHECK_FALSE(view.find("ns::gemm", "int, 16"));
  CHECK_FALSE(view.find("gemm", "float, 16"));

  view.add_document(kManifest, "again.miriam.json");
  CHECK(view.entries().size() == 2);
  CHECK(view.warnings().size() == 2);
  CHECK_THROWS_AS(view.add_document("{", "bad.miriam.json"), ManifestError);
  CHECK_THROWS_AS(view.add_document(R"({"schema_version": 2})", "bad.miriam.json"), ManifestError);
  CHECK_THROWS_AS(view.add_document(R"({"schema_version": 1, "kernels": [{"qualified_name": "k"}]})", "bad.miriam.json"),
                  ManifestError);
}

TEST_CASE("arguments are checked against the manifest's parameters") {
  ManifestView view;
  view.add_document(kManifest, "gemm.miriam.json");
  const ManifestEntry& e = *view.find("ns::gemm", "float, 16");
  auto spec_with = [](const char* args) {
    return parse_launch(json::parse(std::string(R"({"kernel":"ns::gemm","template_args":"float, 16","grid":[1],"block":[1],"args":[)") +
                                    args + "]}"),
                        "x", 0);
  };
  CHECK(check_arguments(spec_with(R"({"buffer":"float","count":4,"init":"zero"},{"scalar":"int","value":4})"), e).empty());
  CHECK_FALSE(check_arguments(spec_with(R"({"buffer":"float","count":4,"init":"zero"})"), e).empty());
  CHECK_FALSE(
      check_arguments(spec_with(R"({"buffer":"float","count":4,"init":"zero"},{"scalar":"int64","value":4})"), e).empty());
  const ManifestEntry& unknown_sizes = *view.find("ns::gemm", "double, 8");
  CHECK(check_arguments(spec_with(R"({"buffer":"double","count":4,"init":"zero"},{"scalar":"int64","value":4})"),
                        unknown_sizes)
            .empty());
}

TEST_CASE("resolution against a registry") {
  static const ::miriam::VariantSymbol variants[] = {{"sliced", "ns::gemm__miriam_sliced", nullptr}};
  static const ::miriam::KernelSymbol kernels[] = {
      {"ns::gemm", "float, 16", "_Z4gemmIfLi16EEvPKT_Pi", nullptr, variants, 1},
      {"ns::gemm", "double, 8", "_Z_wrong", nullptr, variants, 1}};
  static const ::miriam::SourceRegistration source{"gemm.cu", "", kernels, 2};
  ::miriam::Registry registry;
  registry.add(&source);
  CHECK(find_symbol(registry, "ns::gemm", "float,16") == &kernels[0]);

  ManifestView view;
  view.add_document(kManifest, "gemm.miriam.json");
  auto launch = [](const char* kernel, const char* targs, const char* elem) {
    return parse_launch(json::parse(fmt::format(R"({{"kernel":"{}","template_args":"{}","grid":[1],"block":[1],"args":[
        {{"buffer":"{}","count":4,"init":"zero"}},{{"scalar":"int","value":4}}]}})",
                                                kernel, targs, elem)),
                        "x", 0);
  };
  std::vector<LaunchSpec> specs = {launch("ns::gemm", "float, 16", "float"), launch("ns::gemm", "double, 8", "double"),
                                   launch("ns::other", "", "float")};
  auto plans = resolve(specs, view, registry, "");
  REQUIRE(plans.size() == 3);
  CHECK(plans[0].error.empty());
  CHECK(plans[1].error.find("mangled") != std::string::npos);
  CHECK(plans[2].error.find("registry") != std::string::npos);
  CHECK(resolve(specs, view, registry, "ns::gemm<float,16>").size() == 1);
  CHECK(resolve(specs, view, registry, "ns::gemm").size() == 2);
}

TEST_CASE("report verdicts and JSON") {
  Report r;
  r.device.name = "NVIDIA H100";
  r.device.driver_version = 13000;
  r.device.runtime_version = 13000;
  LaunchResult& l = r.launches.emplace_back();
  l.kernel = "saxpy";
  VariantResult refused;
  refused.kind = "shrunk";
  refused.verdict = Verdict::Refused;
  refused.reason = "warp-level operation";
  l.variants.push_back(refused);
  VariantResult pass;
  pass.kind = "sliced";
  pass.verdict = Verdict::Pass;
  pass.schedules.push_back({"1 slice", 1, false, "", 2, 2, std::nullopt});
  pass.timing = TimingResult{5, 50, 10.0, 10.2, 2.0, 9.9, 10.1, 10.5, 10.7};
  pass.timing_schedule = "P=1056 C=1 static";
  l.variants.push_back(pass);
  CHECK_FALSE(r.failed());
  json j = to_json(r);
  CHECK(j["device"]["driver_version"] == "13.0");
  CHECK(j["launches"][0]["variants"][1]["timing"]["overhead_percent"] == 2.0);
  CHECK(j["launches"][0]["variants"][1]["timing"]["schedule"] == "P=1056 C=1 static");
  CHECK(j["launches"][0]["variants"][0]["verdict"] == "refused");
  CHECK(j["summary"]["pass"] == true);
  r.launches[0].variants[1].verdict = Verdict::Fail;
  CHECK(r.failed());
  r.launches[0].variants[1].verdict = Verdict::Unsupported;
  CHECK_FALSE(r.failed());
  r.launches[0].variants[1].verdict = Verdict::Missing;
  CHECK(r.failed());
}

TEST_CASE("median and percentile") {
  CHECK(median({3, 1, 2}) == 2);
  CHECK(median({4, 1, 2, 3}) == 2.5);
  CHECK(percentile({5, 1, 9, 3}, 0) == 1);
  CHECK(percentile({5, 1, 9, 3}, 100) == 9);
  CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90) == 9);
}
