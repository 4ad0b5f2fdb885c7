// miriam_profile's plan: which shard sizes it times, and how launches of one
// kernel merge into one profile entry.
#include <doctest/doctest.h>

#include "profile_plan.h"

using namespace miriam;
using profile_tool::add_entry;
using profile_tool::shard_sizes;

TEST_CASE("shard sizes: one block, one per SM, half and whole waves, doubling waves, the grid") {
  CHECK(shard_sizes(20000, 132, 1056) ==
        std::vector<std::uint64_t>{1, 132, 528, 1056, 2112, 4224, 8448, 16896, 20000});
  // A grid smaller than a wave: nothing beyond it.
  CHECK(shard_sizes(200, 132, 1056) == std::vector<std::uint64_t>{1, 132, 200});
  CHECK(shard_sizes(1, 132, 1056) == std::vector<std::uint64_t>{1});
  CHECK(shard_sizes(0, 132, 1056).empty());
  // A variant no block of which fits an SM cannot run: nothing to time.
  CHECK(shard_sizes(10, 132, 0).empty());
}

TEST_CASE("entries of one kernel, variant and shape merge; others stay apart") {
  Profile p;
  ProfileEntry a;
  a.mangled = "_Z5scalePfi";
  a.variant = VariantKind::kSliced;
  a.block[0] = 256, a.block[1] = 1, a.block[2] = 1;
  a.timing = ShardTiming({{132, 0.5}, {1056, 0.1}});
  add_entry(p, a);
  ProfileEntry b = a;
  b.timing = ShardTiming({{1056, 0.2}, {4224, 0.05}});  // 1056 already measured: the first stays
  add_entry(p, b);
  REQUIRE(p.entries.size() == 1);
  REQUIRE(p.entries[0].timing.points().size() == 3);
  CHECK(p.entries[0].timing.us_per_block(1056) == doctest::Approx(0.1));
  CHECK(p.entries[0].timing.points().back().shard_blocks == 4224);

  ProfileEntry other_block = a;
  other_block.block[0] = 128;
  add_entry(p, other_block);
  ProfileEntry persistent = a;
  persistent.variant = VariantKind::kPersistent;
  add_entry(p, persistent);
  ProfileEntry original = a;
  original.variant = std::nullopt;
  add_entry(p, original);
  CHECK(p.entries.size() == 4);
  // What the coordinator looks up finds them.
  CHECK(p.find("_Z5scalePfi", VariantKind::kPersistent, 256) == &p.entries[2].timing);
  CHECK(p.find("_Z5scalePfi", VariantKind::kSliced, 128) == &p.entries[1].timing);
  // And the file round-trips.
  const Profile back = parse_profile(p.to_json(), "round trip");
  CHECK(back.entries.size() == 4);
  CHECK(back.entries[0].timing.points().size() == 3);
}
