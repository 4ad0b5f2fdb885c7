#include "dnn/models/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace miriam::dnn::graph {

std::vector<Lifetime> buffer_lifetimes(const Graph& g) {
  std::vector<Lifetime> life(g.buffers.size());
  auto touch = [&](int buffer, std::size_t op) {
    Lifetime& l = life[buffer];
    if (l.first > l.last) l.first = l.last = op;
    l.first = std::min(l.first, op);
    l.last = std::max(l.last, op);
  };
  for (std::size_t i = 0; i < g.ops.size(); ++i) {
    for (const View& v : g.ops[i].in) touch(v.buffer, i);
    for (const View& v : g.ops[i].out) touch(v.buffer, i);
  }
  for (std::size_t b = 0; b < g.buffers.size(); ++b)
    if (g.buffers[b].persistent) life[b] = Lifetime{0, g.ops.size()};
  return life;
}

MemoryPlan plan_memory(const Graph& g, std::size_t alignment) {
  const std::vector<Lifetime> life = buffer_lifetimes(g);
  std::vector<int> order(g.buffers.size());
  std::iota(order.begin(), order.end(), 0);
  // Greedy by size, largest first: the classic offset-assignment heuristic.
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return g.buffers[a].elements > g.buffers[b].elements; });
  auto rounded = [&](std::size_t n) { return (n + alignment - 1) / alignment * alignment; };

  MemoryPlan plan;
  plan.offsets.assign(g.buffers.size(), 0);
  struct Placed {
    std::size_t offset, size;
    Lifetime life;
  };
  std::vector<Placed> placed;
  for (int b : order) {
    const Lifetime& lb = life[b];
    if (lb.first > lb.last) continue;  // unused: needs no memory
    const std::size_t size = rounded(g.buffers[b].elements);
    // Blocks alive at the same time as b, by offset; take the first gap that fits.
    std::vector<Placed> overlapping;
    for (const Placed& p : placed)
      if (p.life.first <= lb.last && lb.first <= p.life.last) overlapping.push_back(p);
    std::sort(overlapping.begin(), overlapping.end(),
              [](const Placed& x, const Placed& y) { return x.offset < y.offset; });
    std::size_t offset = 0;
    for (const Placed& p : overlapping) {
      if (offset + size <= p.offset) break;
      offset = std::max(offset, p.offset + p.size);
    }
    plan.offsets[b] = offset;
    plan.total_elements = std::max(plan.total_elements, offset + size);
    placed.push_back(Placed{offset, size, lb});
  }
  plan.conv_workspace_elements = conv_split_workspace_elements(g);
  if (plan.conv_workspace_elements > 0) {
    plan.conv_workspace_offset = plan.total_elements;
    plan.total_elements += rounded(plan.conv_workspace_elements);
  }
  return plan;
}

}  // namespace miriam::dnn::graph
