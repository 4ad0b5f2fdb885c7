// Measured shard durations per kernel instantiation and variant, written by a
// profiling tool on the target GPU and read by the coordinator's planner.
//
// File format (JSON, "schema_version": 1):
//   { "schema_version": 1, "device": "NVIDIA H200", "sm_count": 132,
//     "kernels": [ { "mangled": "_Z5scalePfi", "name": "scale", "variant": "sliced",
//                    "block": [256, 1, 1], "shared_bytes": 0,
//                    "points": [ {"shard_blocks": 132, "us_per_block": 0.31, "samples": 50}, ... ] } ] }
// "variant" is "original" or a manifest variant kind; "samples" is optional.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "miriam/manifest.h"
#include "miriam/shard_timing.h"

namespace miriam {

inline constexpr int kProfileSchemaVersion = 1;

struct ProfileEntry {
  std::string mangled;                 // the original kernel's mangled name
  std::string name;                    // for people
  std::optional<VariantKind> variant;  // nullopt: the original kernel
  unsigned block[3] = {0, 0, 0};       // block shape measured; 0s: any
  std::uint64_t shared_bytes = 0;      // dynamic shared memory measured
  ShardTiming timing;
};

class ProfileError : public std::runtime_error {
 public:
  ProfileError(const std::string& file, const std::string& json_path, const std::string& problem,
               const std::string& hint);
};

class Profile {
 public:
  std::string origin;
  std::string device;
  int sm_count = 0;
  std::vector<ProfileEntry> entries;

  // The timing of one kernel's variant; with `block_threads` > 0, an entry
  // measured at another block size is skipped.
  const ShardTiming* find(const std::string& mangled, std::optional<VariantKind> variant,
                          unsigned block_threads = 0) const;

  std::string to_json() const;  // the file format above
};

Profile parse_profile(const std::string& json_text, const std::string& origin);
Profile load_profile(const std::string& path);  // throws ProfileError
void save_profile(const Profile& profile, const std::string& path);

}  // namespace miriam
