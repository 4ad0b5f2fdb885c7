#include "miriam/profile.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json_reader.h"

namespace miriam {

using detail::JsonInputError;
using detail::JsonReader;

ProfileError::ProfileError(const std::string& file, const std::string& json_path, const std::string& problem,
                           const std::string& hint)
    : std::runtime_error(fmt::format("{}: {}: {}.{}{}", file, json_path, problem, hint.empty() ? "" : " ", hint)) {}

const ShardTiming* Profile::find(const std::string& mangled, std::optional<VariantKind> variant,
                                 unsigned block_threads) const {
  for (const ProfileEntry& e : entries) {
    if (e.mangled != mangled || e.variant != variant) continue;
    const unsigned threads = e.block[0] * e.block[1] * e.block[2];
    if (block_threads && threads && threads != block_threads) continue;
    return &e.timing;
  }
  return nullptr;
}

namespace {

Profile read_profile(const JsonReader& root) {
  Profile p;
  root.expect_object();
  const JsonReader version = root.at("schema_version");
  if (version.as_int() != kProfileSchemaVersion)
    version.fail(fmt::format("unsupported schema_version {}; this runtime reads version {}", version.as_int(),
                             kProfileSchemaVersion),
                 "re-run the profiler of this release");
  if (auto d = root.find("device")) p.device = d->as_string();
  p.sm_count = static_cast<int>(root.at("sm_count").as_int());
  const JsonReader kernels = root.at("kernels");
  for (std::size_t i = 0, n = kernels.array_size(); i < n; ++i) {
    const JsonReader k = kernels.at(i);
    ProfileEntry e;
    e.mangled = k.at("mangled").as_string();
    if (auto name = k.find("name")) e.name = name->as_string();
    const JsonReader variant = k.at("variant");
    const std::string v = variant.as_string();
    if (v != "original") {
      e.variant = variant_kind_from_string(v);
      if (!e.variant)
        variant.fail(fmt::format("unknown variant '{}'", v), "use \"original\", \"sliced\", \"persistent\" or \"shrunk\"");
    }
    if (auto block = k.find("block")) {
      if (block->array_size() != 3) block->fail("expected 3 dimensions", "");
      for (std::size_t d = 0; d < 3; ++d) e.block[d] = static_cast<unsigned>(block->at(d).as_uint());
    }
    if (auto shared = k.find("shared_bytes")) e.shared_bytes = shared->as_uint();
    const JsonReader points = k.at("points");
    std::vector<ShardTimingPoint> pts;
    for (std::size_t j = 0, m = points.array_size(); j < m; ++j) {
      const JsonReader pt = points.at(j);
      ShardTimingPoint sp{pt.at("shard_blocks").as_uint(), pt.at("us_per_block").as_number()};
      if (sp.shard_blocks == 0) pt.at("shard_blocks").fail("a shard of 0 blocks", "");
      if (!(sp.us_per_block > 0)) pt.at("us_per_block").fail("must be positive", "");
      pts.push_back(sp);
    }
    e.timing = ShardTiming(std::move(pts));
    p.entries.push_back(std::move(e));
  }
  return p;
}

}  // namespace

Profile parse_profile(const std::string& json_text, const std::string& origin) {
  try {
    const nlohmann::json doc = detail::parse_json(json_text, "re-run the profiler");
    Profile p = read_profile(JsonReader(doc, ""));
    p.origin = origin;
    return p;
  } catch (const JsonInputError& e) {
    throw ProfileError(origin, e.path, e.problem, e.hint);
  }
}

Profile load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProfileError(path, "(file)", "cannot open the profile", "check the path, or run without a profile");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), path);
}

std::string Profile::to_json() const {
  using nlohmann::json;
  json kernels = json::array();
  for (const ProfileEntry& e : entries) {
    json points = json::array();
    for (const ShardTimingPoint& p : e.timing.points())
      points.push_back({{"shard_blocks", p.shard_blocks}, {"us_per_block", p.us_per_block}});
    kernels.push_back({{"mangled", e.mangled},
                       {"name", e.name},
                       {"variant", e.variant ? to_string(*e.variant) : "original"},
                       {"block", {e.block[0], e.block[1], e.block[2]}},
                       {"shared_bytes", e.shared_bytes},
                       {"points", points}});
  }
  return json{{"schema_version", kProfileSchemaVersion}, {"device", device}, {"sm_count", sm_count},
              {"kernels", kernels}}
      .dump(2);
}

void save_profile(const Profile& profile, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  out << profile.to_json();
  if (!out) throw ProfileError(path, "(file)", "cannot write the profile", "check the directory");
}

}  // namespace miriam
