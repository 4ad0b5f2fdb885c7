// Reading a manifest: the checks here are the ones the runtime depends on
// (types, required fields, version, the per-instantiation shape of variants);
// full schema validation is the compiler's tests' job.
#include "miriam/manifest.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "json_reader.h"

namespace miriam {

using detail::JsonInputError;
using detail::JsonReader;

const char* to_string(VariantKind kind) {
  switch (kind) {
    case VariantKind::kSliced: return "sliced";
    case VariantKind::kPersistent: return "persistent";
    case VariantKind::kShrunk: return "shrunk";
  }
  return "unknown";
}

std::optional<VariantKind> variant_kind_from_string(const std::string& text) {
  if (text == "sliced") return VariantKind::kSliced;
  if (text == "persistent") return VariantKind::kPersistent;
  if (text == "shrunk") return VariantKind::kShrunk;
  return std::nullopt;
}

bool ShrinkSpec::combines_with_kind(VariantKind kind) const {
  for (VariantKind k : combines_with)
    if (k == kind) return true;
  return false;
}

const VariantInfo* KernelInfo::variant(VariantKind kind) const {
  for (const VariantInfo& v : variants)
    if (v.kind == kind) return &v;
  return nullptr;
}

std::string supported_manifest_versions() {
  std::string out;
  for (int v : kSupportedManifestVersions) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

ManifestError::ManifestError(std::string file, std::string json_path, std::string problem,
                             std::string hint)
    : std::runtime_error(fmt::format("{}: {}: {}.{}{}", file, json_path, problem,
                                     hint.empty() ? "" : " ", hint)),
      file_(std::move(file)), json_path_(std::move(json_path)), problem_(std::move(problem)),
      hint_(std::move(hint)) {}

namespace {

std::optional<std::uint64_t> nullable_uint(const JsonReader& r) {
  if (r.is_null()) return std::nullopt;
  return r.as_uint();
}

// Manifest integers stored as int (lines, columns, positions, launch bounds).
int as_int32(const JsonReader& r, int min = INT_MIN) { return static_cast<int>(r.as_int_in(min, INT_MAX)); }

std::optional<int> nullable_int(const JsonReader& r) {
  if (r.is_null()) return std::nullopt;
  return as_int32(r);
}

VariantKind read_kind(const JsonReader& r) {
  const std::string text = r.as_string();
  if (auto kind = variant_kind_from_string(text)) return *kind;
  r.fail(fmt::format("unknown variant kind '{}'", text),
         "this runtime knows \"sliced\", \"persistent\" and \"shrunk\"; update the runtime or the compiler");
}

SourceLocation read_location(const JsonReader& r) {
  SourceLocation loc;
  loc.file = r.at("file").as_string();
  loc.line = as_int32(r.at("line"));
  loc.column = as_int32(r.at("column"));
  return loc;
}

std::vector<ParamInfo> read_params(const JsonReader& r) {
  std::vector<ParamInfo> params;
  for (std::size_t i = 0, n = r.array_size(); i < n; ++i) {
    const JsonReader p = r.at(i);
    ParamInfo info;
    info.name = p.at("name").as_string();
    info.type = p.at("type").as_string();
    info.size = nullable_uint(p.at("size"));
    info.alignment = nullable_uint(p.at("alignment"));
    if (info.alignment && *info.alignment == 0) p.at("alignment").fail("alignment 0 is not valid", "");
    params.push_back(std::move(info));
  }
  return params;
}

KernelInstantiation read_instantiation(const JsonReader& r) {
  KernelInstantiation inst;
  inst.mangled = r.at("mangled").as_string();
  if (inst.mangled.empty()) r.at("mangled").fail("empty mangled name", "regenerate the manifest");
  inst.template_args = r.at("template_args").as_string();
  inst.params = read_params(r.at("params"));
  inst.static_shared_bytes = r.at("static_shared_bytes").as_uint();
  return inst;
}

ShrinkSpec read_shrink(const JsonReader& r) {
  ShrinkSpec spec;
  spec.max_factor = static_cast<unsigned>(r.at("max_factor").as_int_in(0, INT_MAX));
  const JsonReader kinds = r.at("combines_with");
  for (std::size_t i = 0, n = kinds.array_size(); i < n; ++i) spec.combines_with.push_back(read_kind(kinds.at(i)));
  return spec;
}

VariantInfo read_variant(const JsonReader& r) {
  VariantInfo v;
  v.kind = read_kind(r.at("kind"));
  v.entry = r.at("entry").as_string();
  const JsonReader mangled = r.at("mangled");
  for (std::size_t i = 0, n = mangled.array_size(); i < n; ++i)
    v.mangled.push_back(mangled.at(i).as_string());
  if (auto helper = r.find("launch_helper")) v.launch_helper = helper->as_string();
  const JsonReader extras = r.at("extra_params");
  for (std::size_t i = 0, n = extras.array_size(); i < n; ++i) {
    const JsonReader e = extras.at(i);
    ExtraParam p;
    p.name = e.at("name").as_string();
    p.type = e.at("type").as_string();
    p.position = as_int32(e.at("position"), 0);
    v.extra_params.push_back(std::move(p));
  }
  if (v.kind == VariantKind::kShrunk) v.shrink = read_shrink(r.at("shrink"));
  return v;
}

KernelFeatures read_features(const JsonReader& r) {
  KernelFeatures f;
  f.barriers = r.at("barriers").as_bool();
  f.warp_level_ops = r.at("warp_level_ops").as_bool();
  f.atomics = r.at("atomics").as_bool();
  f.dynamic_shared_memory = r.at("dynamic_shared_memory").as_bool();
  f.static_shared_memory = r.at("static_shared_memory").as_bool();
  f.reads_block_idx = r.at("reads_block_idx").as_bool();
  f.reads_grid_dim = r.at("reads_grid_dim").as_bool();
  f.early_return = r.at("early_return").as_bool();
  f.grid_sync = r.at("grid_sync").as_bool();
  f.cooperative_groups = r.at("cooperative_groups").as_bool();
  const JsonReader callees = r.at("device_callees_reading_builtins");
  for (std::size_t i = 0, n = callees.array_size(); i < n; ++i)
    f.device_callees_reading_builtins.push_back(callees.at(i).as_string());
  return f;
}

KernelInfo read_kernel(const JsonReader& r) {
  KernelInfo k;
  k.name = r.at("name").as_string();
  k.qualified_name = r.at("qualified_name").as_string();
  k.location = read_location(r.at("location"));
  k.is_template = r.at("is_template").as_bool();
  k.params = read_params(r.at("params"));
  const JsonReader insts = r.at("instantiations");
  for (std::size_t i = 0, n = insts.array_size(); i < n; ++i)
    k.instantiations.push_back(read_instantiation(insts.at(i)));
  const JsonReader bounds = r.at("launch_bounds");
  if (!bounds.is_null()) {
    LaunchBounds b;
    b.max_threads_per_block = nullable_int(bounds.at("max_threads_per_block"));
    if (auto min_blocks = bounds.find("min_blocks_per_sm")) b.min_blocks_per_sm = nullable_int(*min_blocks);
    k.launch_bounds = b;
  }
  k.features = read_features(r.at("features"));
  const JsonReader variants = r.at("variants");
  for (std::size_t i = 0, n = variants.array_size(); i < n; ++i) {
    const JsonReader vr = variants.at(i);
    VariantInfo v = read_variant(vr);
    // The runtime pairs variant symbols with instantiations by position.
    if (v.mangled.size() != k.instantiations.size())
      vr.at("mangled").fail(
          fmt::format("kernel '{}': {} variant lists {} mangled names for {} instantiations",
                      k.qualified_name, to_string(v.kind), v.mangled.size(), k.instantiations.size()),
          "each variant needs one mangled name per instantiation, in order; regenerate the manifest");
    if (k.variant(v.kind))
      vr.at("kind").fail(fmt::format("kernel '{}' lists the {} variant twice", k.qualified_name,
                                     to_string(v.kind)),
                         "regenerate the manifest");
    k.variants.push_back(std::move(v));
  }
  const JsonReader refused = r.at("refused");
  for (std::size_t i = 0, n = refused.array_size(); i < n; ++i) {
    const JsonReader rr = refused.at(i);
    Refusal ref;
    ref.kind = read_kind(rr.at("kind"));
    ref.reason = rr.at("reason").as_string();
    if (auto loc = rr.find("location")) ref.location = read_location(*loc);
    k.refused.push_back(std::move(ref));
  }
  return k;
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

Manifest read_manifest(const JsonReader& root) {
  Manifest m;
  root.expect_object();
  // The version first: a newer manifest should say "newer", not "field missing".
  // Whatever is wrong with it (absent, another type, another number), the
  // message names the versions this runtime reads.
  const char* const same_release = "rebuild the program with the miriamc and runtime of the same release";
  const std::optional<JsonReader> version = root.find("schema_version");
  if (!version)
    root.fail(fmt::format("missing schema_version; this runtime reads version(s) {}", supported_manifest_versions()),
              same_release);
  const nlohmann::json& v = version->json();
  const auto* supported = std::find_if(std::begin(kSupportedManifestVersions), std::end(kSupportedManifestVersions),
                                       [&](int s) { return v.is_number_integer() && v == s; });
  if (supported == std::end(kSupportedManifestVersions))
    version->fail(fmt::format("unsupported schema_version {:.40}; this runtime reads version(s) {}", v.dump(),
                              supported_manifest_versions()),
                  same_release);
  m.schema_version = *supported;

  const JsonReader tool = root.at("tool");
  m.tool.name = tool.at("name").as_string();
  if (m.tool.name != "miriamc")
    tool.at("name").fail(fmt::format("written by '{}', expected 'miriamc'", m.tool.name), "");
  m.tool.version = tool.at("version").as_string();
  m.tool.clang_version = tool.at("clang_version").as_string();

  const JsonReader source = root.at("source");
  m.source.path = source.at("path").as_string();
  m.source.sha256 = source.at("sha256").as_string();
  if (!is_sha256_hex(m.source.sha256))
    source.at("sha256").fail("not a sha256 digest (64 lowercase hex digits)", "regenerate the manifest");

  m.output = root.at("output").as_string();
  m.arch = root.at("arch").as_string();

  const JsonReader kernels = root.at("kernels");
  for (std::size_t i = 0, n = kernels.array_size(); i < n; ++i)
    m.kernels.push_back(read_kernel(kernels.at(i)));
  return m;
}

}  // namespace

Manifest parse_manifest(const std::string& json_text, const std::string& origin) {
  try {
    const nlohmann::json doc =
        detail::parse_json(json_text, "the file is not valid JSON; regenerate it with miriamc");
    Manifest m = read_manifest(JsonReader(doc, ""));
    m.origin = origin;
    return m;
  } catch (const JsonInputError& e) {
    throw ManifestError(origin, e.path, e.problem, e.hint);
  }
}

Manifest load_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ManifestError(path, "(file)", "cannot open the manifest",
                        "check the path; miriamc writes <stem>.miriam.json next to <stem>.elastic.cu");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), path);
}

}  // namespace miriam
