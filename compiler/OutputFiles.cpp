#include "OutputFiles.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <set>

namespace miriam {

namespace {

std::string temp_name_for(const std::string& final_path) {
  llvm::SmallString<256> dir = llvm::sys::path::parent_path(final_path);
  std::string name = "." + llvm::sys::path::filename(final_path).str() + ".tmp-" +
                     std::to_string(llvm::sys::Process::getProcessId());
  llvm::sys::path::append(dir, name);
  return std::string(dir);
}

bool write_file(const std::string& path, const std::string& content, std::string& error) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  out << content;
  out.close();
  if (out.has_error()) {
    error = "cannot write '" + path + "': " + out.error().message();
    out.clear_error();
    llvm::sys::fs::remove(path);
    return false;
  }
  return true;
}

std::string escape_make(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

}  // namespace

OutputFiles::OutputFiles(std::string directory) : directory_(std::move(directory)) {}

OutputFiles::~OutputFiles() {
  if (!done_) abandon();
}

bool OutputFiles::prepare(std::string& error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(directory_)) {
    error = "cannot create output directory '" + directory_ + "': " + ec.message();
    return false;
  }
  if (!llvm::sys::fs::is_directory(directory_)) {  // create_directories accepts an existing file
    error = "output directory '" + directory_ + "' exists and is not a directory; choose another with -o";
    return false;
  }
  if (llvm::sys::fs::access(directory_, llvm::sys::fs::AccessMode::Write)) {
    error = "output directory '" + directory_ + "' is not writable; choose another with -o";
    return false;
  }
  return true;
}

void OutputFiles::plan(const std::string& name) { planned_.push_back(final_path(name)); }

std::string OutputFiles::final_path(const std::string& name) const {
  llvm::SmallString<256> path(directory_);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

std::string OutputFiles::stage(const std::string& name, const std::string& content, std::string& error) {
  std::string final = final_path(name);
  std::string temp = temp_name_for(final);
  if (!write_file(temp, content, error)) return "";
  staged_.push_back({temp, final});
  return temp;
}

bool OutputFiles::commit(std::string& error) {
  for (const auto& [temp, final] : staged_) {
    if (std::error_code ec = llvm::sys::fs::rename(temp, final)) {
      error = "cannot move '" + temp + "' to '" + final + "': " + ec.message();
      abandon();
      return false;
    }
  }
  staged_.clear();
  done_ = true;
  return true;
}

void OutputFiles::abandon() {
  for (const auto& [temp, final] : staged_) llvm::sys::fs::remove(temp);
  // Earlier outputs are files; a directory of that name is the user's, kept.
  for (const std::string& path : planned_)
    if (!llvm::sys::fs::is_directory(path)) llvm::sys::fs::remove(path);
  staged_.clear();
  done_ = true;
}

std::string OutputFiles::depfile_text(const std::vector<std::string>& dependencies) const {
  std::string out;
  for (const auto& [temp, final] : staged_) out += escape_make(final) + " ";
  out += ":";
  std::set<std::string> unique(dependencies.begin(), dependencies.end());
  for (const std::string& dep : unique) out += " \\\n  " + escape_make(dep);
  return out + "\n";
}

bool write_file_atomically(const std::string& path, const std::string& content, std::string& error) {
  std::string temp = temp_name_for(path);
  if (!write_file(temp, content, error)) return false;
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  return true;
}

}  // namespace miriam
