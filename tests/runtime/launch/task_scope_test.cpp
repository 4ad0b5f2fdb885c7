// CPU test of the current-task binding of miriam/launch.h (no GPU needed: the
// coordinator is never initialized, only its address is bound).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <thread>

#include "miriam/coordinator.h"
#include "miriam/launch.h"

TEST_CASE("TaskScope binds the thread's current task, nests, and restores") {
  miriam::Coordinator first{miriam::CoordinatorConfig{}}, second{miriam::CoordinatorConfig{}};
  CHECK(miriam::current_task().coordinator == nullptr);
  {
    miriam::TaskScope outer(first, 3);
    CHECK(miriam::current_task().coordinator == &first);
    CHECK(miriam::current_task().task == 3);
    {
      miriam::TaskScope inner(second, 7);
      CHECK(miriam::current_task().coordinator == &second);
      CHECK(miriam::current_task().task == 7);
    }
    CHECK(miriam::current_task().coordinator == &first);
    CHECK(miriam::current_task().task == 3);
  }
  CHECK(miriam::current_task().coordinator == nullptr);
}

TEST_CASE("a TaskScope binds only its own thread") {
  miriam::Coordinator coordinator{miriam::CoordinatorConfig{}};
  miriam::TaskScope scope(coordinator, 1);
  miriam::Coordinator* seen_elsewhere = &coordinator;
  std::thread other([&] { seen_elsewhere = miriam::current_task().coordinator; });
  other.join();
  CHECK(seen_elsewhere == nullptr);
  CHECK(miriam::current_task().coordinator == &coordinator);
}
