// Host-side checks of the index arithmetic in miriam/elastic.cuh that every
// emitted variant relies on (compiled by nvcc, runs on the CPU only).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "miriam/elastic.cuh"

TEST_CASE("FastDivisor divides exactly, edge divisors and dividends included") {
  std::mt19937 rng(12345);
  std::vector<unsigned> divisors = {1, 2, 3, 5, 7, 16, 31, 32, 33, 65535, 65536, 65537, 1000003,
                                    (1u << 30) + 1, 2147483647u};
  for (int i = 0; i < 200; ++i) divisors.push_back(1 + rng() % 2147483647u);
  for (unsigned d : divisors) {
    miriam::FastDivisor fast(d);
    std::vector<unsigned> dividends = {0, 1, d - 1, d, d + 1, 2 * d - 1, 0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u};
    for (int i = 0; i < 2000; ++i) dividends.push_back(static_cast<unsigned>(rng()));
    for (unsigned n : dividends) REQUIRE_MESSAGE(fast.divide(n) == n / d, "n=" << n << " d=" << d);
  }
}

TEST_CASE("a slice's logical block index walks the grid in row-major order, x fastest") {
  for (dim3 grid : {dim3(7, 1, 1), dim3(5, 3, 1), dim3(4, 3, 2), dim3(1, 9, 3), dim3(33, 17, 5)}) {
    miriam::Slice slice(0, miriam::logical_block_count(grid), grid);
    unsigned long long linear = 0;
    for (unsigned z = 0; z < grid.z; ++z)
      for (unsigned y = 0; y < grid.y; ++y)
        for (unsigned x = 0; x < grid.x; ++x, ++linear) {
          uint3 b = miriam::logical_block_index(linear, grid);
          REQUIRE((b.x == x && b.y == y && b.z == z));
          const unsigned row = slice.grid_x.divide(static_cast<unsigned>(linear));
          REQUIRE(row == y + grid.y * z);
          REQUIRE(slice.grid_y.divide(row) == z);
        }
  }
}

TEST_CASE("a slice launch covers exactly its range") {
  miriam::SliceLaunch launch;
  launch.grid = dim3(10, 10, 1);
  launch.begin = 17;
  launch.end = 60;
  CHECK(launch.valid());
  CHECK(launch.physical_grid().x == 43);
  launch.end = 101;
  CHECK_FALSE(launch.valid());
  CHECK(miriam::physical_grid_for(3000000000ull).y == 2);
}

TEST_CASE("a shrunk launch: a slice of the grid, blocks of block / f threads") {
  miriam::ShrunkLaunch launch = miriam::ShrunkLaunch::whole_grid(dim3(10, 10, 1), dim3(32, 8, 1), 4);
  CHECK(launch.begin == 0);
  CHECK(launch.end == 100);
  CHECK(launch.valid(0));
  launch.begin = 17;
  launch.end = 60;
  CHECK(launch.valid(8));
  CHECK(launch.physical_grid().x == 43);
  CHECK(launch.slice().begin == 17);
  CHECK(launch.slice().end == 60);
  const dim3 physical = launch.physical_block();  // y, the outermost extent > 1, is divided
  CHECK((physical.x == 32 && physical.y == 2 && physical.z == 1));
  CHECK(launch.shrink().step == 2);
  launch.factor = 3;  // does not divide 8
  CHECK_FALSE(launch.valid(0));
  launch.factor = 8;
  CHECK(launch.valid(8));
  CHECK_FALSE(launch.valid(4));  // over the variant's limit
  launch.end = 101;
  CHECK_FALSE(launch.valid(0));
  launch.end = launch.begin;  // empty
  CHECK_FALSE(launch.valid(0));
}

