// The coordinator's bounded trace: oldest spans go past the capacity.
#include <doctest/doctest.h>

#include "trace_buffer.h"

using miriam::TraceSpan;
using miriam::detail::TraceBuffer;

namespace {
TraceSpan span_of(std::uint64_t request) {
  TraceSpan s;
  s.request = request;
  s.name = "k" + std::to_string(request);
  return s;
}
}  // namespace

TEST_CASE("the trace keeps the newest spans up to its capacity and counts the rest") {
  TraceBuffer trace(3);
  for (std::uint64_t r = 1; r <= 5; ++r) trace.push(span_of(r));
  CHECK(trace.size() == 3);
  CHECK(trace.dropped() == 2);
  const std::vector<TraceSpan> kept = trace.snapshot();
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].request == 3);  // in order, oldest kept first
  CHECK(kept[2].request == 5);
  CHECK(kept[2].name == "k5");
  trace.clear();
  CHECK(trace.size() == 0);
  CHECK(trace.dropped() == 2);  // clearing is not dropping
  trace.push(span_of(6));
  CHECK(trace.snapshot().at(0).request == 6);
}

TEST_CASE("a trace of capacity zero keeps nothing") {
  TraceBuffer trace(0);
  trace.push(span_of(1));
  CHECK(trace.size() == 0);
  CHECK(trace.dropped() == 1);
}
