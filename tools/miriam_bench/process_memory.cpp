#include "process_memory.h"

#include <fstream>
#include <sstream>

namespace miriam::bench {

std::optional<std::uint64_t> vm_rss_bytes(const std::string& proc_status) {
  std::istringstream in(proc_status);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::uint64_t value = 0;
    std::string unit;
    if (!(fields >> value >> unit) || unit != "kB") return std::nullopt;
    return value * 1024;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> current_vm_rss_bytes() {
  std::ifstream in("/proc/self/status");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return vm_rss_bytes(text.str());
}

}  // namespace miriam::bench