TEST_CASE("a persistent launch: validity, no per-launch work, progress and resume") {
  miriam::PersistentControl control{};
  miriam::PersistentLaunch launch;
  launch.grid = dim3(10, 3, 1);
  launch.begin = 4;
  launch.end = 30;
  launch.physical_blocks = 8;
  CHECK_FALSE(launch.valid());  // no control block
  launch.control = &control;
  CHECK(launch.valid());
  // The counters are reset by the kernel's last exiting block: preparing a
  // launch enqueues nothing (it only validates).
  CHECK(miriam::persistent_prepare_launch(launch) == cudaSuccess);
  launch.physical_blocks = 0;
  CHECK(miriam::persistent_prepare_launch(launch) == cudaErrorInvalidValue);
  launch.physical_blocks = 2147483648u;  // more than a grid's x dimension holds
  CHECK_FALSE(launch.valid());
  launch.physical_blocks = miriam::kMaxPersistentBlocks + 1;  // the exit count would overflow the claim word
  CHECK_FALSE(launch.valid());
  launch.physical_blocks = miriam::kMaxPersistentBlocks;
  CHECK(launch.valid());
  launch.physical_blocks = 8;
  launch.chunk = 0;
  CHECK_FALSE(launch.valid());
  launch.chunk = miriam::kMaxPersistentChunk + 1;  // Slice::chunk is 16 bits
  CHECK_FALSE(launch.valid());
  launch.chunk = miriam::kMaxPersistentChunk;
  CHECK(launch.valid());
  CHECK(launch.slice().chunk == miriam::kMaxPersistentChunk);
  launch.chunk = 1;
  launch.physical_blocks = 8;
  launch.end = 31;  // past the grid
  CHECK_FALSE(launch.valid());
  launch.end = 30;
  // Tickets beyond the range (each block's final, failed claim) do not count.
  CHECK(miriam::persistent_progress(launch, 0) == 4);
  CHECK(miriam::persistent_progress(launch, 11) == 15);
  CHECK(miriam::persistent_progress(launch, 26) == 30);
  CHECK(miriam::persistent_progress(launch, 26 + 8) == 30);
  // Static first chunks that cover the range run whatever happens and leave
  // no count (the kernel skips the exit bookkeeping): the stale one is ignored.
  miriam::PersistentLaunch covered = launch;
  covered.static_first_chunk = true;
  covered.chunk = 3;  // 8 x 3 = 24 < 26 logical blocks: tickets needed
  CHECK_FALSE(covered.static_chunks_cover());
  CHECK(miriam::persistent_progress(covered, 11) == 15);
  covered.chunk = 4;  // 32 >= 26
  CHECK(covered.static_chunks_cover());
  CHECK(miriam::persistent_progress(covered, 11) == 30);
  covered.static_first_chunk = false;
  CHECK_FALSE(covered.static_chunks_cover());
  // One static logical block per physical block, and nothing else: only then
  // may the sliced variant run the launch (its blocks run once each, none
  // can stop, and it uses no more blocks than P).
  miriam::PersistentLaunch wave = launch;  // [4, 30) of 30: 26 logical blocks
  wave.static_first_chunk = true;
  wave.physical_blocks = 26;
  CHECK(wave.one_block_each());
  const miriam::SliceLaunch sliced = wave.slice_launch();
  CHECK(sliced.begin == 4);
  CHECK(sliced.end == 30);
  CHECK(sliced.valid());
  CHECK(sliced.physical_grid().x == 26);
  CHECK_FALSE(wave.whole_grid());  // [4, 30): only a slice of the grid, so not the original launch
  miriam::PersistentLaunch whole = wave;
  whole.begin = 0;  // [0, 30): the original launch itself
  whole.physical_blocks = 30;
  CHECK(whole.one_block_each());
  CHECK(whole.whole_grid());
  whole.end = 29;
  CHECK_FALSE(whole.whole_grid());
  wave.physical_blocks = 40;  // more blocks than work: the extra ones would run nothing
  CHECK(wave.one_block_each());
  wave.physical_blocks = 25;  // one block would claim a second logical block by ticket
  CHECK_FALSE(wave.one_block_each());
  wave.physical_blocks = 13;
  wave.chunk = 2;  // covered by static chunks, but 2 per block: the sliced launch would use 26 blocks, not 13
  CHECK(wave.static_chunks_cover());
  CHECK_FALSE(wave.one_block_each());
  wave.chunk = 1;
  wave.physical_blocks = 26;
  wave.static_first_chunk = false;  // each claim checks the stop word: preemptible
  CHECK_FALSE(wave.one_block_each());
  miriam::PersistentLaunch resumed = launch;
  CHECK(miriam::persistent_resume_launch(resumed, 15));
  CHECK(resumed.begin == 15);
  CHECK(resumed.end == 30);
  CHECK_FALSE(miriam::persistent_resume_launch(resumed, 30));
}

