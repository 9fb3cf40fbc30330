#include "codegen/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace kiln::codegen {

MemoryPlan PlanMemory(const std::vector<BufferLifetime>& buffers, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].bytes > buffers[b].bytes;
  });
  const auto round_up = [&](int64_t x) { return (x + alignment - 1) / alignment * alignment; };
  std::vector<size_t> placed;
  for (size_t i : order) {
    const BufferLifetime& b = buffers[i];
    // [offset, end) ranges of placed buffers live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed) {
      const BufferLifetime& o = buffers[j];
      if (o.first_step <= b.last_step && b.first_step <= o.last_step) {
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + round_up(o.bytes));
      }
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (begin - offset >= round_up(b.bytes)) break;
      offset = std::max(offset, end);
    }
    plan.offsets[i] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + round_up(b.bytes));
    placed.push_back(i);
  }
  return plan;
}

}  // namespace kiln::codegen
