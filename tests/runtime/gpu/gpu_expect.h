// The check of the coordinator's GPU tests: counts a failure and prints where
// and why, without stopping the test (later checks still tell something).
#pragma once

#include <atomic>
#include <cstdio>

namespace coordinator_test {
inline std::atomic<int> failures{0};
}  // namespace coordinator_test

#define EXPECT(cond, ...)                                                 \
  do {                                                                    \
    if (!(cond)) {                                                        \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
      std::printf(__VA_ARGS__);                                           \
      std::printf("\n");                                                  \
      std::fflush(stdout);                                                \
      ++::coordinator_test::failures;                                     \
    }                                                                     \
  } while (0)
