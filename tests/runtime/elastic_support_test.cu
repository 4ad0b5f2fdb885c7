// Host-side checks of the index arithmetic in miriam/elastic.cuh that every
// emitted variant relies on (compiled by nvcc, runs on the CPU only).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <random>

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
  launch.physical_blocks = 8;
  launch.end = 31;  // past the grid
  CHECK_FALSE(launch.valid());
  launch.end = 30;
  // Tickets beyond the range (each block's final, failed claim) do not count.
  CHECK(miriam::persistent_progress(launch, 0) == 4);
  CHECK(miriam::persistent_progress(launch, 11) == 15);
  CHECK(miriam::persistent_progress(launch, 26) == 30);
  CHECK(miriam::persistent_progress(launch, 26 + 8) == 30);
  miriam::PersistentLaunch resumed = launch;
  CHECK(miriam::persistent_resume_launch(resumed, 15));
  CHECK(resumed.begin == 15);
  CHECK(resumed.end == 30);
  CHECK_FALSE(miriam::persistent_resume_launch(resumed, 30));
}