// A CPU model of one persistent launch: P physical blocks whose leaders run
// the claim protocol of elastic.cuh (the same templates the GPU runs, through
// model ops), one step at a time in a random interleaving, with a stop word
// set at a chosen step. Each claimed logical block counts as run.
namespace {

struct ModelControl {
  unsigned long long claimed = 0;
  bool stop = false;
  unsigned long long finished = 0;
};

struct ModelOps {
  ModelControl* control;
  unsigned blocks;
  unsigned long long block;
  unsigned physical_blocks() const { return blocks; }
  unsigned long long block_linear() const { return block; }
  bool stop_requested() const { return control->stop; }
  unsigned long long fetch_add(unsigned long long v) const {
    const unsigned long long old = control->claimed;
    control->claimed += v;
    return old;
  }
  void finish(unsigned long long claimed) const {
    control->finished = claimed;
    control->claimed = 0;
  }
};

// The two loops the pass emits: "blocks" (templates/persistent_prologue:
// the leader publishes one logical block at a time) and "chunks"
// (persistent_chunk_prologue: a whole chunk, run back to back).
enum class Loop { kBlocks, kChunks };

// Runs `launch` to its end; returns the progress the host would compute.
// A step of a block runs one published logical block (kBlocks) or one
// published chunk (kChunks).
unsigned long long model_launch(const miriam::PersistentLaunch& launch, ModelControl& control, std::mt19937& rng,
                                long long stop_at_step, std::vector<int>& runs, Loop loop = Loop::kBlocks) {
  struct Block {
    miriam::PersistentChunkClaims chunk_claims{};  // .claims alone in the block loop
    unsigned slot = 0;
    int state = 0;  // 0: not started, 1: in the loop
    unsigned long long after_stop = 0;  // logical blocks run once the stop was set
  };
  const miriam::Slice slice = launch.slice();
  std::vector<Block> blocks(launch.physical_blocks);
  std::vector<unsigned> alive(launch.physical_blocks);
  for (unsigned b = 0; b < launch.physical_blocks; ++b) alive[b] = b;
  long long step = 0;
  while (!alive.empty()) {
    if (step++ == stop_at_step) control.stop = true;
    const std::size_t pick = rng() % alive.size();
    Block& block = blocks[alive[pick]];
    const ModelOps ops{&control, launch.physical_blocks, alive[pick]};
    if (block.state == 0) {
      if (loop == Loop::kChunks)
        miriam::persistent_first_chunk(block.chunk_claims, ops, slice);
      else
        miriam::persistent_first_claim(block.chunk_claims.claims, ops, slice);
      block.state = 1;
      continue;
    }
    if (loop == Loop::kChunks) {
      const miriam::PersistentChunk chunk = block.chunk_claims.published[block.slot];
      if (chunk.first == chunk.end) {
        miriam::persistent_block_exit(ops, slice);
        alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(pick));
        continue;
      }
      REQUIRE(chunk.first < chunk.end);
      REQUIRE(chunk.stride >= 1);
      const unsigned long long blocks_in_chunk = (chunk.end - chunk.first + chunk.stride - 1) / chunk.stride;
      REQUIRE(blocks_in_chunk <= launch.chunk);
      for (unsigned long long linear = chunk.first; linear < chunk.end; linear += chunk.stride) ++runs[linear];
      // A chunk published before the stop still runs whole: at most one chunk after it.
      if (control.stop) REQUIRE((block.after_stop += blocks_in_chunk) <= launch.chunk);
      miriam::persistent_next_chunk(block.chunk_claims, block.slot ^ 1u, ops, slice);
      block.slot ^= 1u;
      continue;
    }
    const miriam::PersistentClaim claim = block.chunk_claims.claims.slot[block.slot];
    if (!claim.valid) {
      miriam::persistent_block_exit(ops, slice);
      alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(pick));
      continue;
    }
    ++runs[claim.block.x + launch.grid.x * (claim.block.y + launch.grid.y * claim.block.z)];
    // Preemption latency: once the stop is set, a block finishes at most the chunk it is in.
    if (control.stop) REQUIRE(++block.after_stop <= launch.chunk);
    miriam::persistent_next_claim(block.chunk_claims.claims, block.slot ^ 1u, ops, slice);
    block.slot ^= 1u;
  }
  return miriam::persistent_progress(launch, control.finished);
}

