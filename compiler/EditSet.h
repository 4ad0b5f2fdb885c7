// A set of text edits on one buffer, checked for conflicts before anything is
// applied. Every pass edits through one of these: an edit that overlaps
// another is reported, never dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace miriam {

struct TextEdit {
  size_t offset = 0;     // into the original buffer
  size_t length = 0;     // bytes replaced; 0 for an insertion
  std::string text;      // replacement or inserted text
  std::string origin;    // which pass/rule made it, for conflict reports
};

struct EditConflict {
  TextEdit first;
  TextEdit second;
  std::string describe() const;
};

class EditSet {
 public:
  // Adds an edit. An identical edit already present is ignored (macro
  // expansions and template instantiations report the same spelling twice).
  // Returns false and records a conflict when the edit overlaps another.
  bool add(TextEdit edit);

  // Records a conflict found in another edit set over a part of this buffer
  // starting at `base` (a clone's text), so it fails this buffer too.
  void add_conflict(EditConflict conflict, size_t base);

  bool has_conflicts() const { return !conflicts_.empty(); }
  const std::vector<EditConflict>& conflicts() const { return conflicts_; }
  const std::vector<TextEdit>& edits() const { return edits_; }
  bool empty() const { return edits_.empty(); }

  // Applies every edit to `buffer`; insertions at one offset keep the order in
  // which they were added. Requires !has_conflicts().
  std::string apply(std::string_view buffer) const;

 private:
  std::vector<TextEdit> edits_;
  std::vector<EditConflict> conflicts_;
};

}  // namespace miriam
