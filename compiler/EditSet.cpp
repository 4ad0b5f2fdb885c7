#include "EditSet.h"

#include <algorithm>
#include <cassert>

namespace miriam {

namespace {

bool same_edit(const TextEdit& a, const TextEdit& b) {
  return a.offset == b.offset && a.length == b.length && a.text == b.text;
}

// Two replacements conflict when their ranges intersect; an insertion
// conflicts with a replacement strictly containing its offset.
bool overlaps(const TextEdit& a, const TextEdit& b) {
  if (a.length == 0 && b.length == 0) return false;
  if (a.length == 0) return a.offset > b.offset && a.offset < b.offset + b.length;
  if (b.length == 0) return b.offset > a.offset && b.offset < a.offset + a.length;
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

}  // namespace

std::string EditConflict::describe() const {
  return "edit by '" + second.origin + "' at offset " + std::to_string(second.offset) + " (length " +
         std::to_string(second.length) + ") overlaps edit by '" + first.origin + "' at offset " +
         std::to_string(first.offset) + " (length " + std::to_string(first.length) + ")";
}

bool EditSet::add(TextEdit edit) {
  for (const TextEdit& existing : edits_) {
    if (same_edit(existing, edit)) return true;
    if (overlaps(existing, edit)) {
      conflicts_.push_back({existing, std::move(edit)});
      return false;
    }
  }
  edits_.push_back(std::move(edit));
  return true;
}

void EditSet::add_conflict(EditConflict conflict, size_t base) {
  conflict.first.offset += base;
  conflict.second.offset += base;
  conflicts_.push_back(std::move(conflict));
}

std::string EditSet::apply(std::string_view buffer) const {
  assert(!has_conflicts());
  std::vector<size_t> order(edits_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // By offset; at one offset insertions first (in the order added), then the replacement.
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const TextEdit& a = edits_[x];
    const TextEdit& b = edits_[y];
    if (a.offset != b.offset) return a.offset < b.offset;
    return (a.length == 0) && (b.length != 0);
  });
  std::string out;
  out.reserve(buffer.size() + 1024);
  size_t cursor = 0;
  for (size_t index : order) {
    const TextEdit& e = edits_[index];
    assert(e.offset >= cursor && e.offset + e.length <= buffer.size());
    out.append(buffer.substr(cursor, e.offset - cursor));
    out.append(e.text);
    cursor = e.offset + e.length;
  }
  out.append(buffer.substr(cursor));
  return out;
}

}  // namespace miriam
