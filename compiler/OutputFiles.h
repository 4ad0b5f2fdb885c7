// Writes a run's outputs all or nothing: every file is staged under a
// temporary name in the output directory and renamed into place only when
// every input succeeded. A failed run leaves none of its outputs behind.
#pragma once

#include <string>
#include <vector>

namespace miriam {

class OutputFiles {
 public:
  explicit OutputFiles(std::string directory);
  ~OutputFiles();  // abandons anything not committed

  // Creates the directory if needed and checks that it is writable.
  bool prepare(std::string& error);
  // Names an output this run is responsible for (removed again on failure).
  void plan(const std::string& name);
  // Writes `content` under a temporary name; returns its path, or "" with `error`.
  std::string stage(const std::string& name, const std::string& content, std::string& error);
  std::string final_path(const std::string& name) const;
  // Renames every staged file into place.
  bool commit(std::string& error);
  // Removes staged files and any earlier output of the planned names.
  void abandon();
  // "out1 out2: dep1 dep2" for build systems (Make syntax, spaces escaped).
  std::string depfile_text(const std::vector<std::string>& dependencies) const;

 private:
  std::string directory_;
  std::vector<std::string> planned_;
  std::vector<std::pair<std::string, std::string>> staged_;  // temp path, final path
  bool done_ = false;
};

bool write_file_atomically(const std::string& path, const std::string& content, std::string& error);

}  // namespace miriam