// Every logical block before `progress` ran exactly once, none after it.
void check_prefix(const std::vector<int>& runs, unsigned long long progress) {
  for (unsigned long long i = 0; i < runs.size(); ++i)
    REQUIRE_MESSAGE(runs[i] == (i < progress ? 1 : 0), "logical block " << i << " ran " << runs[i]
                                                                         << " times, progress " << progress);
}

}  // namespace

TEST_CASE("persistent claims (CPU model): exactly once, one-number progress, under stops and resumes") {
  std::mt19937 rng(2026);
  for (Loop loop : {Loop::kBlocks, Loop::kChunks})
  for (dim3 grid : {dim3(1, 1, 1), dim3(37, 1, 1), dim3(13, 7, 3)})
    for (unsigned chunk : {1u, 2u, 4u, 16u})
      for (bool static_first : {false, true}) {
        CAPTURE(loop == Loop::kChunks);
        CAPTURE(grid.x);
        CAPTURE(grid.y);
        CAPTURE(chunk);
        CAPTURE(static_first);
        const unsigned long long n = miriam::logical_block_count(grid);
        ModelControl control;
        miriam::PersistentLaunch launch;
        launch.grid = grid;
        launch.end = n;
        launch.chunk = chunk;
        launch.static_first_chunk = static_first;
        launch.control = reinterpret_cast<miriam::PersistentControl*>(&control);  // only valid() reads it

        SUBCASE("uninterrupted, any P: the whole range, the claim word reset") {
          for (unsigned p : {1u, 3u, 8u, static_cast<unsigned>(n + 7)}) {
            std::vector<int> runs(n);
            launch.physical_blocks = p;
            REQUIRE(launch.valid());
            CHECK(model_launch(launch, control, rng, -1, runs, loop) == n);
            check_prefix(runs, n);
            CHECK(control.claimed == 0);
            control.stop = false;
          }
        }
        SUBCASE("stopped before it started: nothing, or exactly the static chunks") {
          std::vector<int> runs(n);
          launch.physical_blocks = 3;
          const unsigned long long progress = model_launch(launch, control, rng, 0, runs, loop);
          CHECK(progress == (static_first ? std::min<unsigned long long>(n, 3ull * chunk) : 0));
          check_prefix(runs, progress);
          CHECK(control.claimed == 0);
        }
        SUBCASE("stops at random moments, resumed from the progress until done") {
          std::vector<int> runs(n);
          unsigned long long done = 0;
          int cycles = 0;
          while (done < n) {
            REQUIRE(++cycles < 10000);
            control.stop = false;
            launch.begin = done;
            launch.physical_blocks = 1 + rng() % 9;
            REQUIRE(launch.valid());
            const unsigned long long now =
                model_launch(launch, control, rng, static_cast<long long>(rng() % (3 * (n - done) + 4)), runs, loop);
            REQUIRE(now >= done);
            check_prefix(runs, now);
            CHECK(control.claimed == 0);
            done = now;
          }
        }
      }
}
